import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { type Kafka, Kafka as KafkaClient, logLevel } from "kafkajs";
import { SubscriptionPayloadError } from "../../core/cloudwatch/errors.js";
import { encodeSubscriptionPayload } from "../../core/cloudwatch/subscriptionPayload.js";
import { loadFixture } from "../../core/cloudwatch/testing/fixtures.js";
import type { LogEvent } from "../../core/events/types.js";
import { DurableProducer } from "../../core/kafka/producer.js";
import { closeSharedProducer } from "../../core/kafka/sharedProducer.js";
import { type MockCluster, startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import { logEvents, readTopic } from "../../core/kafka/testing/readTopic.js";
import { createCloudWatchForwarder, handler } from "./cloudwatchForwarder.js";

// Kafka through librdkafka's mock cluster (the real wire protocol); see core/kafka/testing/mockCluster.ts.
const TOPIC = "raw-logs-forwarder";
let cluster: MockCluster;
let kafka: Kafka;

before(async () => {
  cluster = await startMockCluster({ brokers: 1, topics: [{ name: TOPIC, partitions: 2 }] });
  kafka = new KafkaClient({
    clientId: "test",
    brokers: cluster.bootstrapServers,
    logLevel: logLevel.NOTHING,
  });
  Object.assign(process.env, {
    KAFKA_BROKERS: cluster.bootstrapServers.join(","),
    KAFKA_TOPIC_RAW: TOPIC,
    AWS_REGION: "eu-west-1",
    SENTINEL_LOG_LEVEL: "silent",
    SENTINEL_ENV_FILE: "",
  });
});

after(async () => {
  await closeSharedProducer();
  await cluster?.stop();
});

/** The topic's records from the start, once `count` arrived (or the time ran out). */
async function readRecords(count: number): Promise<{ key: string; event: LogEvent }[]> {
  const records = await readTopic(kafka, TOPIC, count);
  const events = logEvents(records);
  return records.map((record, i) => ({ key: String(record.key), event: events[i] as LogEvent }));
}

describe("the CloudWatch subscription forwarder Lambda", () => {
  it("produces every event of a subscription payload to raw-logs with its CloudWatch id, skipping control messages", async () => {
    const lambda = loadFixture("lambda-data-message");
    const ecs = loadFixture("ecs-data-message");
    assert.deepEqual(await handler(encodeSubscriptionPayload(loadFixture("control-message"))), {
      messageType: "CONTROL_MESSAGE",
      logGroup: "",
      forwarded: 0,
    });
    assert.equal((await handler(encodeSubscriptionPayload(lambda))).forwarded, 12);
    assert.equal((await handler(encodeSubscriptionPayload(ecs))).forwarded, 6);

    const records = await readRecords(18);
    assert.equal(records.length, 18);
    assert.deepEqual(
      records.map((r) => r.event.id).sort(),
      [...lambda.logEvents, ...ecs.logEvents].map((e) => e.id).sort(),
    );
    for (const { key, event } of records) {
      assert.equal(key, event.service, "keyed by service");
      assert.equal(event.source.provider, "aws");
      assert.equal(event.source.account, "123456789012");
      assert.equal(event.source.region, "eu-west-1");
    }
    const report = records.find((r) => r.event.attributes.platform === "report")?.event;
    assert.equal(report?.source.logGroup, "/aws/lambda/checkout-api");
    assert.equal(report?.service, "checkout-api");
  });

  it("fails the invocation on a payload it cannot decode, before producing anything", async () => {
    // Never connected: a send would connect and succeed, so only a decode failure rejects here.
    const producer = new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 900_000 });
    const forward = createCloudWatchForwarder({ producer, topic: TOPIC, maxMessageBytes: 16_384 });
    const notJson = { awslogs: { data: gzipSync("{not json").toString("base64") } };
    await assert.rejects(forward(notJson), SubscriptionPayloadError);
    await assert.rejects(forward({ awslogs: {} }), SubscriptionPayloadError);
    await assert.rejects(forward({ Records: [] }), /awslogs\.data is missing/);
  });

  it("fails the invocation when Kafka cannot take the events, so CloudWatch retries the payload", async () => {
    const producer = new DurableProducer(kafka, {
      idempotent: true,
      maxBatchBytes: 900_000,
      maxRetryMs: 500,
    });
    await producer.connect();
    const forward = createCloudWatchForwarder({ producer, topic: TOPIC, maxMessageBytes: 16_384 });
    await cluster.setBrokerDown(-1);
    try {
      await assert.rejects(forward(encodeSubscriptionPayload(loadFixture("ecs-data-message"))));
    } finally {
      // KafkaJS clients must not be disconnected while every broker is down.
      await cluster.setBrokerUp(-1);
      await producer.disconnect();
    }
  });
});
