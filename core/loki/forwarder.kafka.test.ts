import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Kafka, Kafka as KafkaClient, logLevel } from "kafkajs";
import type { LogEvent } from "../events/types.js";
import { FileCheckpointStore } from "../files/checkpointStore.js";
import type { CheckpointStore } from "../ingestion/checkpoint.js";
import { type EventSink, KafkaEventSink } from "../ingestion/eventSink.js";
import { DurableProducer } from "../kafka/producer.js";
import { type MockCluster, startMockCluster } from "../kafka/testing/mockCluster.js";
import { logEvents, readTopic } from "../kafka/testing/readTopic.js";
import { LokiForwarder } from "./forwarder.js";
import type { LokiCheckpoint } from "./forwardReader.js";
import { LokiClient } from "./queryRange.js";
import { type LokiServer, startLokiServer } from "./testing/lokiServer.js";

// Loki stand-in → forwarder → Kafka `raw-logs` on librdkafka's mock cluster (the real wire
// protocol, see core/kafka/testing/mockCluster.ts), with the idempotent producer of production.
const BASE_NS = 1_767_607_200_000_000_000n;
const NOW_MS = Number(BASE_NS / 1_000_000n) + 3_600_000;

describe("Loki forwarder to Kafka", () => {
  let cluster: MockCluster;
  let kafka: Kafka;
  let loki: LokiServer;
  let dir: string;

  before(async () => {
    [cluster, loki] = await Promise.all([
      startMockCluster({ brokers: 1, topics: [{ name: "raw-logs-loki", partitions: 3 }] }),
      startLokiServer(),
    ]);
    kafka = new KafkaClient({
      clientId: "test",
      brokers: cluster.bootstrapServers,
      logLevel: logLevel.NOTHING,
    });
    dir = await mkdtemp(join(tmpdir(), "sentinel-loki-kafka-"));
  });
  after(async () => {
    await loki.stop();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function forwarder(sink: EventSink, store: CheckpointStore<LokiCheckpoint>) {
    return new LokiForwarder(
      {
        query: '{app="shop"}',
        source: loki.url,
        pageLimit: 100,
        batchSize: 100,
        ratePerSecond: 0,
        lagMs: 5000,
        pollIntervalMs: 50,
        maxMessageBytes: 16_384,
      },
      { client: new LokiClient({ url: loki.url }), store, sink, now: () => NOW_MS },
    );
  }

  async function readRawLogs(count: number): Promise<LogEvent[]> {
    return logEvents(
      await readTopic(kafka, "raw-logs-loki", count, {
        timeoutMs: 30_000,
        consumer: { sessionTimeout: 4000, heartbeatInterval: 1000 },
      }),
    );
  }

  it("survives a kill between produce and checkpoint and a slow broker: every entry in raw-logs, only the batch in flight twice", async () => {
    const lines = Array.from(
      { length: 1000 },
      (_, i) => [BASE_NS + BigInt(i) * 1_000_000n, `order ${i} shipped`] as const,
    );
    loki.push(
      { app: "shop", pod: "a" },
      lines.filter((_, i) => i % 2 === 0),
    );
    loki.push(
      { app: "shop", pod: "b" },
      lines.filter((_, i) => i % 2 === 1),
    );
    const inner = new FileCheckpointStore<LokiCheckpoint>(dir);
    let saves = 0;
    const crashing: CheckpointStore<LokiCheckpoint> = {
      load: (key) => inner.load(key),
      save: async (key, value, version) => {
        if (++saves === 3) throw new Error("killed between produce and checkpoint");
        return inner.save(key, value, version);
      },
    };

    const firstProducer = new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 900_000 });
    const firstSent: string[] = [];
    const firstSink: EventSink = {
      write: async (events) => {
        await new KafkaEventSink(firstProducer, "raw-logs-loki").write(events);
        firstSent.push(...events.map((e) => e.id));
      },
    };
    await assert.rejects(forwarder(firstSink, crashing).run({ startNs: BASE_NS }), /killed/);
    await firstProducer.disconnect();
    assert.equal(firstSent.length, 300);

    // The restarted forwarder meets a slow broker: it must wait for each acknowledgement, reading
    // at most one page ahead of what Kafka has accepted.
    await cluster.setRtt(1, 100);
    const producer = new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 900_000 });
    const kafkaSink = new KafkaEventSink(producer, "raw-logs-loki");
    const ahead: number[] = [];
    let acknowledged = 0;
    const watched: EventSink = {
      write: async (events) => {
        ahead.push(loki.requests.length - acknowledged);
        await kafkaSink.write(events);
        acknowledged++;
      },
    };
    const requestsBefore = loki.requests.length;
    acknowledged = requestsBefore;
    const stats = await forwarder(watched, inner).run({ startNs: BASE_NS });
    await producer.disconnect();
    await cluster.setRtt(1, 0);
    assert.equal(stats.sent, 800, "restarts from the last checkpoint: 200 were checkpointed");
    assert.ok(Math.max(...ahead) <= 2, `pages read ahead of Kafka: ${ahead.join(",")}`);

    const consumed = await readRawLogs(1100);
    assert.equal(consumed.length, 1100);
    const ids = consumed.map((e) => e.id);
    assert.equal(new Set(ids).size, 1000, "every Loki entry is in raw-logs");
    const twice = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
    assert.deepEqual(
      new Set(twice),
      new Set(firstSent.slice(200, 300)),
      "only the batch whose checkpoint was lost",
    );
    assert.ok(consumed.every((e) => e.source.provider === "loki" && e.service === "shop"));
  });
});
