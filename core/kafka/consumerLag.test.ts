import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Kafka, Kafka as KafkaClient, logLevel } from "kafkajs";
import { classifierWorker } from "../../classifier-service/kafkaWorker.js";
import { BaselineModel } from "../classifier/baselineModel.js";
import { CachingClassifier } from "../classifier/cachingClassifier.js";
import { ClassificationCache } from "../classifier/classificationCache.js";
import type { LabelModel } from "../classifier/types.js";
import { loadConfig } from "../config/load.js";
import { logEvent } from "../events/testing/fixtures.js";
import { PipelineMetrics } from "../metrics/catalog.js";
import { measureConsumerLag, publishConsumerLag } from "./consumerLag.js";
import { eventMessage } from "./logEventRecords.js";
import { DurableProducer } from "./producer.js";
import { type MockCluster, startMockCluster } from "./testing/mockCluster.js";

// The classifier worker on librdkafka's mock cluster, with a backlog of known size, and its lag
// published as CloudWatch Embedded Metric Format lines, captured where stdout would have them.
let cluster: MockCluster;
let kafka: Kafka;
const TOPICS = {
  KAFKA_TOPIC_RAW: "lag-raw",
  KAFKA_TOPIC_CLASSIFIED: "lag-classified",
  KAFKA_TOPIC_DEAD_LETTER: "lag-dead",
  KAFKA_CONSUMER_GROUP: "lag-classifier",
};

before(async () => {
  cluster = await startMockCluster({ brokers: 1 });
  kafka = new KafkaClient({
    clientId: "lag-test",
    brokers: cluster.bootstrapServers,
    logLevel: logLevel.NOTHING,
  });
  await cluster.createTopic(TOPICS.KAFKA_TOPIC_RAW, 2, 1);
  await cluster.createTopic(TOPICS.KAFKA_TOPIC_CLASSIFIED, 1, 1);
  await cluster.createTopic(TOPICS.KAFKA_TOPIC_DEAD_LETTER, 1, 1);
  // The backlog: 30 records on partition 0, 20 on partition 1.
  const producer = kafka.producer();
  await producer.connect();
  for (const [partition, count] of [
    [0, 30],
    [1, 20],
  ] as const)
    await producer.send({
      topic: TOPICS.KAFKA_TOPIC_RAW,
      messages: Array.from({ length: count }, (_, i) => ({
        partition,
        ...eventMessage(
          logEvent(`request ${partition}-${i} served`, { id: `lag-${partition}-${i}` }),
        ),
      })),
    });
  await producer.disconnect();
});
after(() => cluster?.stop());

/** The baseline model, held at its first call until `release()`. */
function gatedModel(): LabelModel & { release(): void } {
  const baseline = new BaselineModel();
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    name: baseline.name,
    async classify(inputs) {
      await gate;
      return baseline.classify(inputs);
    },
    release: () => release(),
  };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("consumer lag for autoscaling", () => {
  it("publishes the worker's lag as EMF lines: the whole backlog while it is stuck, 0 once it caught up", async () => {
    const config = { ...loadConfig({ env: {}, envFile: false }), ...TOPICS };
    const model = gatedModel();
    const producer = new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 900_000 });
    await producer.connect();
    const worker = classifierWorker({
      kafka,
      settings: config,
      classifier: new CachingClassifier(
        model,
        new ClassificationCache({ maxEntries: 100, ttlMs: 60_000 }),
      ),
      producer,
      metrics: new PipelineMetrics(),
    });
    const lines: string[] = [];
    await worker.start();
    const published = publishConsumerLag({
      consumer: worker,
      kafka,
      namespace: "SentinelLLM/test",
      intervalMs: 100,
      write: (line) => lines.push(line),
    });
    try {
      const lagOf = (line: string) => (JSON.parse(line) as { ConsumerLag: number }).ConsumerLag;
      // Stuck on its first chunk: nothing committed, so the lag is all 50 records of both partitions.
      const stuck = await until("the backlog's lag", () => lines.find((l) => lagOf(l) === 50));
      assert.ok(stuck.endsWith("\n") && !stuck.slice(0, -1).includes("\n"), "one line each");
      const document = JSON.parse(stuck);
      assert.deepEqual(document._aws.CloudWatchMetrics, [
        {
          Namespace: "SentinelLLM/test",
          Dimensions: [["ConsumerGroup", "Topic"]],
          Metrics: [{ Name: "ConsumerLag", Unit: "Count" }],
        },
      ]);
      assert.ok(Math.abs(document._aws.Timestamp - Date.now()) < 10_000);
      assert.equal(document.ConsumerGroup, "lag-classifier");
      assert.equal(document.Topic, "lag-raw");
      assert.deepEqual(worker.assignment, { "lag-raw": [0, 1] });
      // The lag of one owned partition alone, measured the same way.
      const admin = kafka.admin();
      await admin.connect();
      assert.deepEqual(await measureConsumerLag(admin, "lag-classifier", { "lag-raw": [1] }), [
        { topic: "lag-raw", partition: 1, lag: 20 },
      ]);
      await admin.disconnect();

      model.release();
      const caughtUp = lines.length;
      await until("the lag after catching up", () =>
        lines.slice(caughtUp).find((l) => lagOf(l) === 0),
      );
      assert.equal(worker.counts.processed, 50);
    } finally {
      model.release();
      await published.stop();
      await worker.stop();
      await producer.disconnect();
    }
  });

  it("refuses a namespace CloudWatch would not take", () => {
    assert.throws(
      () =>
        loadConfig({ env: { SENTINEL_CLOUDWATCH_METRICS_NAMESPACE: "AWS/ECS" }, envFile: false }),
      /SENTINEL_CLOUDWATCH_METRICS_NAMESPACE: expected a CloudWatch namespace/,
    );
    assert.equal(
      loadConfig({ env: { SENTINEL_CLOUDWATCH_METRICS_NAMESPACE: "SentinelLLM" }, envFile: false })
        .SENTINEL_CLOUDWATCH_METRICS_NAMESPACE,
      "SentinelLLM",
    );
  });
});
