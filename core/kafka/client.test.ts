import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Kafka, ProducerConfig, ProducerRecord } from "kafkajs";
import { loadConfig } from "../config/load.js";
import { kafkaConfig } from "./client.js";
import { DurableProducer, MessageTooLargeError } from "./producer.js";

const base = loadConfig({ env: {}, envFile: false });

describe("kafkaConfig", () => {
  it("connects in plain text by default", () => {
    const config = kafkaConfig(base);
    assert.deepEqual(config.brokers, ["localhost:9092"]);
    assert.equal(config.ssl, false);
    assert.equal(config.sasl, undefined);
  });

  it("uses SASL PLAIN for Event Hubs' Kafka endpoint", () => {
    const config = kafkaConfig(
      loadConfig({
        env: {
          KAFKA_SSL: "true",
          KAFKA_SASL_MECHANISM: "plain",
          KAFKA_SASL_USERNAME: "$ConnectionString",
          KAFKA_SASL_PASSWORD:
            "Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=x;SharedAccessKey=y",
        },
        envFile: false,
      }),
    );
    assert.equal(config.ssl, true);
    assert.deepEqual(config.sasl && { ...config.sasl, password: "…" }, {
      mechanism: "plain",
      username: "$ConnectionString",
      password: "…",
    });
  });

  it("uses OAUTHBEARER with signed tokens for MSK IAM", () => {
    const config = kafkaConfig(
      loadConfig({
        env: { KAFKA_SASL_MECHANISM: "aws-msk-iam", AWS_REGION: "eu-west-1" },
        envFile: false,
      }),
    );
    assert.equal(config.sasl?.mechanism, "oauthbearer");
  });
});

/** A stand-in for KafkaJS that records what the producer was configured and asked to do. */
function recordingKafka(failures = 0) {
  const seen: { config?: ProducerConfig; sends: ProducerRecord[] } = { sends: [] };
  let failuresLeft = failures;
  const kafka = {
    producer(config: ProducerConfig) {
      seen.config = config;
      return {
        connect: async () => {},
        disconnect: async () => {},
        send: async (record: ProducerRecord) => {
          if (failuresLeft-- > 0) throw new Error("Connection error: connect ECONNREFUSED");
          seen.sends.push(record);
          return [];
        },
      };
    },
  } as unknown as Kafka;
  return { kafka, seen };
}

describe("DurableProducer", () => {
  it("runs idempotent with acks from all replicas and one request in flight, as in production", async () => {
    const { kafka, seen } = recordingKafka();
    const producer = new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 900_000 });
    await producer.send("raw-logs", [{ key: "api", value: "{}" }]);
    assert.equal(seen.config?.idempotent, true);
    assert.equal(seen.config?.maxInFlightRequests, 1);
    assert.equal(seen.sends[0]?.acks, -1);
  });

  it("keeps every request under the byte limit, in order", async () => {
    const { kafka, seen } = recordingKafka();
    const producer = new DurableProducer(kafka, { idempotent: false, maxBatchBytes: 10_000 });
    const messages = Array.from({ length: 30 }, (_, i) => ({
      key: "api",
      value: `${i}:${"x".repeat(1_000)}`,
    }));
    await producer.send("raw-logs", messages);
    assert.ok(seen.sends.length >= 4);
    const values = seen.sends.flatMap((s) => s.messages.map((m) => String(m.value)));
    assert.deepEqual(
      values,
      messages.map((m) => m.value),
    );
    for (const send of seen.sends) {
      const bytes = send.messages.reduce((sum, m) => sum + String(m.value).length, 0);
      assert.ok(bytes < 10_000);
    }
  });

  it("retries through a broker outage instead of failing the send", async () => {
    const { kafka, seen } = recordingKafka(2);
    const producer = new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 900_000 });
    await producer.send("raw-logs", [{ key: "api", value: "{}" }]);
    assert.equal(seen.sends.length, 1);
  });

  it("refuses a message that can never fit a request", async () => {
    const { kafka } = recordingKafka();
    const producer = new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 5_000 });
    await assert.rejects(
      producer.send("raw-logs", [{ key: "api", value: "x".repeat(6_000) }]),
      MessageTooLargeError,
    );
  });
});
