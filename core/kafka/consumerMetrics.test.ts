import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Kafka, Kafka as KafkaClient, logLevel } from "kafkajs";
import { logEvent } from "../events/testing/fixtures.js";
import type { LogEvent } from "../events/types.js";
import { PipelineMetrics } from "../metrics/catalog.js";
import { AtLeastOnceConsumer } from "./consumer.js";
import { decodeLogEvent, eventMessage } from "./logEventRecords.js";
import { DurableProducer } from "./producer.js";
import { type MockCluster, startMockCluster } from "./testing/mockCluster.js";

// The real Kafka wire protocol, through librdkafka's mock cluster on loopback (testing/mockCluster.ts).
let cluster: MockCluster;
let kafka: Kafka;
before(async () => {
  cluster = await startMockCluster({ brokers: 1 });
  kafka = new KafkaClient({
    clientId: "metrics-test",
    brokers: cluster.bootstrapServers,
    logLevel: logLevel.NOTHING,
  });
});
after(() => cluster?.stop());

describe("AtLeastOnceConsumer metrics", () => {
  it("records consumer lag as it catches up, and dead letters by stage and reason", async () => {
    await cluster.createTopic("metrics-raw", 1, 1);
    await cluster.createTopic("metrics-dead", 1, 1);
    const producer = new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 900_000 });
    const good = Array.from({ length: 200 }, (_, i) =>
      eventMessage(logEvent(`request ${i} served`, { id: `m-${i}` })),
    );
    const poison = [
      { key: "x", value: "{not json" },
      { key: "x", value: "" },
      { key: "x", value: JSON.stringify({ id: "no-timestamp" }) },
    ];
    await producer.send("metrics-raw", [...good.slice(0, 100), ...poison, ...good.slice(100)]);

    const metrics = new PipelineMetrics();
    const lagSeen: number[] = [];
    const lag = async () =>
      (await metrics.consumerLag.get()).values.find(
        (v) => v.labels.topic === "metrics-raw" && v.labels.partition === "0",
      );
    const consumer = new AtLeastOnceConsumer<LogEvent>({
      kafka,
      groupId: "metrics-group",
      topics: ["metrics-raw"],
      decode: decodeLogEvent,
      process: async () => {
        lagSeen.push((await lag())?.value ?? -1);
      },
      deadLetter: { producer, topic: "metrics-dead", stage: "classifier-worker" },
      chunkSize: 50,
      metrics,
    });
    try {
      await consumer.start();
      const deadline = Date.now() + 60_000;
      while (consumer.counts.consumed < 203 && Date.now() < deadline) await sleep(50);
      assert.equal(consumer.counts.consumed, 203);
    } finally {
      await consumer.stop();
      await producer.disconnect();
    }

    // The first chunk ran with the whole partition still ahead of it; at the end nothing is left.
    assert.equal(lagSeen[0], 203);
    const final = await lag();
    assert.equal(final?.value, 0);
    assert.equal(final?.labels.group, "metrics-group");
    const { values } = await metrics.deadLetters.get();
    assert.deepEqual(values.map((v) => [v.labels.stage, v.labels.reason, v.value]).sort(), [
      ["classifier-worker", "does_not_match_the_contract", 1],
      ["classifier-worker", "empty_value", 1],
      ["classifier-worker", "not_json", 1],
    ]);
  });
});
