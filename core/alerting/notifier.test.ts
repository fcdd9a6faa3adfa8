import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { WouldAlert } from "../../cli/pipeline/wouldAlert.js";
import { DynamoGroupStore } from "../dynamodb/groupStore.js";
import { type LocalDynamo, startDynalite } from "../dynamodb/testing/dynalite.js";
import { anomaly, classifiedEvent } from "../events/testing/fixtures.js";
import type { ClassifiedEvent, Label } from "../events/types.js";
import { PipelineMetrics } from "../metrics/catalog.js";
import { JsonlDeadLetterFile, type NotificationDeadLetter } from "./deadLetters.js";
import { GroupClock } from "./grouping/groupClock.js";
import { type GroupStore, MemoryGroupStore } from "./grouping/groupStore.js";
import { DEFAULT_GROUP_SETTINGS } from "./grouping/testing/settings.js";
import { Notifier, type NotifierOptions } from "./notifier.js";
import { RecordingChannel } from "./testing/recordingChannel.js";
import { DeliveryError } from "./types.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const DEFAULT_HOOK = "https://teams.example.invalid/hook/default";
const SETTINGS = DEFAULT_GROUP_SETTINGS;
const RULES = { sendPreventiveEmails: false, minConfidence: 0, anomalyThreshold: 0.7 };

/** A notifier on a wall clock the test moves (`later`), delivering to recording channels. */
function setup(overrides: Partial<NotifierOptions> = {}) {
  const email = new RecordingChannel("email");
  const teams = new RecordingChannel("teams");
  const metrics = new PipelineMetrics();
  const letters: NotificationDeadLetter[] = [];
  // Events are in the past, as a backlog or a stream with some delay: wall time is ahead.
  let wall = T0 + 24 * 60 * MINUTE;
  const notifier = new Notifier({
    channels: [email, teams],
    groups: new MemoryGroupStore(),
    deadLetters: { write: async (batch) => void letters.push(...batch) },
    rules: RULES,
    routing: {
      defaultRoute: { emailRecipients: ["oncall@example.com"], teamsWebhookUrl: DEFAULT_HOOK },
    },
    grouping: { settings: SETTINGS, groupBy: ["service"] },
    flood: false,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    random: () => 0,
    clock: new GroupClock({ followWall: true, wall: () => wall }),
    metrics,
    ...overrides,
  });
  const count = async (channel: string, outcome: string) =>
    (await metrics.alerts.get()).values.find(
      (v) => v.labels.channel === channel && v.labels.outcome === outcome,
    )?.value ?? 0;
  /** Moves the wall clock on, as time passes without records. */
  const later = (ms: number) => {
    wall += ms;
  };
  return { notifier, email, teams, letters, metrics, count, later };
}

function event(
  at: number,
  template: string,
  options: { label?: Label; service?: string; id?: string } = {},
): ClassifiedEvent {
  const e = classifiedEvent({
    label: options.label ?? "incident",
    at,
    templateId: template.replace(/\W+/g, "-"),
    message: template.replaceAll("<*>", "7"),
    ...(options.service && { service: options.service }),
    ...(options.id && { id: options.id }),
  });
  e.classification.template = template;
  return e;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe("Notifier", () => {
  it("sends a burst as one notification per channel once the group wait ends, with no further record", async () => {
    const { notifier, email, teams, later, count } = setup({ tickIntervalMs: 5 });
    for (let i = 0; i < 20; i++)
      await notifier.notifyClassified(event(i / 100, "disk full on <*>", { id: `d${i}` }));
    await notifier.notifyClassified(event(0.2, "connection refused to <*>"));
    await sleep(30);
    assert.equal(email.delivered.length + teams.delivered.length, 0, "the wait has not ended");
    later(31_000);
    await until(() => email.delivered.length === 1 && teams.delivered.length === 1, "the timer");
    const [notification] = email.deliveredFor("email|default|service=api");
    assert.equal(notification?.reason, "firing");
    assert.deepEqual(
      notification?.alerts.map((a) => a.count),
      [20, 1],
    );
    assert.equal(await count("email", "sent"), 1);
    await notifier.close();
  });

  it("routes by the rules and ALERT_ROUTES: preventive actions to Teams, each route its own group", async () => {
    const { notifier, email, teams, later } = setup({
      rules: { sendPreventiveEmails: false, minConfidence: 0.6, anomalyThreshold: 0.8 },
      routing: {
        defaultRoute: { emailRecipients: ["oncall@example.com"], teamsWebhookUrl: DEFAULT_HOOK },
        services: { payments: { emailRecipients: ["pay@example.com"] } },
      },
    });
    await notifier.notifyClassified(event(0, "retrying <*>", { label: "preventive_action" }));
    await notifier.notifyClassified(event(0, "all good", { label: "normal" }));
    const unsure = event(0, "unsure about <*>");
    unsure.classification.confidence = 0.5;
    await notifier.notifyClassified(unsure);
    await notifier.notifyAnomaly(anomaly({ at: 0, score: 0.79, kind: "low" }));
    await notifier.notifyClassified(event(0, "card declined <*>", { service: "payments" }));
    later(31_000);
    await notifier.flush();
    assert.deepEqual(email.deliveredKeys(), ["incident:payments:card-declined-"]);
    assert.deepEqual(email.delivered[0]?.route.emailRecipients, ["pay@example.com"]);
    assert.deepEqual(teams.deliveredKeys().sort(), [
      "incident:payments:card-declined-",
      "preventive_action:api:retrying-",
    ]);
    assert.deepEqual(teams.delivered.map((d) => d.notification.groupId).sort(), [
      "teams|default|service=api",
      "teams|service:payments|service=payments",
    ]);
  });

  it("sends an anomaly at once and marks the notification urgent", async () => {
    const { notifier, email, later } = setup();
    await notifier.notifyClassified(event(0, "disk full on <*>"));
    later(31_000);
    await notifier.flush();
    await notifier.notifyAnomaly(anomaly({ at: 1, score: 0.95 }));
    await notifier.flush();
    assert.deepEqual(
      email.delivered.map((d) => [d.notification.reason, d.notification.urgent]),
      [
        ["firing", false],
        ["update", true],
      ],
    );
  });

  it("sends what `sentinel analyze` says it would, even when a send is still in flight", async () => {
    // One incident three times, 30 minutes apart, read in one go (a backlog, --from-start).
    const events = [0, 30, 60].map((at) => event(at, "disk full on <*>"));
    const { notifier, teams, later } = setup();
    teams.hold();
    for (const e of events) await notifier.notifyClassified(e);
    later(31_000);
    await notifier.tick();
    teams.release();
    await notifier.flush();
    const sent = teams.delivered.map((d) => `${d.notification.reason}@${d.notification.at}`);

    const replay = new WouldAlert({
      rules: RULES,
      grouping: { settings: SETTINGS, groupBy: ["service"] },
    });
    const expected: string[] = [];
    replay.onNotification = (n) => {
      if (
        n.channel === "teams" &&
        Date.parse(n.at) <= Date.parse(events[2]?.timestamp ?? "") + 31_000
      )
        expected.push(`${n.reason}@${n.at}`);
    };
    for (const e of events) replay.classified(e);
    replay.finish();
    assert.deepEqual(sent, expected);
    assert.deepEqual(
      sent.map((s) => s.split("@")[0]),
      ["firing", "resolved", "firing", "resolved", "firing"],
    );
  });

  it("does not count a redelivered record twice", async () => {
    const { notifier, teams, later } = setup();
    const e = event(0, "disk full on <*>");
    for (let i = 0; i < 3; i++) await notifier.notifyClassified(e);
    later(31_000);
    await notifier.flush();
    assert.equal(teams.delivered[0]?.notification.alerts[0]?.count, 1);
  });

  it("retries a retryable failure with backoff, honouring Retry-After", async () => {
    const { notifier, teams, later } = setup({
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    });
    teams.failNext(
      new DeliveryError("throttled (429)", { retryable: true, retryAfterMs: 80, status: 429 }),
      new DeliveryError("bad gateway (502)", { retryable: true, status: 502 }),
    );
    await notifier.notifyClassified(event(0, "disk full on <*>"));
    later(31_000);
    await notifier.flush();
    assert.equal(teams.attempts.length, 3);
    assert.equal(teams.delivered.length, 1);
    const [a, b] = teams.attempts;
    assert.ok((b?.at ?? 0) - (a?.at ?? 0) >= 75, "waited for Retry-After before the second try");
  });

  it("never lets a hanging channel hold up the other", async () => {
    const { notifier, email, teams, later } = setup();
    teams.hold();
    for (const service of ["a", "b", "c"])
      await notifier.notifyClassified(event(0, "disk full on <*>", { service }));
    later(31_000);
    void notifier.tick();
    await until(() => email.delivered.length === 3, "e-mail deliveries");
    assert.equal(teams.delivered.length, 0);
    teams.release();
    await notifier.flush();
    assert.equal(teams.delivered.length, 3);
  });

  it("dead-letters a notification after the last retry, with the reason, and sends the group again after its interval", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sentinel-notifier-"));
    const deadLetters = new JsonlDeadLetterFile(join(dir, "dead.jsonl"));
    const { notifier, email, teams, count, metrics, later } = setup({ deadLetters });
    teams.failAlways(new DeliveryError("webhook gone (404)", { retryable: false, status: 404 }));
    await notifier.notifyClassified(event(0, "disk full on <*>"));
    later(31_000);
    await notifier.flush();
    assert.equal(teams.attempts.length, 1, "a permanent failure is not retried");
    assert.equal(email.delivered.length, 1, "the healthy channel delivered");
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
    assert.equal(letter?.notification.groupId, "teams|default|service=api");
    assert.equal(await count("teams", "failed"), 1);
    const dead = (await metrics.deadLetters.get()).values.find(
      (v) => v.labels.stage === "notifier",
    );
    assert.equal(dead?.value, 1);

    // Nothing is lost: once Teams works again the group goes out after its interval.
    teams.recover();
    await notifier.notifyClassified(event(1, "disk full on <*>"));
    later(5 * MINUTE);
    await notifier.flush();
    assert.equal(teams.delivered.length, 1);
    // The first one is in the dead letters; this one follows it up with everything the group holds.
    assert.equal(teams.delivered[0]?.notification.reason, "update");
    assert.equal(teams.delivered[0]?.notification.alerts[0]?.count, 2);
    await rm(dir, { recursive: true, force: true });
  });

  it("rejects the ticket when the group state cannot be written, so the input is retried", async () => {
    const broken: GroupStore = {
      update: async () => {
        throw new Error("state table unavailable");
      },
      list: async () => [],
    };
    const { notifier } = setup({ groups: broken });
    const ticket = await notifier.notifyClassified(event(0, "disk full on <*>"));
    await assert.rejects(ticket.done, /state table unavailable/);
  });

  it("holds a storm of groups to the flood limit and loses none", async () => {
    const { notifier, teams, later } = setup({ flood: { ratePerMinute: 6, burst: 2 } });
    for (let i = 0; i < 8; i++)
      await notifier.notifyClassified(event(0, "disk full on <*>", { service: `s${i}` }));
    later(31_000);
    await notifier.flush();
    assert.equal(teams.delivered.length, 2, "the burst");
    for (let second = 0; second < 60; second += 10) {
      later(10_000);
      await notifier.flush();
    }
    assert.equal(teams.delivered.length, 8, "one more every ten seconds");
    assert.equal(new Set(teams.delivered.map((d) => d.notification.groupId)).size, 8);
  });
});

describe("Notifiers racing on one DynamoDB state table", () => {
  let dynamo: LocalDynamo;
  before(async () => {
    dynamo = await startDynalite();
  });
  after(async () => {
    await dynamo?.stop();
  });

  it("send a group's notification once", async () => {
    const tableName = await dynamo.createStateTable();
    const sides = [setup(), setup()].map((side) => {
      const notifier = new Notifier({
        channels: [side.email, side.teams],
        groups: new DynamoGroupStore({ client: dynamo.client, tableName }),
        deadLetters: { write: async () => undefined },
        rules: RULES,
        routing: {
          defaultRoute: { emailRecipients: ["oncall@example.com"], teamsWebhookUrl: DEFAULT_HOOK },
        },
        grouping: { settings: SETTINGS, groupBy: ["service"] },
        flood: false,
        clock: new GroupClock({ followWall: false }),
      });
      return { ...side, notifier };
    });
    // Both get the same records (a redelivery after a timeout), then both tick at once.
    const events = Array.from({ length: 10 }, (_, i) =>
      event(i / 60, "disk full on <*>", { id: `e${i}` }),
    );
    for (const e of events)
      await Promise.all(sides.map((side) => side.notifier.notifyClassified(e)));
    const late = event(2, "heartbeat", { label: "normal" });
    for (let round = 0; round < 5; round++) {
      await Promise.all(sides.map((side) => side.notifier.notifyClassified(late)));
      await Promise.all(sides.map((side) => side.notifier.flush()));
    }
    for (const channel of ["email", "teams"] as const) {
      const delivered = sides.flatMap((side) => side[channel].delivered);
      assert.equal(delivered.length, 1, `${channel}: one notification between both`);
      assert.equal(delivered[0]?.notification.alerts[0]?.count, 10, "no alert counted twice");
    }
  });
});
