import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Admin, Kafka, logLevel } from "kafkajs";
import { loadConfig } from "../../core/config/load.js";
import { clusterTopicAdmin } from "../../core/kafka/testing/clusterTopicAdmin.js";
import { type MockCluster, startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import { createLogger } from "../../core/logging/logger.js";
import { runKafkaTopics } from "./kafkaTopics.js";

// `sentinel kafka topics` (the compose file's topic-init) against librdkafka's mock cluster,
// whose CreateTopics goes through its control channel (core/kafka/testing/clusterTopicAdmin.ts).
let cluster: MockCluster;
let admin: Admin;

before(async () => {
  cluster = await startMockCluster({ brokers: 1 });
  admin = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
});

after(async () => {
  await admin?.disconnect();
  await cluster?.stop();
});

function runtime(prefix: string, partitions: number) {
  const config = loadConfig({
    env: {
      KAFKA_BROKERS: cluster.bootstrapServers.join(","),
      KAFKA_TOPIC_PARTITIONS: String(partitions),
      KAFKA_REPLICATION_FACTOR: "1",
      KAFKA_TOPIC_RAW: `${prefix}-raw`,
      KAFKA_TOPIC_CLASSIFIED: `${prefix}-classified`,
      KAFKA_TOPIC_ANOMALIES: `${prefix}-anomalies`,
      KAFKA_TOPIC_DEAD_LETTER: `${prefix}-dead-letter`,
    },
    envFile: false,
  });
  return { config, logger: createLogger({ level: "silent", format: "json" }) };
}

async function partitionsOf(topics: string[]) {
  const { topics: meta } = await admin.fetchTopicMetadata({ topics });
  return Object.fromEntries(meta.map((t) => [t.name, t.partitions.length]));
}

describe("sentinel kafka topics", () => {
  it("creates the four pipeline topics with the configured partitions, then finds them in place", async () => {
    const lines: string[] = [];
    const rt = runtime("init", 4);
    const first = await runKafkaTopics(
      {},
      {
        runtime: rt,
        admin: async () => clusterTopicAdmin(cluster, admin).topics,
        write: (l) => lines.push(l),
      },
    );
    const names = ["init-raw", "init-classified", "init-anomalies", "init-dead-letter"];
    assert.deepEqual(first.created, names);
    assert.deepEqual(await partitionsOf(names), Object.fromEntries(names.map((n) => [n, 4])));
    assert.deepEqual(
      lines,
      names.map((n) => `${n}: created with 4 partitions`),
    );

    const again = clusterTopicAdmin(cluster, admin);
    const second = await runKafkaTopics(
      {},
      { runtime: rt, admin: async () => again.topics, write: () => {} },
    );
    assert.deepEqual(second.unchanged, names);
    assert.deepEqual(again.calls, { created: [], grown: [] });
  });

  it("grows a topic with fewer partitions than configured and keeps one with more", async () => {
    await cluster.createTopic("grow-raw", 2, 1);
    await cluster.createTopic("grow-classified", 9, 1);
    const lines: string[] = [];
    const { topics, calls } = clusterTopicAdmin(cluster, admin);
    await runKafkaTopics(
      {},
      { runtime: runtime("grow", 6), admin: async () => topics, write: (l) => lines.push(l) },
    );
    assert.deepEqual(calls.grown, [{ topic: "grow-raw", count: 6 }]);
    assert.deepEqual(calls.created, ["grow-anomalies", "grow-dead-letter"]);
    assert.ok(lines.includes("grow-raw: grown from 2 to 6 partitions"), lines.join("\n"));
    assert.ok(
      lines.includes("grow-classified: kept its 9 partitions (more than 6; never removed)"),
      lines.join("\n"),
    );
  });
});
