import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { anomaly, classifiedEvent } from "../events/testing/fixtures.js";
import { PipelineMetrics } from "../metrics/catalog.js";
import {
  JsonlDeadLetterFile,
  type NotificationDeadLetter,
  type NotificationDeadLetterSink,
} from "./deadLetters.js";
import { MemoryDedupStore } from "./memoryDedupStore.js";
import { Notifier, type NotifierOptions } from "./notifier.js";
import { RecordingChannel } from "./testing/recordingChannel.js";
import { DeliveryError, type Notification } from "./types.js";

const MINUTE = 60_000;
const DEFAULT_HOOK = "https://teams.example.invalid/hook/default";

function setup(overrides: Partial<NotifierOptions> = {}) {
  const email = new RecordingChannel("email");
  const teams = new RecordingChannel("teams");
  const metrics = new PipelineMetrics();
  const letters: NotificationDeadLetter[] = [];
  const notifier = new Notifier({
    channels: [email, teams],
    dedup: new MemoryDedupStore({ windowMs: 10 * MINUTE }),
    deadLetters: { write: async (batch) => void letters.push(...batch) },
    rules: { sendPreventiveEmails: false, minConfidence: 0, anomalyThreshold: 0.7 },
    routing: {
      defaultRoute: { emailRecipients: ["oncall@example.com"], teamsWebhookUrl: DEFAULT_HOOK },
    },
    flood: false,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    random: () => 0,
    metrics,
    ...overrides,
  });
  const count = async (channel: string, outcome: string) =>
    (await metrics.alerts.get()).values.find(
      (v) => v.labels.channel === channel && v.labels.outcome === outcome,
    )?.value ?? 0;
  return { notifier, email, teams, letters, metrics, count };
}

function alertOf(notification: Notification | undefined) {
  assert.equal(notification?.type, "alert");
  return (notification as Extract<Notification, { type: "alert" }>).alert;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe("Notifier", () => {
  it("suppresses a duplicate incident alert inside the window and says +N similar after it", async () => {
    const { notifier, email, teams, count } = setup();
    const tickets = [];
    for (const at of [0, 1, 2, 10])
      tickets.push(await notifier.notifyClassified(classifiedEvent({ at })));
    await notifier.flush();
    const outcomes = await Promise.all(tickets.map(async (t) => (await t.done).outcomes));
    assert.deepEqual(
      outcomes.map((o) => o.email),
      ["sent", "suppressed", "suppressed", "sent"],
    );
    for (const channel of [email, teams]) {
      assert.equal(channel.delivered.length, 2);
      assert.equal(alertOf(channel.delivered[0]?.notification).similar, undefined);
      assert.deepEqual(alertOf(channel.delivered[1]?.notification).similar, {
        count: 2,
        firstSeen: "2026-01-01T00:01:00.000Z",
        lastSeen: "2026-01-01T00:02:00.000Z",
      });
      assert.equal(await count(channel.channel, "sent"), 2);
      assert.equal(await count(channel.channel, "suppressed"), 2);
    }
  });

  it("applies the rules: preventive_action to Teams (e-mail when enabled), min confidence, anomalies", async () => {
    const { notifier, email, teams } = setup({
      rules: { sendPreventiveEmails: false, minConfidence: 0.6, anomalyThreshold: 0.8 },
    });
    await notifier.notifyClassified(classifiedEvent({ label: "preventive_action" }));
    await notifier.notifyClassified(classifiedEvent({ label: "normal", templateId: "n" }));
    await notifier.notifyClassified(classifiedEvent({ templateId: "unsure", confidence: 0.5 }));
    await notifier.notifyAnomaly(anomaly({ score: 0.79, kind: "low" }));
    await notifier.notifyAnomaly(anomaly({ score: 0.8, kind: "high" }));
    await notifier.flush();
    assert.deepEqual(email.deliveredKeys(), ["anomaly:api:high"]);
    assert.deepEqual(teams.deliveredKeys(), ["preventive_action:api:t1", "anomaly:api:high"]);

    const withEmail = setup({ rules: { sendPreventiveEmails: true, minConfidence: 0 } });
    await withEmail.notifier.notifyClassified(classifiedEvent({ label: "preventive_action" }));
    await withEmail.notifier.flush();
    assert.deepEqual(withEmail.email.deliveredKeys(), ["preventive_action:api:t1"]);
  });

  it("turns a storm into one digest per channel instead of hundreds of messages", async () => {
    const { notifier, email, teams, count } = setup({
      flood: { ratePerMinute: 1, burst: 2 },
      now: () => 0,
    });
    const tickets = [];
    for (let i = 0; i < 200; i++)
      tickets.push(await notifier.notifyClassified(classifiedEvent({ templateId: `t${i}` })));
    await notifier.flush();
    for (const channel of [email, teams]) {
      const types = channel.delivered.map((d) => d.notification.type);
      assert.deepEqual(types, ["alert", "alert", "digest"]);
      const digest = channel.delivered[2]?.notification as Extract<
        Notification,
        { type: "digest" }
      >;
      assert.equal(digest.total, 198);
      assert.equal(digest.alerts.length, 20);
      assert.equal(digest.alerts[0]?.key, "incident:api:t2");
      assert.equal(await count(channel.channel, "sent"), 3);
      assert.equal(await count(channel.channel, "suppressed"), 198);
    }
    const outcomes = await Promise.all(tickets.map(async (t) => (await t.done).outcomes.teams));
    assert.equal(outcomes.filter((o) => o === "digest").length, 198);
    // Delivered in a digest counts as sent for dedup: the same keys are suppressed now.
    const again = await notifier.notifyClassified(classifiedEvent({ templateId: "t150", at: 1 }));
    await notifier.flush();
    assert.deepEqual((await again.done).outcomes, { email: "suppressed", teams: "suppressed" });
  });

  it("never mixes routes in a digest: per-service routing picks recipients and webhook", async () => {
    const payments = {
      emailRecipients: ["payments@example.com"],
      teamsWebhookUrl: "https://teams.example.invalid/hook/payments",
    };
    const { notifier, email, teams } = setup({
      routing: {
        defaultRoute: { emailRecipients: ["oncall@example.com"], teamsWebhookUrl: DEFAULT_HOOK },
        services: { payments, search: { emailRecipients: [] } },
      },
      flood: { ratePerMinute: 1, burst: 1 },
      now: () => 0,
    });
    for (const service of ["payments", "api", "search"])
      for (const templateId of ["a", "b", "c"])
        await notifier.notifyClassified(classifiedEvent({ service, templateId }));
    await notifier.flush();
    const routesOf = (channel: RecordingChannel) =>
      channel.delivered
        .map((d) => {
          const n = d.notification;
          const what = n.type === "alert" ? n.alert.key : n.alerts.map((a) => a.key).join(" ");
          return `${what} → ${d.route.emailRecipients.join(",")} ${d.route.teamsWebhookUrl}`;
        })
        .sort();
    const to = {
      payments: `payments@example.com ${payments.teamsWebhookUrl}`,
      default: `oncall@example.com ${DEFAULT_HOOK}`,
      search: ` ${DEFAULT_HOOK}`,
    };
    assert.deepEqual(routesOf(email), [
      `incident:api:a → ${to.default}`,
      `incident:api:b incident:api:c → ${to.default}`,
      `incident:payments:a → ${to.payments}`,
      `incident:payments:b incident:payments:c → ${to.payments}`,
    ]);
    // search has no e-mail; its Teams alerts use the default webhook but keep their own digest.
    assert.deepEqual(routesOf(teams), [
      `incident:api:a → ${to.default}`,
      `incident:api:b incident:api:c → ${to.default}`,
      `incident:payments:a → ${to.payments}`,
      `incident:payments:b incident:payments:c → ${to.payments}`,
      `incident:search:a → ${to.search}`,
      `incident:search:b incident:search:c → ${to.search}`,
    ]);
  });

  it("folds a redelivered alert that already waits in a digest only once", async () => {
    const { notifier, teams } = setup({ flood: { ratePerMinute: 1, burst: 1 }, now: () => 0 });
    await notifier.notifyClassified(classifiedEvent({ templateId: "a" }));
    for (const templateId of ["b", "c", "b"])
      await notifier.notifyClassified(classifiedEvent({ templateId }));
    await notifier.flush();
    assert.deepEqual(teams.deliveredKeys(), ["incident:api:a", "incident:api:b", "incident:api:c"]);
  });

  it("does not suppress the retry of a failed send, and dead-letters the failure with the reason", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sentinel-notifier-"));
    const deadLetters = new JsonlDeadLetterFile(join(dir, "dead.jsonl"));
    const { notifier, email, teams, count, metrics } = setup({ deadLetters });
    teams.failAlways(new DeliveryError("webhook gone (404)", { retryable: false, status: 404 }));
    const event = classifiedEvent({ at: 0 });
    const first = await notifier.notifyClassified(event);
    await notifier.flush();
    assert.deepEqual((await first.done).outcomes, { email: "sent", teams: "dead-lettered" });
    assert.equal(teams.attempts.length, 1, "a permanent failure is not retried");
    const [letter] = (await readFile(deadLetters.path, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as NotificationDeadLetter);
    assert.equal(letter?.channel, "teams");
    assert.equal(letter?.retryable, false);
    assert.match(
      letter?.reason ?? "",
      /teams delivery failed after 1 attempt: webhook gone \(404\)/,
    );
    assert.equal(alertOf(letter?.notification).key, "incident:api:t1");
    assert.equal(await count("teams", "failed"), 1);
    const dead = (await metrics.deadLetters.get()).values.find(
      (v) => v.labels.stage === "notifier",
    );
    assert.equal(dead?.value, 1);

    // The redelivered record: Teams is tried again (not suppressed), e-mail knows it sent it.
    teams.recover();
    const retry = await notifier.notifyClassified(event);
    await notifier.flush();
    assert.deepEqual((await retry.done).outcomes, { email: "duplicate", teams: "sent" });
    assert.equal(email.delivered.length, 1);
    assert.equal(teams.delivered.length, 1);
    await rm(dir, { recursive: true, force: true });
  });

  it("retries a retryable failure with backoff, honouring Retry-After", async () => {
    const { notifier, teams } = setup({ retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 } });
    teams.failNext(
      new DeliveryError("throttled (429)", { retryable: true, retryAfterMs: 80, status: 429 }),
      new DeliveryError("bad gateway (502)", { retryable: true, status: 502 }),
    );
    const ticket = await notifier.notifyClassified(classifiedEvent());
    await notifier.flush();
    assert.deepEqual((await ticket.done).outcomes, { email: "sent", teams: "sent" });
    assert.equal(teams.attempts.length, 3);
    const [a, b] = teams.attempts;
    assert.ok((b?.at ?? 0) - (a?.at ?? 0) >= 75, "waited for Retry-After before the second try");
  });

  it("never lets a failing channel block the other", async () => {
    const { notifier, email, teams } = setup();
    teams.hold(); // Teams hangs, as on a connection that never answers
    for (const templateId of ["a", "b", "c"])
      await notifier.notifyClassified(classifiedEvent({ templateId }));
    await until(() => email.delivered.length === 3, "e-mail deliveries");
    assert.equal(teams.delivered.length, 0);
    teams.release();
    await notifier.flush();
    assert.deepEqual(teams.deliveredKeys().sort(), [
      "incident:api:a",
      "incident:api:b",
      "incident:api:c",
    ]);
  });

  it("gives up after the last retry and still delivers on the healthy channel", async () => {
    const { notifier, email, teams, letters } = setup();
    teams.failAlways(new DeliveryError("unavailable (503)", { retryable: true, status: 503 }));
    const ticket = await notifier.notifyClassified(classifiedEvent());
    await notifier.flush();
    assert.deepEqual((await ticket.done).outcomes, { email: "sent", teams: "dead-lettered" });
    assert.equal(teams.attempts.length, 3);
    assert.equal(email.delivered.length, 1);
    assert.equal(letters[0]?.retryable, true);
    assert.equal(letters[0]?.attempts, 3);
  });

  it("writes one dead letter per alert of a failed digest", async () => {
    const { notifier, teams, letters } = setup({
      flood: { ratePerMinute: 1, burst: 1 },
      now: () => 0,
    });
    teams.failAlways(new DeliveryError("forbidden (403)", { retryable: false, status: 403 }));
    for (const templateId of ["a", "b", "c", "d"])
      await notifier.notifyClassified(classifiedEvent({ templateId }));
    await notifier.flush();
    const digestLetters = letters.filter((l) => l.digest);
    assert.deepEqual(
      digestLetters.map((l) => alertOf(l.notification).key),
      ["incident:api:b", "incident:api:c", "incident:api:d"],
    );
    assert.equal(digestLetters[0]?.digest?.total, 3);
    // Released: once Teams works again, the same alerts go out.
    teams.recover();
    const retry = await notifier.notifyClassified(classifiedEvent({ templateId: "c" }));
    await notifier.flush();
    assert.equal((await retry.done).outcomes.teams, "sent");
  });

  it("rejects the ticket when the dead-letter sink fails, and the retry is then sent", async () => {
    let failWrites = true;
    const written: NotificationDeadLetter[] = [];
    const deadLetters: NotificationDeadLetterSink = {
      write: async (batch) => {
        if (failWrites) throw new Error("dead-letter topic unavailable");
        written.push(...batch);
      },
    };
    const { notifier, teams } = setup({ deadLetters });
    teams.failNext(new DeliveryError("bad request (400)", { retryable: false, status: 400 }));
    const ticket = await notifier.notifyClassified(classifiedEvent());
    await notifier.flush();
    await assert.rejects(ticket.done, /dead-letter topic unavailable/);
    failWrites = false;
    const retry = await notifier.notifyClassified(classifiedEvent());
    await notifier.flush();
    assert.deepEqual((await retry.done).outcomes, { email: "duplicate", teams: "sent" });
  });
});
