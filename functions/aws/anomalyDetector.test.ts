import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Consumer, type Kafka, Kafka as KafkaClient, logLevel } from "kafkajs";
import { Registry } from "prom-client";
import { retentionMs } from "../../core/detection/detector.js";
import { DEFAULT_DETECTOR_SETTINGS } from "../../core/detection/settings.js";
import { eventsFor, MINUTE, T0 } from "../../core/detection/testing/series.js";
import { DynamoDetectorState } from "../../core/dynamodb/detectorState.js";
import { type LocalDynamo, startDynalite } from "../../core/dynamodb/testing/dynalite.js";
import { anomalySchema } from "../../core/events/schema.js";
import type { Anomaly } from "../../core/events/types.js";
import type { DeadLetter } from "../../core/kafka/deadLetter.js";
import { encodeMskEvent, type KafkaRecord } from "../../core/kafka/msk/index.js";
import { DurableProducer } from "../../core/kafka/producer.js";
import { closeSharedProducer } from "../../core/kafka/sharedProducer.js";
import { type MockCluster, startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import { PipelineMetrics } from "../../core/metrics/catalog.js";
import { createAnomalyDetectorHandler, handler } from "./anomalyDetector.js";
import { classified, NOW, records, SOURCE, spikeTraffic } from "./testing/classifiedRecords.js";

// DynamoDB is dynalite on loopback; Kafka is librdkafka's mock cluster (the real wire protocol).
let dynamo: LocalDynamo;
let cluster: MockCluster;
let kafka: Kafka;
let producer: DurableProducer;
let topicCounter = 0;

const TESTS = 4;
/** Every record the tests' output topics received, by topic: one consumer joins once for all. */
const received = new Map<string, { key: string; value: string }[]>();
let reader: Consumer;

before(async () => {
  dynamo = await startDynalite();
  cluster = await startMockCluster({ brokers: 1 });
  for (let n = 1; n <= TESTS; n++) {
    await cluster.createTopic(`anomalies-${n}`, 1, 1);
    await cluster.createTopic(`dead-letter-${n}`, 1, 1);
  }
  kafka = new KafkaClient({
    clientId: "test",
    brokers: cluster.bootstrapServers,
    logLevel: logLevel.NOTHING,
  });
  producer = new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 900_000 });
  reader = kafka.consumer({ groupId: "reader", maxWaitTimeInMs: 100 });
  await reader.connect();
  await reader.subscribe({ topics: [/^(anomalies|dead-letter)-\d+$/], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ topic, message }) => {
      const list = received.get(topic) ?? [];
      list.push({ key: String(message.key), value: String(message.value) });
      received.set(topic, list);
    },
  });
});

after(async () => {
  // Kafka clients leave before the cluster stops (see core/kafka/testing/mockCluster.ts).
  await reader?.disconnect();
  await producer?.disconnect();
  await closeSharedProducer();
  await cluster?.stop();
  await dynamo?.stop();
});

function topics() {
  const n = ++topicCounter;
  assert.ok(n <= TESTS, "raise TESTS: every test's topics are created up front");
  return { anomalies: `anomalies-${n}`, deadLetter: `dead-letter-${n}` };
}

async function state(tableName?: string) {
  return new DynamoDetectorState({
    client: dynamo.client,
    tableName: tableName ?? (await dynamo.createStateTable()),
    retainMs: retentionMs(DEFAULT_DETECTOR_SETTINGS),
    templateMemoryMs: DEFAULT_DETECTOR_SETTINGS.templateMemoryMs,
  });
}

/** The records a topic received once `count` arrived (or time ran out), after a moment for strays. */
async function readTopic(topic: string, count: number): Promise<{ key: string; value: string }[]> {
  const deadline = Date.now() + 30_000;
  while ((received.get(topic)?.length ?? 0) < count && Date.now() < deadline) await sleep(50);
  await sleep(300);
  return received.get(topic) ?? [];
}

describe("anomaly detector Lambda", () => {
  it("produces one anomaly per window to the anomalies topic, even when batches come again", async () => {
    const names = topics();
    const run = createAnomalyDetectorHandler({
      state: await state(),
      settings: DEFAULT_DETECTOR_SETTINGS,
      producer,
      topics: names,
      metrics: new PipelineMetrics(new Registry()),
      now: () => NOW,
    });
    const all = records(spikeTraffic("payment"));
    const batches: KafkaRecord[][] = [];
    for (let i = 0; i < all.length; i += 200) batches.push(all.slice(i, i + 200));
    for (const batch of batches) {
      assert.deepEqual(await run(encodeMskEvent(batch)), { batchItemFailures: [] });
    }
    // The event source mapping re-delivers the batch that raised it, and the one after.
    const spikeBatch = batches.findIndex((batch) =>
      batch.some((r) => JSON.parse(String(r.value)).timestamp.startsWith("2026-01-01T01:13")),
    );
    for (const batch of batches.slice(spikeBatch - 1))
      assert.deepEqual(await run(encodeMskEvent(batch)), { batchItemFailures: [] });

    const produced = await readTopic(names.anomalies, 1);
    assert.equal(produced.length, 1);
    assert.equal(produced[0]?.key, "payment");
    const anomaly = anomalySchema.parse(JSON.parse(produced[0]?.value ?? "")) as Anomaly;
    assert.equal(anomaly.kind, "incident-spike");
    assert.equal(anomaly.window.start, new Date(T0 + 70 * MINUTE).toISOString());
    assert.ok(anomaly.observed >= 30 && anomaly.score >= 0.7);
  });

  it("dead-letters records that are not classified events and counts the rest", async () => {
    const names = topics();
    const detectorState = await state();
    const run = createAnomalyDetectorHandler({
      state: detectorState,
      settings: DEFAULT_DETECTOR_SETTINGS,
      producer,
      topics: names,
      metrics: new PipelineMetrics(new Registry()),
      now: () => NOW,
    });
    const good = eventsFor("search", [{ incident: 2, normal: 3 }]).map(classified);
    const batch = records(["not json {", JSON.stringify({ id: "x" }), ...good]);
    assert.deepEqual(await run(encodeMskEvent(batch)), { batchItemFailures: [] });

    const letters = (await readTopic(names.deadLetter, 2)).map(
      (r) => JSON.parse(r.value) as DeadLetter,
    );
    assert.deepEqual(
      letters.map((l) => [l.source.offset, l.stage, l.reason.split(":")[0]]),
      [
        ["0", "anomaly-detector-decode", "not JSON"],
        ["1", "anomaly-detector-decode", "does not match the contract"],
      ],
    );
    assert.equal(Buffer.from(letters[0]?.value ?? "", "base64").toString(), "not json {");
    const [bucket] = await detectorState.readBuckets("search", T0, T0 + MINUTE, NOW);
    assert.deepEqual(bucket?.counts, { incident: 2, preventive_action: 0, normal: 3, novel: 2 });
  });

  it("reports the partitions it could not process as batch item failures", async () => {
    const names = topics();
    const run = createAnomalyDetectorHandler({
      state: await state("no-such-table"),
      settings: DEFAULT_DETECTOR_SETTINGS,
      producer,
      topics: names,
      metrics: new PipelineMetrics(new Registry()),
      now: () => NOW,
    });
    const good = eventsFor("cart", [{ normal: 4 }]).map(classified);
    const batch = [...records(good.slice(0, 2), 0, 40), ...records(good.slice(2), 3, 7)];
    assert.deepEqual(await run(encodeMskEvent(batch)), {
      batchItemFailures: [
        { itemIdentifier: { partition: `${SOURCE}-0`, offset: 40 } },
        { itemIdentifier: { partition: `${SOURCE}-3`, offset: 7 } },
      ],
    });
  });

  it("runs as the Lambda entry point with configuration from the environment", async () => {
    const names = topics();
    const table = await dynamo.createStateTable();
    Object.assign(process.env, {
      KAFKA_BROKERS: cluster.bootstrapServers.join(","),
      KAFKA_TOPIC_ANOMALIES: names.anomalies,
      KAFKA_TOPIC_DEAD_LETTER: names.deadLetter,
      SENTINEL_STATE_TABLE: table,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      SENTINEL_LOG_LEVEL: "silent",
      SENTINEL_ENV_FILE: "",
    });
    const all = records(spikeTraffic("gateway"));
    for (let i = 0; i < all.length; i += 400) {
      assert.deepEqual(await handler(encodeMskEvent(all.slice(i, i + 400))), {
        batchItemFailures: [],
      });
    }
    const produced = await readTopic(names.anomalies, 1);
    assert.deepEqual(
      produced.map((r) => [r.key, (JSON.parse(r.value) as Anomaly).kind]),
      [["gateway", "incident-spike"]],
    );
  });
});
