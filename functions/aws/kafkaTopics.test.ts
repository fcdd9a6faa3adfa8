import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Admin, Kafka, logLevel } from "kafkajs";
import { loadConfig } from "../../core/config/load.js";
import { kafkaConfig } from "../../core/kafka/client.js";
import { clusterTopicAdmin } from "../../core/kafka/testing/clusterTopicAdmin.js";
import { type MockCluster, startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import { createLogger } from "../../core/logging/logger.js";
import {
  createTopicsResourceHandler,
  PHYSICAL_RESOURCE_ID,
  type TopicsResourceEvent,
  topicSpecs,
} from "./kafkaTopics.js";

// The custom resource against librdkafka's mock cluster, configured as the function is (plaintext
// here, MSK IAM in AWS) through core/kafka's client configuration. The mock answers Metadata
// (which topics exist, with how many partitions) but not CreateTopics or CreatePartitions
// (core/kafka/testing/mockCluster.ts): creation goes through the mock's own control channel, so
// the topic really exists afterwards, and partition growth, which the mock cannot do, is recorded.
let cluster: MockCluster;
let kafka: Kafka;
let admin: Admin;
let topicCount = 0;
const logLines: Record<string, unknown>[] = [];
const logger = createLogger({
  level: "info",
  format: "json",
  destination: { write: (line: string) => logLines.push(JSON.parse(line)) },
});

before(async () => {
  cluster = await startMockCluster({ brokers: 1 });
  const config = loadConfig({
    env: { KAFKA_BROKERS: cluster.bootstrapServers.join(",") },
    envFile: false,
  });
  kafka = new Kafka({ ...kafkaConfig(config), logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
});

after(async () => {
  await admin?.disconnect();
  await cluster?.stop();
});

/** The handler on the mock cluster, and what it asked of the admin. */
function resource() {
  const { topics, calls } = clusterTopicAdmin(cluster, admin);
  const handler = createTopicsResourceHandler({
    admin: async () => topics,
    defaultReplicationFactor: 1,
    logger,
  });
  return { handler, calls };
}

function event(
  RequestType: TopicsResourceEvent["RequestType"],
  topics: Record<string, string>[],
): TopicsResourceEvent {
  return { RequestType, ResourceProperties: { ServiceToken: "arn:…", Topics: topics } };
}

const name = (base: string) => `${base}-${process.pid}-${++topicCount}`;

describe("the Kafka topics custom resource", () => {
  it("creates the missing topics, then finds nothing to do: idempotent, with a stable physical id", async () => {
    const { handler, calls } = resource();
    const raw = name("raw-logs");
    const classified = name("classified-logs");
    await cluster.createTopic(classified, 3, 1);
    const listed: Record<string, string>[] = [
      { Name: raw, Partitions: "4" },
      { Name: classified, Partitions: "3", ReplicationFactor: "1" },
    ];

    const created = await handler(event("Create", listed));
    assert.deepEqual(created, {
      PhysicalResourceId: PHYSICAL_RESOURCE_ID,
      Data: { Topics: `${raw},${classified}`, Created: raw, Grown: "" },
    });
    assert.deepEqual(calls.created, [raw]);
    const { topics: meta } = await admin.fetchTopicMetadata({ topics: [raw] });
    assert.equal(meta[0]?.partitions.length, 4);

    const again = await handler(event("Update", listed));
    assert.equal(again.PhysicalResourceId, PHYSICAL_RESOURCE_ID);
    assert.deepEqual(again.Data, { Topics: `${raw},${classified}`, Created: "", Grown: "" });
    assert.deepEqual(calls.created, [raw], "nothing created the second time");
    assert.deepEqual(calls.grown, []);
  });

  it("adds partitions when asked for more, never removes any (and says so), leaves other topics alone", async () => {
    const { handler, calls } = resource();
    const more = name("anomalies");
    const fewer = name("dead-letter");
    const other = name("someone-elses");
    await cluster.createTopic(more, 2, 1);
    await cluster.createTopic(fewer, 6, 1);
    await cluster.createTopic(other, 1, 1);

    const updated = await handler(
      event("Update", [
        { Name: more, Partitions: "8" },
        { Name: fewer, Partitions: "3" },
      ]),
    );
    assert.equal(updated.Data.Grown, more);
    assert.deepEqual(calls.grown, [{ topic: more, count: 8 }]);
    assert.deepEqual(calls.created, []);
    const kept = logLines.find((line) => line.name === fewer);
    assert.equal(kept?.partitions, 6);
    assert.equal(kept?.asked, 3);
    assert.match(String(kept?.msg), /partitions are never removed/);
    const { topics: meta } = await admin.fetchTopicMetadata({ topics: [fewer, other] });
    assert.deepEqual(
      meta.map((t) => t.partitions.length).sort(),
      [1, 6],
      "the other topics are as they were",
    );
  });

  it("keeps the topics on Delete, whatever the properties, and says so", async () => {
    const kept = name("raw-logs");
    await cluster.createTopic(kept, 1, 1);
    let adminAsked = false;
    const handler = createTopicsResourceHandler({
      admin: async () => {
        adminAsked = true;
        return clusterTopicAdmin(cluster, admin).topics;
      },
      defaultReplicationFactor: 1,
      logger,
    });
    const deleted = await handler(event("Delete", [{ Name: kept, Partitions: "1" }]));
    assert.equal(deleted.PhysicalResourceId, PHYSICAL_RESOURCE_ID);
    assert.equal(deleted.Data.Topics, kept);
    assert.equal(adminAsked, false);
    assert.ok((await admin.listTopics()).includes(kept));
    assert.ok(logLines.some((line) => /topics and their data are kept/.test(String(line.msg))));
    // A rollback after a Create that failed on its properties must not fail too.
    const rollback = await handler(event("Delete", [{ Name: "bad name!", Partitions: "x" }]));
    assert.equal(rollback.PhysicalResourceId, PHYSICAL_RESOURCE_ID);
  });

  it("fails the request with the cluster's refusal when it cannot create topics", async () => {
    // The real KafkaJS admin: the mock refuses CreateTopics as an unsupported API.
    const handler = createTopicsResourceHandler({
      admin: async () => ({ ...admin, disconnect: async () => {} }),
      defaultReplicationFactor: 1,
    });
    await assert.rejects(
      handler(event("Create", [{ Name: name("refused"), Partitions: "1" }])),
      /does not support/,
    );
  });

  it("reads CloudFormation's strings as numbers, and names each property that is wrong", () => {
    assert.deepEqual(topicSpecs({ Topics: [{ Name: "raw-logs", Partitions: "12" }] }, 3), [
      { name: "raw-logs", partitions: 12, replicationFactor: 3 },
    ]);
    assert.throws(
      () =>
        topicSpecs(
          {
            Topics: [
              { Name: "raw-logs", Partitions: "twelve" },
              { Name: "a b", Partitions: "1", ReplicationFactor: "0" },
            ],
          },
          3,
        ),
      (error: Error) => {
        assert.match(
          error.message,
          /ResourceProperties\.Topics\.0\.Partitions: expected a whole number/,
        );
        assert.match(
          error.message,
          /ResourceProperties\.Topics\.1\.Name: expected a Kafka topic name/,
        );
        assert.match(
          error.message,
          /ResourceProperties\.Topics\.1\.ReplicationFactor: expected a number of at least 1/,
        );
        return true;
      },
    );
    assert.throws(() => topicSpecs({}, 3), /ResourceProperties\.Topics: expected a list of topics/);
    assert.throws(
      () =>
        topicSpecs(
          {
            Topics: [
              { Name: "a", Partitions: "1" },
              { Name: "a", Partitions: "2" },
            ],
          },
          3,
        ),
      /expected each topic once/,
    );
  });
});
