import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import {
  FIXTURE_EMAILS,
  FIXTURE_IPS,
  FIXTURE_SECRETS,
  groupNotification,
  leakyGroupNotification,
} from "../alerting/render/fixtures.js";
import { namedAlertKeys } from "../alerting/render/namedAlertKeys.js";
import { DeliveryError } from "../alerting/types.js";
import { createLogger } from "../logging/logger.js";
import { withRetry } from "../retry/backoff.js";
import type { AdaptiveCardMessage } from "./adaptiveCard.js";
import { TEAMS_MAX_BODY_BYTES } from "./body.js";
import { classifyTeamsResponse, TeamsChannel, type TeamsChannelOptions } from "./channel.js";
import type { MessageCard } from "./messageCard.js";
import { adaptiveCardTemplateRows as templateRows } from "./testing/cardRows.js";
import { type ReceivedRequest, startWebhook, type WebhookAnswer } from "./testing/webhook.js";

/** Runs `body` against a fresh stand-in webhook answering from `answers`. */
async function withWebhook(
  answers: WebhookAnswer[],
  body: (hook: { url: string; received: ReceivedRequest[] }) => Promise<void>,
): Promise<void> {
  const hook = await startWebhook(answers);
  try {
    await body(hook);
  } finally {
    await hook.stop();
  }
}

function teams(options: Partial<TeamsChannelOptions> = {}) {
  return new TeamsChannel({
    format: "adaptive",
    timeoutMs: 5000,
    requestsPerSecond: 100,
    ...options,
  });
}

async function expectDeliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DeliveryError, `expected a DeliveryError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the send to fail");
}

function assertNoUrl(error: DeliveryError, url: string) {
  const texts = [error.message, String(error.stack)];
  let cause: unknown = error.cause;
  while (cause instanceof Error) {
    texts.push(cause.message, String(cause.stack));
    cause = cause.cause;
  }
  for (const text of texts) {
    assert.ok(!text.includes(url), "the webhook URL is in an error");
    assert.doesNotMatch(text, /FAKE-SIGNATURE/);
  }
}

describe("TeamsChannel (HTTP server on loopback as the webhook)", () => {
  it("posts an Adaptive Card message and takes Workflows' 202 as delivered", async () => {
    await withWebhook([{ status: 202 }], async ({ url, received }) => {
      await teams({ render: { mask: { maskEmails: true, maskIps: true } } }).send(
        groupNotification(),
        { emailRecipients: [], teamsWebhookUrl: url },
      );
      assert.equal(received.length, 1);
      const request = received[0] as ReceivedRequest;
      assert.equal(request.method, "POST");
      assert.equal(request.contentType, "application/json");
      assert.match(request.path, /^\/workflows\/abc123\/.*sig=FAKE-SIGNATURE-0123456789$/);
      assert.ok(request.bytes < TEAMS_MAX_BODY_BYTES);
      const message = JSON.parse(request.body) as AdaptiveCardMessage;
      assert.equal(message.type, "message");
      const attachment = message.attachments[0];
      assert.equal(attachment.contentType, "application/vnd.microsoft.card.adaptive");
      assert.equal(attachment.content.type, "AdaptiveCard");
      assert.equal(attachment.content.version, "1.4");
      assert.match(attachment.content.fallbackText, /^\[SentinelLLM\] ANOMALY · checkout · /);
      assert.ok(attachment.content.body.some((element) => element.type === "FactSet"));
      assert.equal(templateRows(request.body).length, 6);
      assert.deepEqual(
        attachment.content.actions.map((action) => action.title),
        ["Open dashboard", "Open logs", "Runbook"],
      );
      for (const leak of [...FIXTURE_SECRETS, ...FIXTURE_EMAILS, ...FIXTURE_IPS])
        assert.ok(!request.body.includes(leak), `${leak} was posted`);
    });
  });

  it("posts nothing unmasked of a group whose every field leaks", async () => {
    await withWebhook([], async ({ url, received }) => {
      const route = { emailRecipients: [], teamsWebhookUrl: url };
      const mask = { maskEmails: true, maskIps: true };
      await teams({ render: { mask } }).send(leakyGroupNotification(), route);
      await teams({ format: "messagecard", render: { mask } }).send(
        leakyGroupNotification(),
        route,
      );
      assert.equal(received.length, 2);
      for (const request of received)
        for (const leak of [...FIXTURE_SECRETS, ...FIXTURE_EMAILS, ...FIXTURE_IPS])
          assert.ok(!request.body.includes(leak), `${leak} was posted`);
    });
  });

  it("cuts a 300-template group with long lines to fit, listing what namedAlertKeys names", async () => {
    await withWebhook([], async ({ url, received }) => {
      const notification = groupNotification({
        templates: 300,
        lineChars: 30_000,
        omitted: { templates: 12, alerts: 700 },
      });
      const route = { emailRecipients: [], teamsWebhookUrl: url };
      await teams().send(notification, route);
      await teams({ format: "messagecard" }).send(notification, route);
      assert.equal(received.length, 2);
      for (const request of received)
        assert.ok(request.bytes < TEAMS_MAX_BODY_BYTES, `${request.bytes} bytes`);

      const rows = templateRows(received[0]?.body ?? "");
      const named = namedAlertKeys(notification, "teams");
      assert.equal(rows.length, named.length);
      assert.ok(named.length >= 5 && named.length < 301, `${named.length} named`);
      const templateOf = new Map(
        notification.alerts.map((a) => [a.key, a.example.events?.[0]?.classification.template]),
      );
      // Each generated template ends with its own "template-<n>": the rows are the named ones.
      rows.forEach((title, index) => {
        const template = templateOf.get(named[index] ?? "");
        if (template)
          assert.equal(title.match(/template-\d+$/)?.[0], template.match(/template-\d+$/)?.[0]);
      });
      assert.match(
        received[0]?.body ?? "",
        new RegExp(`\\+${301 - named.length + 12} more templates \\(`),
      );
      const legacy = namedAlertKeys(notification, "teams", { teamsFormat: "messagecard" });
      assert.match(
        received[1]?.body ?? "",
        new RegExp(`\\+${301 - legacy.length + 12} more templates \\(`),
      );
    });
  });

  it("reports 429 with Retry-After, then 500, as retryable and is delivered on the third try", async () => {
    const answers: WebhookAnswer[] = [
      { status: 429, headers: { "retry-after": "1" }, body: "Too many requests" },
      { status: 500, body: "internal error" },
      { status: 202 },
    ];
    await withWebhook(answers, async ({ url, received }) => {
      const channel = teams();
      const failures: DeliveryError[] = [];
      const delays: number[] = [];
      await withRetry(
        () => channel.send(groupNotification(), { emailRecipients: [], teamsWebhookUrl: url }),
        { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 10 },
        {
          isRetryable: (e) => e instanceof DeliveryError && e.retryable,
          retryAfterMs: (e) => (e instanceof DeliveryError ? e.retryAfterMs : undefined),
          onRetry: ({ error, delayMs }) => {
            failures.push(error as DeliveryError);
            delays.push(delayMs);
          },
        },
      );
      assert.deepEqual(
        failures.map((f) => [f.status, f.retryable, f.retryAfterMs]),
        [
          [429, true, 1000],
          [500, true, undefined],
        ],
      );
      assert.ok((delays[0] ?? 0) >= 1000, "the retry waited for Retry-After");
      assert.equal(received.length, 3, "every attempt reached the webhook");
      for (const failure of failures) assertNoUrl(failure, url);
    });
  });

  it("holds sends to a throttled webhook until its Retry-After has passed", async () => {
    await withWebhook(
      [{ status: 429, headers: { "retry-after": "120" } }],
      async ({ url, received }) => {
        const channel = teams();
        const route = { emailRecipients: [], teamsWebhookUrl: url };
        const first = await expectDeliveryError(channel.send(groupNotification(), route));
        assert.equal(first.retryAfterMs, 120_000);
        const held = await expectDeliveryError(channel.send(groupNotification(), route));
        assert.equal(held.retryable, true);
        assert.equal(held.status, 429);
        assert.ok((held.retryAfterMs ?? 0) > 60_000 && (held.retryAfterMs ?? 0) <= 120_000);
        assert.equal(received.length, 1, "the held send did not reach the webhook");

        const otherWebhook = url.replace("abc123", "def456");
        await channel.send(groupNotification(), {
          emailRecipients: [],
          teamsWebhookUrl: otherWebhook,
        });
        assert.equal(received.length, 2, "another webhook is not held");
      },
    );
  });

  it("reports 413 and 400 MessageSizeExceeded as final", async () => {
    const answers: WebhookAnswer[] = [
      { status: 413, body: "Request Entity Too Large" },
      {
        status: 400,
        body: '{"error":{"code":"MessageSizeExceeded","message":"The request content length exceeds the limit"}}',
      },
      { status: 400, body: '{"error":{"code":"InvalidTemplate"}}' },
    ];
    await withWebhook(answers, async ({ url }) => {
      const channel = teams();
      const route = { emailRecipients: [], teamsWebhookUrl: url };
      const tooLarge = await expectDeliveryError(channel.send(groupNotification(), route));
      assert.deepEqual([tooLarge.status, tooLarge.retryable], [413, false]);
      const sizeExceeded = await expectDeliveryError(channel.send(groupNotification(), route));
      assert.deepEqual([sizeExceeded.status, sizeExceeded.retryable], [400, false]);
      assert.match(sizeExceeded.message, /MessageSizeExceeded/);
      const invalid = await expectDeliveryError(channel.send(groupNotification(), route));
      assert.deepEqual([invalid.status, invalid.retryable], [400, false]);
      assert.match(invalid.message, /rejected the card/);
    });
  });

  it("reports a deleted workflow (404) as final without naming the URL", async () => {
    await withWebhook([{ status: 404, body: "not found" }], async ({ url }) => {
      const error = await expectDeliveryError(
        teams().send(groupNotification(), { emailRecipients: [], teamsWebhookUrl: url }),
      );
      assert.deepEqual([error.status, error.retryable], [404, false]);
      assertNoUrl(error, url);
    });
  });

  it("reports a webhook that does not answer in time as retryable", async () => {
    await withWebhook(["hang"], async ({ url }) => {
      const error = await expectDeliveryError(
        teams({ timeoutMs: 200 }).send(groupNotification(), {
          emailRecipients: [],
          teamsWebhookUrl: url,
        }),
      );
      assert.equal(error.retryable, true);
      assert.match(error.message, /did not answer within 200 ms/);
      assertNoUrl(error, url);
    });
  });

  it("reports a refused connection as retryable and an unusable URL as final", async () => {
    let closedUrl = "";
    await withWebhook([], async ({ url }) => {
      closedUrl = url;
    });
    const refused = await expectDeliveryError(
      teams().send(groupNotification(), { emailRecipients: [], teamsWebhookUrl: closedUrl }),
    );
    assert.equal(refused.retryable, true);
    assert.match(refused.message, /could not be reached \(ECONNREFUSED\)/);
    assertNoUrl(refused, closedUrl);

    const badUrl = "http://[not-a-host/sig=FAKE-SIGNATURE";
    const unusable = await expectDeliveryError(
      teams().send(groupNotification(), { emailRecipients: [], teamsWebhookUrl: badUrl }),
    );
    assert.equal(unusable.retryable, false);
    assertNoUrl(unusable, badUrl);
  });

  it("reports a send aborted by the caller as retryable", async () => {
    await withWebhook(["hang"], async ({ url }) => {
      const controller = new AbortController();
      const sending = teams().send(
        groupNotification(),
        { emailRecipients: [], teamsWebhookUrl: url },
        controller.signal,
      );
      controller.abort();
      const error = await expectDeliveryError(sending);
      assert.equal(error.retryable, true);
      assert.match(error.message, /aborted/);
    });
  });

  it("fails a route without a webhook at once", async () => {
    const error = await expectDeliveryError(
      teams().send(groupNotification(), { emailRecipients: [] }),
    );
    assert.equal(error.retryable, false);
  });

  it("never writes the webhook URL to the log", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: "debug", format: "json", destination });
    await withWebhook([{ status: 202 }, { status: 202 }], async ({ url }) => {
      const channel = teams({ logger });
      const route = { emailRecipients: [], teamsWebhookUrl: url };
      await channel.send(groupNotification({ templates: 200, lineChars: 5000 }), route);
      await channel.send(groupNotification(), route);
    });
    assert.ok(lines.some((line) => line.includes("Teams card cut to fit")));
    assert.ok(lines.some((line) => line.includes("Teams card delivered")));
    for (const line of lines) assert.doesNotMatch(line, /FAKE-SIGNATURE|\/workflows\//);
  });
});

describe("TeamsChannel with the legacy MessageCard format", () => {
  it("posts a MessageCard and reads a connector's 200-with-error answer", async () => {
    const answers: WebhookAnswer[] = [
      { status: 200, body: "1" },
      {
        status: 200,
        body: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId abc",
      },
    ];
    await withWebhook(answers, async ({ url, received }) => {
      const channel = teams({ format: "messagecard" });
      const route = { emailRecipients: [], teamsWebhookUrl: url };
      await channel.send(groupNotification(), route);
      const card = JSON.parse(received[0]?.body ?? "{}") as MessageCard;
      assert.equal(card["@type"], "MessageCard");
      assert.deepEqual(
        card.potentialAction.map((action) => action.name),
        ["Open dashboard", "Open logs", "Runbook"],
      );
      const throttled = await expectDeliveryError(channel.send(groupNotification(), route));
      assert.deepEqual([throttled.status, throttled.retryable], [429, true]);
    });
  });
});

describe("classifyTeamsResponse", () => {
  it("accepts 2xx and classifies the rest", () => {
    assert.equal(classifyTeamsResponse(202, null, "", "adaptive"), undefined);
    assert.equal(classifyTeamsResponse(200, null, "1", "messagecard"), undefined);
    const outcomes = [429, 408, 500, 502, 503, 400, 401, 403, 404, 410, 413, 302].map((status) => {
      const error = classifyTeamsResponse(status, null, "", "adaptive");
      return [status, error?.retryable];
    });
    assert.deepEqual(outcomes, [
      [429, true],
      [408, true],
      [500, true],
      [502, true],
      [503, true],
      [400, false],
      [401, false],
      [403, false],
      [404, false],
      [410, false],
      [413, false],
      [302, false],
    ]);
  });

  it("reads Retry-After in seconds or as an HTTP date", () => {
    const now = Date.parse("2026-03-14T09:00:00Z");
    assert.equal(classifyTeamsResponse(503, "30", "", "adaptive", now)?.retryAfterMs, 30_000);
    assert.equal(
      classifyTeamsResponse(429, "Sat, 14 Mar 2026 09:02:00 GMT", "", "adaptive", now)
        ?.retryAfterMs,
      120_000,
    );
  });
});
