import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { type Kafka, Kafka as KafkaClient, logLevel } from "kafkajs";
import {
  KafkaDeadLetterSink,
  type NotificationDeadLetter,
} from "../../core/alerting/deadLetters.js";
import { GroupClock } from "../../core/alerting/grouping/groupClock.js";
import { DEFAULT_GROUP_SETTINGS } from "../../core/alerting/grouping/testing/settings.js";
import { Notifier } from "../../core/alerting/notifier.js";
import { RecordingChannel } from "../../core/alerting/testing/recordingChannel.js";
import { DeliveryError } from "../../core/alerting/types.js";
import { DynamoGroupStore, GROUP_PK } from "../../core/dynamodb/groupStore.js";
import { type LocalDynamo, startDynalite } from "../../core/dynamodb/testing/dynalite.js";
import {
  SMTP_TEST_CREDENTIALS,
  smtpEnv,
  startSmtp,
  type TestSmtp,
} from "../../core/email/testing/smtpServer.js";
import { scheduledEvent } from "../../core/eventbridge/scheduledEvent.js";
import { anomaly, classifiedEvent } from "../../core/events/testing/fixtures.js";
import type { DeadLetter } from "../../core/kafka/deadLetter.js";
import { encodeMskEvent, type KafkaRecord } from "../../core/kafka/msk/index.js";
import {
  type FakeMskControlPlane,
  startFakeMskControlPlane,
} from "../../core/kafka/msk/testing/fakeMskControlPlane.js";
import { DurableProducer } from "../../core/kafka/producer.js";
import { closeSharedProducer } from "../../core/kafka/sharedProducer.js";
import { type MockCluster, startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import { jsonValues, readTopic } from "../../core/kafka/testing/readTopic.js";
import { PipelineMetrics } from "../../core/metrics/catalog.js";
import {
  type PromSample,
  startVictoriaMetrics,
  type VictoriaMetrics,
} from "../../core/metrics/testing/victoriaMetrics.js";
import {
  type FakeSecretsManager,
  startFakeSecretsManager,
} from "../../core/secrets/testing/fakeSecretsManager.js";
import { startWebhook, type TestWebhook } from "../../core/teams/testing/webhook.js";
import { createNotifierHandler, handler } from "./notifier.js";

// DynamoDB through dynalite, the dead-letter topic through librdkafka's mock cluster, the channels
// recording what they are asked to deliver.
const TOPICS = { classified: "classified-logs", anomalies: "anomalies" };
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const SETTINGS = DEFAULT_GROUP_SETTINGS;
let dynamo: LocalDynamo;
let cluster: MockCluster;
let kafka: Kafka;
let producer: DurableProducer;
let deadLetterTopics = 0;

before(async () => {
  dynamo = await startDynalite();
  cluster = await startMockCluster({ brokers: 1 });
  kafka = new KafkaClient({
    clientId: "notifier-test",
    brokers: cluster.bootstrapServers,
    logLevel: logLevel.NOTHING,
  });
  producer = new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 900_000 });
  await producer.connect();
});

after(async () => {
  // KafkaJS clients leave before the cluster stops (see core/kafka/testing/mockCluster.ts).
  await producer?.disconnect();
  await cluster?.stop();
  await dynamo?.stop();
});

/** Wall time the test moves; it starts a day after the events (they are in the past). */
type Wall = { now: number };

async function lambda(options: { tableName?: string; deadLetterTopic?: string; wall?: Wall } = {}) {
  const email = new RecordingChannel("email");
  const teams = new RecordingChannel("teams");
  const wall = options.wall ?? { now: T0 + 24 * 60 * MINUTE };
  const deadLetterTopic = options.deadLetterTopic ?? `dead-letter-${++deadLetterTopics}`;
  if (!options.deadLetterTopic) await cluster.createTopic(deadLetterTopic, 1, 1);
  const notifier = new Notifier({
    channels: [email, teams],
    groups: new DynamoGroupStore({
      client: dynamo.client,
      tableName: options.tableName ?? (await dynamo.createStateTable()),
      now: () => wall.now,
    }),
    deadLetters: new KafkaDeadLetterSink(producer, deadLetterTopic),
    rules: { sendPreventiveEmails: false, minConfidence: 0, anomalyThreshold: 0.7 },
    routing: {
      defaultRoute: {
        emailRecipients: ["oncall@example.com"],
        teamsWebhookUrl: "https://teams.example.invalid/hook/default",
      },
    },
    grouping: { settings: SETTINGS, groupBy: ["service"] },
    flood: { ratePerMinute: 10, burst: 20 },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    random: () => 0,
    clock: new GroupClock({ followWall: true, wall: () => wall.now }),
    tickIntervalMs: 0,
    metrics: new PipelineMetrics(),
  });
  const metrics = new PipelineMetrics();
  const handler = createNotifierHandler({
    notifier,
    topics: TOPICS,
    deadLetters: { producer, topic: deadLetterTopic },
    metrics,
  });
  /** Moves the wall clock on, as time passes between invocations. */
  const later = (ms: number) => {
    wall.now += ms;
  };
  /** The EventBridge schedule's invocation, at the wall clock's time. */
  const tick = () => handler(scheduledEvent(new Date(wall.now)));
  return { handler, email, teams, deadLetterTopic, metrics, later, tick };
}

function record(topic: string, offset: number, value: unknown, partition = 0): KafkaRecord {
  return {
    topic,
    partition,
    offset: String(offset),
    timestamp: T0,
    timestampType: "CREATE_TIME",
    key: Buffer.from("api"),
    value: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)),
    headers: {},
  };
}

describe("notifier Lambda", () => {
  it("groups alerts per the rules, and dead-letters poison records and undeliverable notifications", async () => {
    const { handler, email, teams, deadLetterTopic, metrics } = await lambda();
    teams.failAlways(new DeliveryError("webhook gone (404)", { retryable: false, status: 404 }));
    const event = encodeMskEvent([
      record(TOPICS.anomalies, 0, anomaly({ at: 0.2 })),
      record(TOPICS.anomalies, 1, { id: "half an anomaly" }),
      record(TOPICS.classified, 0, classifiedEvent({ at: 0 })),
      record(TOPICS.classified, 1, classifiedEvent({ at: 0.1 })),
      // Matches no rule, but moves the group clock past the wait: the group goes out now.
      record(TOPICS.classified, 2, classifiedEvent({ at: 2, label: "normal", templateId: "n" })),
      record(TOPICS.classified, 3, "{not json"),
    ]);
    assert.deepEqual(await handler(event), { batchItemFailures: [] });
    const [notification, ...more] = email.deliveredFor("email|default|service=api");
    assert.deepEqual(more, [], "one notification for the group");
    assert.equal(notification?.reason, "firing");
    assert.equal(notification?.urgent, true);
    assert.deepEqual(
      notification?.alerts.map((a) => [a.key, a.count]),
      [
        ["anomaly:api:incident_rate", 1],
        ["incident:api:t1", 2],
      ],
    );
    assert.equal(email.delivered.length, 1);
    assert.equal(teams.delivered.length, 0);

    // The topic holds both shapes: undecodable records and undeliverable notifications.
    type Letter = { stage: string } & Omit<DeadLetter, "stage"> &
      Omit<NotificationDeadLetter, "stage">;
    const letters = jsonValues<Letter>(await readTopic(kafka, deadLetterTopic, 3));
    const decodeFailures = letters.filter((l) => l.stage === "notifier-decode");
    assert.deepEqual(decodeFailures.map((l) => [l.source.topic, l.source.offset]).sort(), [
      [TOPICS.anomalies, "1"],
      [TOPICS.classified, "3"],
    ]);
    assert.match(
      decodeFailures.find((l) => l.source.topic === TOPICS.classified)?.reason ?? "",
      /^not JSON/,
    );
    assert.equal(Buffer.from(decodeFailures[0]?.value ?? "", "base64").length > 0, true);
    // Counted under the reasons every consumer uses (core/kafka/decodeRecord.ts).
    const counted = (await metrics.deadLetters.get()).values;
    assert.deepEqual(counted.map((v) => [v.labels.stage, v.labels.reason, v.value]).sort(), [
      ["notifier-decode", "does_not_match_the_contract", 1],
      ["notifier-decode", "not_json", 1],
    ]);
    const undelivered = letters.filter((l) => l.stage === "notifier");
    assert.deepEqual(
      undelivered.map((l) => [
        l.channel,
        l.notification.groupId,
        l.notification.reason,
        l.notification.alerts.map((a) => [a.key, a.count]),
      ]),
      [
        [
          "teams",
          "teams|default|service=api",
          "firing",
          [
            ["anomaly:api:incident_rate", 1],
            ["incident:api:t1", 2],
          ],
        ],
      ],
    );
    assert.match(
      undelivered[0]?.reason ?? "",
      /teams delivery failed after 1 attempt: webhook gone \(404\)/,
    );
  });

  it("sends the group whose delivery failed again after its interval, and not twice to the channel that worked", async () => {
    const tableName = await dynamo.createStateTable();
    const { handler, email, teams, later, tick } = await lambda({ tableName });
    teams.failAlways(new DeliveryError("unavailable (503)", { retryable: true, status: 503 }));
    const event = encodeMskEvent([
      record(TOPICS.classified, 0, classifiedEvent({ at: 0 })),
      record(TOPICS.classified, 1, classifiedEvent({ at: 1, label: "normal", templateId: "n" })),
    ]);
    assert.deepEqual(await handler(event), { batchItemFailures: [] });
    assert.equal(email.delivered.length, 1);
    assert.equal(teams.attempts.length, 2, "retried, then dead-lettered");
    teams.recover();
    // The mapping delivers the batch again: the alert is in its groups already.
    assert.deepEqual(await handler(event), { batchItemFailures: [] });
    assert.equal(teams.delivered.length, 0, "the failed group waits for its interval");
    later(5 * MINUTE);
    assert.deepEqual(await tick(), { batchItemFailures: [] });
    assert.equal(email.delivered.length, 1);
    assert.deepEqual(
      teams.delivered.map(({ notification: n }) => [n.reason, n.sequence, n.alerts[0]?.count]),
      [["update", 2, 1]],
    );
    assert.equal(teams.attempts.length, 3);
  });

  it("lets only one of two Lambdas racing over the same records send each group's notification", async () => {
    const tableName = await dynamo.createStateTable();
    const wall = { now: T0 + 24 * 60 * MINUTE };
    const racers = [await lambda({ tableName, wall }), await lambda({ tableName, wall })];
    const records = Array.from({ length: 10 }, (_, i) =>
      record(TOPICS.classified, i, classifiedEvent({ templateId: `t${i % 5}`, at: i / 60 })),
    );
    records.push(
      record(TOPICS.classified, 10, classifiedEvent({ at: 1, label: "normal", templateId: "n" })),
    );
    const responses = await Promise.all(racers.map((r) => r.handler(encodeMskEvent(records))));
    // A record whose group state could not be written in time comes again, as the mapping would
    // redeliver it: it is counted once all the same.
    for (const [i, response] of responses.entries()) {
      const offsets = new Set(
        response.batchItemFailures.map((f) => String(f.itemIdentifier.offset)),
      );
      const again = records.filter((r) => offsets.has(r.offset));
      if (again.length > 0)
        assert.deepEqual(await racers[i]?.handler(encodeMskEvent(again)), {
          batchItemFailures: [],
        });
    }
    for (const channel of ["email", "teams"] as const) {
      const delivered = racers.flatMap((r) => r[channel].delivered.map((d) => d.notification));
      assert.equal(delivered.length, 1, `${channel}: one notification between both`);
      assert.deepEqual(
        delivered[0]?.alerts.map((a) => [a.key, a.count]).sort(),
        [0, 1, 2, 3, 4].map((t) => [`incident:api:t${t}`, 2]),
      );
      assert.equal(delivered[0]?.total, 10, "no alert counted twice");
    }
  });

  it("reports the records whose group state could not be written, so they come again", async () => {
    const { handler, email } = await lambda({ tableName: "no-such-table" });
    const event = encodeMskEvent([
      record(TOPICS.classified, 7, classifiedEvent({ at: 0 })),
      record(TOPICS.classified, 8, classifiedEvent({ label: "normal", templateId: "n" })),
      record(TOPICS.classified, 9, classifiedEvent({ templateId: "t2" }), 1),
    ]);
    const response = await handler(event);
    assert.deepEqual(
      response.batchItemFailures.map((f) => f.itemIdentifier),
      [
        { partition: "classified-logs-0", offset: 7 },
        { partition: "classified-logs-1", offset: 9 },
      ],
    );
    assert.equal(email.delivered.length, 0);
  });

  it("sends a group whose wait ended after the last batch on the scheduled invocation, never early", async () => {
    const { handler, email, teams, later, tick } = await lambda();
    const event = encodeMskEvent([
      record(TOPICS.classified, 0, classifiedEvent({ at: 0 })),
      record(TOPICS.classified, 1, classifiedEvent({ at: 0.1, templateId: "t2" })),
    ]);
    assert.deepEqual(await handler(event), { batchItemFailures: [] });
    assert.equal(email.delivered.length + teams.delivered.length, 0, "the wait has not ended");
    later(10_000);
    assert.deepEqual(await tick(), { batchItemFailures: [] });
    assert.equal(email.delivered.length + teams.delivered.length, 0, "still waiting");
    later(20_000);
    assert.deepEqual(await tick(), { batchItemFailures: [] });
    for (const channel of [email, teams]) {
      assert.deepEqual(
        channel.delivered.map(({ notification: n }) => [
          n.groupId,
          n.reason,
          n.alerts.map((a) => [a.key, a.count]),
        ]),
        [
          [
            `${channel.channel}|default|service=api`,
            "firing",
            [
              ["incident:api:t1", 1],
              ["incident:api:t2", 1],
            ],
          ],
        ],
      );
    }
    assert.deepEqual(await tick(), { batchItemFailures: [] });
    assert.equal(email.delivered.length + teams.delivered.length, 2, "sent once");
  });
});

// The exported `handler`, as Lambda calls it: configured only by environment variables, with
// e-mail through a real SMTP server (smtp-server on loopback), Teams through a local webhook,
// group state in DynamoDB (dynalite), dead letters on the mock cluster's topic, and its metrics
// pushed at the end of each invocation to a real VictoriaMetrics, as in AWS. As deployed, the SMTP
// credentials and the webhook URL are Secrets Manager secrets and the brokers come from the MSK
// cluster's ARN: the real SDK clients ask stand-ins of those control planes on loopback.
describe("the notifier Lambda's entry point, wired from the environment", () => {
  const ENTRY_TOPICS = {
    classified: "classified-logs-entry",
    anomalies: "anomalies-entry",
    deadLetter: "dead-letter-entry",
  };
  const RECIPIENTS = ["oncall@example.com", "sre@example.com"];
  let smtp: TestSmtp;
  let webhook: TestWebhook;
  let vm: VictoriaMetrics;
  let table: string;
  let secrets: FakeSecretsManager;
  let msk: FakeMskControlPlane;

  before(async () => {
    [smtp, webhook, vm, table, secrets, msk] = await Promise.all([
      startSmtp(),
      startWebhook(),
      startVictoriaMetrics(),
      dynamo.createStateTable(),
      startFakeSecretsManager(),
      startFakeMskControlPlane(),
      cluster.createTopic(ENTRY_TOPICS.deadLetter, 1, 1),
    ]);
    const { SMTP_USERNAME: _, SMTP_PASSWORD: __, ...smtpServer } = smtpEnv(smtp, RECIPIENTS);
    Object.assign(process.env, {
      // What the Lambda runtime sets: metrics are then pushed per invocation, not on a timer.
      AWS_LAMBDA_FUNCTION_NAME: "sentinel-notifier",
      AWS_LAMBDA_LOG_STREAM_NAME: "2026/01/01/[$LATEST]0123456789abcdef",
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      SENTINEL_STATE_TABLE: table,
      AWS_ENDPOINT_URL_KAFKA: msk.endpoint,
      MSK_CLUSTER_ARN: msk.addCluster("sentinel", {
        BootstrapBrokerString: cluster.bootstrapServers.join(","),
      }),
      KAFKA_TOPIC_CLASSIFIED: ENTRY_TOPICS.classified,
      KAFKA_TOPIC_ANOMALIES: ENTRY_TOPICS.anomalies,
      KAFKA_TOPIC_DEAD_LETTER: ENTRY_TOPICS.deadLetter,
      ...smtpServer,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      SMTP_CREDENTIALS_SECRET_ARN: secrets.putSecret(
        "sentinel/smtp",
        JSON.stringify({
          username: SMTP_TEST_CREDENTIALS.user,
          password: SMTP_TEST_CREDENTIALS.pass,
        }),
      ),
      TEAMS_WEBHOOK_URL_SECRET_ARN: secrets.putSecret("sentinel/teams", webhook.url),
      DEDUP_WINDOW_MINUTES: "30",
      VICTORIA_METRICS_URL: vm.url,
      SENTINEL_LOG_LEVEL: "silent",
      SENTINEL_ENV_FILE: "",
    });
  });

  after(async () => {
    await closeSharedProducer();
    await Promise.all([smtp?.close(), webhook?.stop(), vm?.stop(), secrets?.stop(), msk?.stop()]);
  });

  /** The value of each series of `promql` pushed by this function, by the label `by`. */
  async function pushed(promql: string, by: string): Promise<Record<string, number>> {
    await vm.forceFlush();
    const { result } = await vm.query(promql);
    return Object.fromEntries(
      (result as PromSample[]).map((s) => [s.metric[by] ?? "", Number(s.value[1])]),
    );
  }

  it("sends each group once by e-mail and Teams, dead-letters and counts malformed records, and keeps group state in DynamoDB", async () => {
    const message = "payment gateway timed out after 30000 ms (order 81723)";
    const incident = classifiedEvent({ service: "checkout", templateId: "t-pay", at: 0, message });
    const first = encodeMskEvent([
      record(ENTRY_TOPICS.classified, 0, incident),
      // The same template seconds later, and an anomaly: the same group.
      record(
        ENTRY_TOPICS.classified,
        1,
        classifiedEvent({ service: "checkout", templateId: "t-pay", at: 0.1, message }),
      ),
      record(ENTRY_TOPICS.classified, 2, "{not json"),
      record(ENTRY_TOPICS.anomalies, 0, anomaly({ service: "checkout", at: 0.2 })),
      record(ENTRY_TOPICS.anomalies, 1, { id: "half an anomaly" }),
      // A line a minute later, past the group wait (ALERT_GROUP_WAIT_SECONDS, 30 by default).
      record(
        ENTRY_TOPICS.classified,
        3,
        classifiedEvent({ service: "checkout", label: "normal", templateId: "ok", at: 1 }),
      ),
    ]);
    assert.deepEqual(await handler(first), { batchItemFailures: [] });

    // E-mail: one message for the group, to every recipient, over the authenticated SMTP session.
    assert.ok(smtp.authMethods.length > 0);
    assert.ok(smtp.authMethods.every((method) => method === "PLAIN"));
    assert.equal(smtp.messages.length, 1);
    const [mail] = smtp.messages;
    assert.equal(mail?.headers.get("x-sentinel-group"), "email|default|service=checkout");
    assert.equal(mail?.headers.get("x-sentinel-reason"), "firing");
    assert.equal(mail?.headers.get("x-sentinel-alert-count"), "3");
    assert.match(mail?.subject ?? "", /^\[SentinelLLM\] ANOMALY .*checkout/);
    assert.equal(mail?.from?.text, "sentinel@example.com");
    assert.deepEqual(
      [mail?.to].flat().flatMap((to) => to?.value.map((a) => a.address) ?? []),
      RECIPIENTS,
    );
    assert.match(mail?.text ?? "", /payment gateway timed out after 30000 ms \(order 81723\)/);
    assert.match(String(mail?.html), /payment gateway timed out/);

    // Teams: the same group, posted once to the configured webhook.
    assert.equal(webhook.received.length, 1);
    assert.equal(webhook.received[0]?.method, "POST");
    assert.match(webhook.received[0]?.body ?? "", /payment gateway timed out/);

    // The malformed records are on the dead-letter topic with their source and reason.
    const letters = jsonValues<DeadLetter>(await readTopic(kafka, ENTRY_TOPICS.deadLetter, 2));
    assert.deepEqual(letters.map((l) => [l.stage, l.source.topic, l.source.offset]).sort(), [
      ["notifier-decode", ENTRY_TOPICS.anomalies, "1"],
      ["notifier-decode", ENTRY_TOPICS.classified, "2"],
    ]);

    // Later: a new occurrence of the same template and the first record redelivered. Neither
    // is news, so nothing is sent: the groups written by the first invocation are in DynamoDB,
    // and the redelivered record is not counted again.
    const second = encodeMskEvent([
      record(
        ENTRY_TOPICS.classified,
        4,
        classifiedEvent({ service: "checkout", templateId: "t-pay", at: 5, message }),
      ),
      record(ENTRY_TOPICS.classified, 0, incident),
    ]);
    assert.deepEqual(await handler(second), { batchItemFailures: [] });
    assert.equal(smtp.messages.length, 1);
    assert.equal(webhook.received.length, 1);
    // Each secret and the brokers were asked for once, not once per invocation.
    assert.equal(secrets.requests.length, 2);
    assert.equal(msk.requests.length, 1);
    const items = await dynamo.client.send(new ScanCommand({ TableName: table }));
    assert.deepEqual(
      (items.Items ?? [])
        .filter((item) => item.pk?.S === GROUP_PK)
        .map((item) => item.sk?.S)
        .sort(),
      ["email|default|service=checkout", "teams|default|service=checkout"],
    );
    const groups = await new DynamoGroupStore({ client: dynamo.client, tableName: table }).list();
    for (const group of groups) {
      assert.equal(group.sent, 1, group.id);
      assert.deepEqual(
        group.items.map((item) => [item.key, item.count]).sort(),
        [
          ["anomaly:checkout:incident_rate", 1],
          ["incident:checkout:t-pay", 3],
        ],
        group.id,
      );
    }

    // Counted, and pushed to the metrics store by the end of each invocation.
    assert.deepEqual(
      await pushed('sentinel_dead_letters_total{job="notifier",stage="notifier-decode"}', "reason"),
      { not_json: 1, does_not_match_the_contract: 1 },
    );
    assert.deepEqual(
      await pushed('sentinel_alerts_total{job="notifier",outcome="sent"}', "channel"),
      { email: 1, teams: 1 },
    );
  });
});
