import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Kafka, Kafka as KafkaClient, logLevel } from "kafkajs";
import {
  KafkaDeadLetterSink,
  type NotificationDeadLetter,
} from "../../core/alerting/deadLetters.js";
import { Notifier } from "../../core/alerting/notifier.js";
import {
  anomaly,
  classifiedEvent,
  RecordingChannel,
} from "../../core/alerting/testing/recordingChannel.js";
import { DeliveryError } from "../../core/alerting/types.js";
import { DynamoDedupStore } from "../../core/dynamodb/dedupStore.js";
import { type LocalDynamo, startDynalite } from "../../core/dynamodb/testing/dynalite.js";
import type { DeadLetter } from "../../core/kafka/deadLetter.js";
import { encodeMskEvent, type KafkaRecord } from "../../core/kafka/msk/index.js";
import { DurableProducer } from "../../core/kafka/producer.js";
import { type MockCluster, startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import { PipelineMetrics } from "../../core/metrics/catalog.js";
import { createNotifierHandler } from "./notifier.js";

// DynamoDB through dynalite, the dead-letter topic through librdkafka's mock cluster, the channels
// recording what they are asked to deliver.
const TOPICS = { classified: "classified-logs", anomalies: "anomalies" };
const WINDOW = 10 * 60_000;
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

async function lambda(options: { tableName?: string; deadLetterTopic?: string } = {}) {
  const email = new RecordingChannel("email");
  const teams = new RecordingChannel("teams");
  const deadLetterTopic = options.deadLetterTopic ?? `dead-letter-${++deadLetterTopics}`;
  if (!options.deadLetterTopic) await cluster.createTopic(deadLetterTopic, 1, 1);
  const notifier = new Notifier({
    channels: [email, teams],
    dedup: new DynamoDedupStore({
      client: dynamo.client,
      tableName: options.tableName ?? (await dynamo.createStateTable()),
      windowMs: WINDOW,
    }),
    deadLetters: new KafkaDeadLetterSink(producer, deadLetterTopic),
    rules: { sendPreventiveEmails: false, minConfidence: 0, anomalyThreshold: 0.7 },
    routing: {
      defaultRoute: {
        emailRecipients: ["oncall@example.com"],
        teamsWebhookUrl: "https://teams.example.invalid/hook/default",
      },
    },
    flood: { ratePerMinute: 10, burst: 20 },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    metrics: new PipelineMetrics(),
  });
  const metrics = new PipelineMetrics();
  const handler = createNotifierHandler({
    notifier,
    topics: TOPICS,
    deadLetters: { producer, topic: deadLetterTopic },
    metrics,
  });
  return { handler, email, teams, deadLetterTopic, metrics };
}

function record(topic: string, offset: number, value: unknown, partition = 0): KafkaRecord {
  return {
    topic,
    partition,
    offset: String(offset),
    timestamp: Date.UTC(2026, 0, 1),
    timestampType: "CREATE_TIME",
    key: Buffer.from("api"),
    value: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)),
    headers: {},
  };
}

async function readTopic<T>(topic: string, count: number): Promise<T[]> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}`, maxWaitTimeInMs: 100 });
  const values: T[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(JSON.parse(String(message.value)) as T);
      },
    });
    const deadline = Date.now() + 30_000;
    while (values.length < count && Date.now() < deadline) await sleep(50);
  } finally {
    await consumer.disconnect();
  }
  return values;
}

describe("notifier Lambda", () => {
  it("alerts per the rules with dedup, and dead-letters poison records and undeliverable alerts", async () => {
    const { handler, email, teams, deadLetterTopic, metrics } = await lambda();
    teams.failAlways(new DeliveryError("webhook gone (404)", { retryable: false, status: 404 }));
    const event = encodeMskEvent([
      record(TOPICS.anomalies, 0, anomaly({ at: 2 })),
      record(TOPICS.anomalies, 1, { id: "half an anomaly" }),
      record(TOPICS.classified, 0, classifiedEvent({ at: 0 })),
      record(TOPICS.classified, 1, classifiedEvent({ at: 1 })),
      record(TOPICS.classified, 2, classifiedEvent({ at: 2, label: "normal", templateId: "n" })),
      record(TOPICS.classified, 3, "{not json"),
    ]);
    assert.deepEqual(await handler(event), { batchItemFailures: [] });
    assert.deepEqual(email.deliveredKeys().sort(), [
      "anomaly:api:incident_rate",
      "incident:api:t1",
    ]);
    assert.equal(teams.delivered.length, 0);

    // The topic holds both shapes: undecodable records and undeliverable notifications.
    type Letter = { stage: string } & Omit<DeadLetter, "stage"> &
      Omit<NotificationDeadLetter, "stage">;
    const letters = await readTopic<Letter>(deadLetterTopic, 5);
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
      undelivered
        .map((l) => [l.channel, l.notification.type === "alert" && l.notification.alert.key])
        .sort(),
      [
        ["teams", "anomaly:api:incident_rate"],
        // A failed send leaves nothing that suppresses the next occurrence: it is tried too.
        ["teams", "incident:api:t1"],
        ["teams", "incident:api:t1"],
      ],
    );
    assert.match(undelivered[0]?.reason ?? "", /webhook gone \(404\)/);
  });

  it("sends the redelivered batch to the channel that failed, and not twice to the one that worked", async () => {
    const tableName = await dynamo.createStateTable();
    const { handler, email, teams } = await lambda({ tableName });
    teams.failAlways(new DeliveryError("unavailable (503)", { retryable: true, status: 503 }));
    const event = encodeMskEvent([record(TOPICS.classified, 0, classifiedEvent({ at: 0 }))]);
    await handler(event);
    teams.recover();
    await handler(event);
    assert.equal(email.delivered.length, 1);
    assert.equal(teams.delivered.length, 1);
    assert.equal(teams.attempts.length, 3);
  });

  it("lets only one of two Lambdas racing over the same records send each alert", async () => {
    const tableName = await dynamo.createStateTable();
    const racers = [await lambda({ tableName }), await lambda({ tableName })];
    const records = Array.from({ length: 10 }, (_, i) =>
      record(TOPICS.classified, i, classifiedEvent({ templateId: `t${i % 5}`, at: i })),
    );
    const responses = await Promise.all(racers.map((r) => r.handler(encodeMskEvent(records))));
    // A record whose alert the other Lambda was sending comes again (as the mapping would
    // redeliver it): by then it is a duplicate.
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
      const keys = racers.flatMap((r) => r[channel].deliveredKeys());
      assert.deepEqual(keys.sort(), [
        "incident:api:t0",
        "incident:api:t1",
        "incident:api:t2",
        "incident:api:t3",
        "incident:api:t4",
      ]);
    }
  });

  it("reports the records whose dedup state could not be written, so they come again", async () => {
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
});
