import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ParsedMail } from "mailparser";
import {
  FIXTURE_EMAILS,
  FIXTURE_IPS,
  FIXTURE_SECRETS,
  groupNotification,
  leakyGroupNotification,
} from "../alerting/render/fixtures.js";
import { namedAlertKeys } from "../alerting/render/namedAlertKeys.js";
import { DeliveryError } from "../alerting/types.js";
import { withRetry } from "../retry/backoff.js";
import { classifyEmailError, EmailChannel, type SmtpSettings } from "./channel.js";
import { EMAIL_MAX_BYTES } from "./message.js";
import { createSesTransport } from "./sesTransport.js";
import { SMTP_TEST_CREDENTIALS, startSmtp, type TestSmtp } from "./testing/smtpServer.js";

const { user: USER } = SMTP_TEST_CREDENTIALS;
const ROUTE = { emailRecipients: ["oncall@example.com", "devops@example.com"] };

function smtpSettings(port: number, overrides: Partial<SmtpSettings> = {}): SmtpSettings {
  return {
    kind: "smtp",
    host: "127.0.0.1",
    port,
    security: "none",
    auth: { ...SMTP_TEST_CREDENTIALS },
    timeoutMs: 5000,
    ...overrides,
  };
}

type MakeChannel = (overrides?: Partial<SmtpSettings>, mask?: object) => EmailChannel;

/** Runs `body` against a fresh loopback server; closes the channels' pools before the server. */
async function withSmtp(
  options: Parameters<typeof startSmtp>[0],
  body: (smtp: TestSmtp, channelFor: MakeChannel) => Promise<void>,
): Promise<void> {
  const smtp = await startSmtp(options);
  const channels: EmailChannel[] = [];
  const channelFor: MakeChannel = (overrides = {}, mask = {}) => {
    const channel = new EmailChannel({
      from: "sentinel@example.com",
      transport: smtpSettings(smtp.port, overrides),
      render: { mask },
    });
    channels.push(channel);
    return channel;
  };
  try {
    await body(smtp, channelFor);
  } finally {
    await Promise.all(channels.map((channel) => channel.close()));
    await smtp.close();
  }
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

describe("EmailChannel over SMTP (smtp-server on loopback)", () => {
  it("delivers an urgent group with subject, headers, HTML, text, links and masked secrets", async () => {
    await withSmtp({ authMethods: ["PLAIN"] }, async (smtp, channelFor) => {
      await channelFor({}, { maskEmails: true, maskIps: true }).send(groupNotification(), ROUTE);

      assert.equal(smtp.messages.length, 1);
      assert.deepEqual(smtp.authMethods, ["PLAIN"]);
      const mail = smtp.messages[0] as ParsedMail;
      assert.equal(
        mail.subject,
        "[SentinelLLM] ANOMALY · checkout · 1 anomaly, 5 templates, 1,700 events · error_rate, score 0.94: 412 observed, 35 expected",
      );
      assert.equal(mail.from?.text, "sentinel@example.com");
      assert.deepEqual(
        (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) =>
          a?.value.map((v) => v.address),
        ),
        ["oncall@example.com", "devops@example.com"],
      );
      assert.equal(mail.headers.get("x-sentinel-notification"), "group");
      assert.equal(mail.headers.get("x-sentinel-group"), "email:default:service=checkout");
      assert.equal(mail.headers.get("x-sentinel-reason"), "firing");
      assert.equal(mail.headers.get("x-sentinel-sequence"), "1");
      assert.equal(mail.headers.get("x-sentinel-alert-count"), "1700");
      assert.equal(mail.headers.get("priority"), "high");
      assert.match(mail.messageId ?? "", /^<[0-9a-f]{32}\.sentinel@example\.com>$/);
      assert.equal(mail.inReplyTo, undefined, "the first notification starts the thread");

      const html = String(mail.html);
      const text = mail.text ?? "";
      assert.match(html, /<a href="https:\/\/runbooks\.example\.com\/checkout\/db-connections"/);
      assert.match(html, /error_rate · score 0\.94/);
      assert.match(
        text,
        /^Open dashboard: https:\/\/grafana\.example\.com\/d\/sentinel-service\/sentinel\?var-service=checkout&from=\d+&to=\d+$/m,
      );
      assert.match(
        text,
        /^2\. \[CRITICAL incident\] Payment DB connection failed: <\*> \(pool <\*>\/<\*> busy\)$/m,
      );
      assert.match(text, /1,204× {2}▁▁▁▂▂▂▃▅█▆▃▂/);
      assert.match(text, /postgres:\/\/checkout:\*\*\*\*@\[ip\]:5432\/payments/);
      for (const part of [mail.subject ?? "", html, text])
        for (const leak of [...FIXTURE_SECRETS, ...FIXTURE_EMAILS, ...FIXTURE_IPS])
          assert.ok(!part.includes(leak), `${leak} was sent`);
    });
  });

  it("masks every field of a group on the wire, headers included", async () => {
    await withSmtp({}, async (smtp, channelFor) => {
      await channelFor({}, { maskEmails: true, maskIps: true }).send(
        leakyGroupNotification(),
        ROUTE,
      );
      const mail = smtp.messages[0] as ParsedMail;
      const headers = [...mail.headers.entries()].map(([, value]) => String(value)).join("\n");
      for (const part of [mail.subject ?? "", String(mail.html), mail.text ?? "", headers])
        for (const leak of [...FIXTURE_SECRETS, ...FIXTURE_EMAILS, ...FIXTURE_IPS])
          assert.ok(!part.includes(leak), `${leak} was sent`);
    });
  });

  it("authenticates with AUTH LOGIN and sends a resolved notice at normal priority", async () => {
    await withSmtp({ authMethods: ["LOGIN"] }, async (smtp, channelFor) => {
      await channelFor().send(groupNotification({ reason: "resolved" }), ROUTE);
      assert.deepEqual(smtp.authMethods, ["LOGIN"]);
      const mail = smtp.messages[0] as ParsedMail;
      assert.equal(mail.headers.get("priority"), undefined);
      assert.equal(mail.headers.get("x-sentinel-reason"), "resolved");
      assert.match(mail.subject ?? "", /^\[SentinelLLM\] RESOLVED · checkout · quiet since /);
    });
  });

  it("reuses one pooled connection and threads an episode's notifications under its first", async () => {
    await withSmtp({}, async (smtp, channelFor) => {
      const channel = channelFor();
      await channel.send(groupNotification(), ROUTE);
      await channel.send(groupNotification({ reason: "update", sequence: 2 }), ROUTE);
      await channel.send(groupNotification({ reason: "update", sequence: 2 }), ROUTE);
      await channel.send(groupNotification({ reason: "repeat", sequence: 3 }), ROUTE);
      assert.equal(smtp.messages.length, 4);
      assert.equal(smtp.connections, 1);
      const [first, second, retried, third] = smtp.messages as ParsedMail[];
      assert.equal(second?.messageId, retried?.messageId, "a resent notification keeps its id");
      assert.equal(new Set([first, second, third].map((m) => m?.messageId)).size, 3);
      for (const later of [second, third]) {
        assert.equal(later?.inReplyTo, first?.messageId);
        assert.equal(later?.references, first?.messageId);
      }
    });
  });

  it("sends a huge group as one message under the size limit, naming what it lists", async () => {
    await withSmtp({}, async (smtp, channelFor) => {
      const notification = groupNotification({
        templates: 300,
        lineChars: 4000,
        omitted: { templates: 25, alerts: 400 },
      });
      await channelFor().send(notification, ROUTE);
      assert.equal(smtp.messages.length, 1);
      const mail = smtp.messages[0] as ParsedMail;
      const text = mail.text ?? "";
      assert.ok(Buffer.byteLength(String(mail.html)) <= EMAIL_MAX_BYTES);
      const named = namedAlertKeys(notification, "email");
      assert.ok(named.length > 0 && named.length < notification.alerts.length);
      const listed = [...text.matchAll(/^\d+\. \[[^\]]+\] /gm)].length;
      assert.equal(listed, named.length);
      const more = notification.alerts.length - named.length + 25;
      assert.match(
        text,
        new RegExp(`^\\+${more} more templates \\([\\d,]+ events\\) not listed`, "m"),
      );
    });
  });

  it("reports a wrong password as final", async () => {
    await withSmtp({}, async (smtp, channelFor) => {
      const channel = channelFor({ auth: { user: USER, pass: "wrong-fake-password" } });
      const error = await expectDeliveryError(channel.send(groupNotification(), ROUTE));
      assert.equal(error.retryable, false);
      assert.equal(error.status, 535);
      assert.doesNotMatch(error.message, /wrong-fake-password/);
      assert.equal(smtp.messages.length, 0);
    });
  });

  it("reports a temporary 451 as retryable and a 550 as final", async () => {
    let code = 451;
    await withSmtp({ rejectRcpt: () => code }, async (_smtp, channelFor) => {
      const channel = channelFor();
      const temporary = await expectDeliveryError(channel.send(groupNotification(), ROUTE));
      assert.equal(temporary.retryable, true);
      assert.equal(temporary.status, 451);
      code = 550;
      const permanent = await expectDeliveryError(channel.send(groupNotification(), ROUTE));
      assert.equal(permanent.retryable, false);
      assert.equal(permanent.status, 550);
    });
  });

  it("is delivered once through withRetry after temporary rejections", async () => {
    let attempts = 0;
    const rejectRcpt = () => (++attempts <= 2 ? 451 : undefined);
    await withSmtp({ rejectRcpt }, async (smtp, channelFor) => {
      const channel = channelFor();
      const retries: number[] = [];
      await withRetry(
        () => channel.send(groupNotification(), { emailRecipients: ["oncall@example.com"] }),
        { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5 },
        {
          isRetryable: (e) => e instanceof DeliveryError && e.retryable,
          onRetry: ({ attempt }) => retries.push(attempt),
        },
      );
      assert.deepEqual(retries, [1, 2]);
      assert.equal(smtp.messages.length, 1);
    });
  });

  it("reports an unreachable server as retryable", async () => {
    let port = 0;
    await withSmtp({}, async (smtp) => {
      port = smtp.port;
    });
    const channel = new EmailChannel({
      from: "sentinel@example.com",
      transport: smtpSettings(port),
    });
    try {
      const error = await expectDeliveryError(channel.send(groupNotification(), ROUTE));
      assert.equal(error.retryable, true);
      assert.match(error.message, /could not be reached/);
    } finally {
      await channel.close();
    }
  });

  it("refuses to send in clear text when STARTTLS is required but not offered", async () => {
    await withSmtp({}, async (smtp, channelFor) => {
      const channel = channelFor({ security: "starttls" });
      const error = await expectDeliveryError(channel.send(groupNotification(), ROUTE));
      assert.equal(error.retryable, false);
      assert.match(error.message, /TLS/);
      assert.deepEqual(smtp.authMethods, [], "no credentials were sent over plain text");
      assert.equal(smtp.messages.length, 0);
    });
  });

  it("reports implicit TLS against a plain-text server as a settings problem, not a retry", async () => {
    await withSmtp({}, async (smtp, channelFor) => {
      const error = await expectDeliveryError(
        channelFor({ security: "tls" }).send(groupNotification(), ROUTE),
      );
      assert.equal(error.retryable, false);
      assert.match(error.message, /check SMTP_SECURE/);
      assert.equal(smtp.messages.length, 0);
    });
  });

  it("fails a route without recipients at once", async () => {
    const channel = new EmailChannel({ from: "sentinel@example.com", transport: smtpSettings(1) });
    const error = await expectDeliveryError(
      channel.send(groupNotification(), { emailRecipients: [] }),
    );
    assert.equal(error.retryable, false);
  });
});

describe("EmailChannel over Amazon SES", () => {
  it("builds nodemailer's SES v2 transport (not sent: no AWS here)", () => {
    const transporter = createSesTransport({ kind: "ses", region: "eu-west-1" });
    assert.equal(transporter.transporter.name, "SESTransport");
    transporter.close();
  });

  it("classifies SES failures by throttling and HTTP status", () => {
    const sdkError = (name: string, httpStatusCode?: number) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });
    assert.equal(classifyEmailError(sdkError("TooManyRequestsException", 429)).retryable, true);
    assert.equal(classifyEmailError(sdkError("ThrottlingException", 400)).retryable, true);
    assert.equal(classifyEmailError(sdkError("InternalFailure", 500)).retryable, true);
    assert.equal(classifyEmailError(sdkError("MessageRejected", 400)).retryable, false);
    assert.equal(classifyEmailError(sdkError("AccessDeniedException", 403)).retryable, false);
    assert.equal(classifyEmailError(sdkError("MessageRejected", 400)).status, 400);
  });
});
