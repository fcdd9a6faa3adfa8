// Loki forwarder throughput: the local query_range stand-in → LokiForwarder → a sink, with the
// rate limit off (events/s, to memory and to Kafka on the librdkafka mock cluster), and with a
// limit on (the achieved rate and its deviation from the limit).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { FileCheckpointStore } from "../../core/files/checkpointStore.js";
import {
  CallbackEventSink,
  type EventSink,
  KafkaEventSink,
} from "../../core/ingestion/eventSink.js";
import { DurableProducer } from "../../core/kafka/producer.js";
import { startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import { LokiForwarder } from "../../core/loki/forwarder.js";
import type { LokiCheckpoint } from "../../core/loki/forwardReader.js";
import { LokiClient } from "../../core/loki/queryRange.js";
import { type LokiServer, startLokiServer } from "../../core/loki/testing/lokiServer.js";

type Report = (name: string, value: number, unit: string, target?: string) => void;

const ENTRIES = Number(process.env.BENCH_LOKI_ENTRIES ?? 200_000);
const RATE_LIMIT = Number(process.env.BENCH_LOKI_RATE ?? 5000);
const RATE_SECONDS = 4;
const BASE_NS = 1_767_607_200_000_000_000n;

const LINES = [
  (i: number) => `GET /api/orders/${i} 200 ${i % 97}ms`,
  (i: number) =>
    `{"level":"error","msg":"payment provider timeout","order":${i},"attempt":${i % 3}}`,
  (i: number) => `level=warn msg="cache hit ratio low" ratio=0.${i % 90} shard=${i % 8}`,
  (i: number) => `2026-01-05T10:00:00Z INFO worker-${i % 12} finished job ${i} in ${i % 500}ms`,
];

/** `count` entries over four streams of one app, 100 µs apart. */
function fill(loki: LokiServer, app: string, count: number): void {
  for (let stream = 0; stream < 4; stream++) {
    const entries: [bigint, string][] = [];
    for (let i = stream; i < count; i += 4)
      entries.push([BASE_NS + BigInt(i) * 100_000n, (LINES[stream] as (i: number) => string)(i)]);
    loki.push({ app, pod: `${app}-${stream}`, namespace: "bench" }, entries);
  }
}

async function forward(
  loki: LokiServer,
  app: string,
  sink: EventSink,
  dir: string,
  rate: number,
): Promise<{ sent: number; seconds: number }> {
  const forwarder = new LokiForwarder(
    {
      query: `{app="${app}"}`,
      source: loki.url,
      pageLimit: 5000,
      batchSize: 1000,
      ratePerSecond: rate,
      lagMs: 0,
      pollIntervalMs: 1000,
      maxMessageBytes: 16_384,
    },
    {
      client: new LokiClient({ url: loki.url }),
      store: new FileCheckpointStore<LokiCheckpoint>(join(dir, app)),
      sink,
    },
  );
  const started = performance.now();
  const stats = await forwarder.run({ startNs: BASE_NS });
  return { sent: stats.sent, seconds: (performance.now() - started) / 1000 };
}

export async function benchIngestLoki(report: Report): Promise<void> {
  const loki = await startLokiServer();
  const dir = await mkdtemp(join(tmpdir(), "sentinel-bench-loki-"));
  try {
    let counted = 0;
    const memory = new CallbackEventSink((events) => {
      counted += events.length;
    });

    fill(loki, "unlimited", ENTRIES);
    const unlimited = await forward(loki, "unlimited", memory, dir, 0);
    if (unlimited.sent !== ENTRIES) throw new Error(`forwarded ${unlimited.sent} of ${ENTRIES}`);
    report(
      "loki forwarder, no limit (events/s)",
      unlimited.sent / unlimited.seconds,
      "events/s",
      "≥ 10,000",
    );

    try {
      const cluster = await startMockCluster({
        brokers: 1,
        topics: [{ name: "raw-logs-bench", partitions: 6 }],
      });
      const kafka = new Kafka({
        clientId: "bench",
        brokers: cluster.bootstrapServers,
        logLevel: logLevel.NOTHING,
      });
      const producer = new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 900_000 });
      try {
        fill(loki, "kafka", ENTRIES / 2);
        const toKafka = await forward(
          loki,
          "kafka",
          new KafkaEventSink(producer, "raw-logs-bench"),
          dir,
          0,
        );
        report(
          "loki forwarder → Kafka (events/s)",
          toKafka.sent / toKafka.seconds,
          "events/s",
          "≥ 10,000",
        );
      } finally {
        await producer.disconnect();
        await cluster.stop();
      }
    } catch (error) {
      console.log(`loki forwarder → Kafka: skipped (${(error as Error).message.split("\n")[0]})`);
    }

    const limited = RATE_LIMIT * RATE_SECONDS;
    fill(loki, "limited", limited);
    const held = await forward(loki, "limited", memory, dir, RATE_LIMIT);
    const achieved = held.sent / held.seconds;
    report(`loki forwarder at ${RATE_LIMIT}/s (events/s)`, achieved, "events/s");
    report(
      "loki rate limit deviation (%)",
      (100 * (achieved - RATE_LIMIT)) / RATE_LIMIT,
      "%",
      "within ±5%",
    );
    if (counted !== unlimited.sent + held.sent) throw new Error("the memory sink lost events");
  } finally {
    await loki.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
