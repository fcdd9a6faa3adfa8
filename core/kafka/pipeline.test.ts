import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Kafka, Kafka as KafkaClient, logLevel } from "kafkajs";
import { classifierWorker } from "../../classifier-service/kafkaWorker.js";
import { LambdaRunner } from "../../cli/lambdaRunner.js";
import { BaselineModel } from "../classifier/baselineModel.js";
import { CachingClassifier } from "../classifier/cachingClassifier.js";
import { ClassificationCache } from "../classifier/classificationCache.js";
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { isScheduledEvent, type ScheduledEvent } from "../eventbridge/scheduledEvent.js";
import { logEvent } from "../events/testing/fixtures.js";
import type { ClassifiedEvent } from "../events/types.js";
import type { DeadLetter } from "./deadLetter.js";
import { eventMessage } from "./logEventRecords.js";
import { decodeMskEvent } from "./msk/mskEvent.js";
import type { MskEvent } from "./msk/types.js";
import { DurableProducer } from "./producer.js";
import { type MockCluster, startMockCluster } from "./testing/mockCluster.js";

// The real Kafka wire protocol, through librdkafka's mock cluster on loopback (testing/mockCluster.ts).
const MAIN = new URL("../../cli/main.ts", import.meta.url).pathname;
let cluster: MockCluster;
let kafka: Kafka;
let config: Config;
let topicCounter = 0;
// KafkaJS clients must leave before the cluster stops: a consumer disconnected after its brokers
// are gone can spin forever (see testing/mockCluster.ts). Everything started is stopped here first.
const running: { stop(): Promise<unknown> }[] = [];

function track<T extends { stop(): Promise<unknown> }>(client: T): T {
  running.push(client);
  return client;
}

function topics() {
  const n = ++topicCounter;
  return {
    KAFKA_TOPIC_RAW: `raw-logs-${n}`,
    KAFKA_TOPIC_CLASSIFIED: `classified-logs-${n}`,
    KAFKA_TOPIC_DEAD_LETTER: `dead-letter-${n}`,
    KAFKA_CONSUMER_GROUP: `classifier-${n}`,
    KAFKA_TOPIC_ANOMALIES: `anomalies-${n}`,
  };
}

async function createTopics(names: string[], partitions = 3): Promise<void> {
  for (const name of names) await cluster.createTopic(name, partitions, 1);
}

function producer(): DurableProducer {
  // The production settings: the mock cluster names a real controller, so idempotence works.
  return new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 900_000 });
}

function classifier(): CachingClassifier {
  return new CachingClassifier(
    new BaselineModel(),
    new ClassificationCache({ maxEntries: 10_000, ttlMs: 3_600_000 }),
  );
}

/** A classifier worker (baseline model) on this test's topics, stopped before the cluster. */
function startableWorker(t: ReturnType<typeof topics>, out: DurableProducer) {
  return track(
    classifierWorker({
      kafka,
      settings: { ...config, ...t },
      classifier: classifier(),
      producer: out,
    }),
  );
}

/** Reads a topic from the start until `done` says so (or the time runs out). */
async function readTopic<T>(
  topic: string,
  done: (values: T[]) => boolean,
  timeoutMs = 60_000,
): Promise<T[]> {
  const consumer = kafka.consumer({
    groupId: `reader-${topic}-${Date.now()}`,
    maxWaitTimeInMs: 100,
  });
  const values: T[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(JSON.parse(String(message.value)) as T);
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!done(values) && Date.now() < deadline) await sleep(100);
  } finally {
    await consumer.disconnect();
  }
  return values;
}

function events(count: number, prefix: string) {
  return Array.from({ length: count }, (_, i) =>
    logEvent(i % 50 === 0 ? `upstream ${i} failed` : `request ${i} served in ${i % 90}ms`, {
      id: `${prefix}-${i}`,
      service: `svc-${i % 7}`,
      level: i % 50 === 0 ? "error" : "info",
    }),
  );
}

before(async () => {
  cluster = await startMockCluster({ brokers: 3 });
  config = loadConfig({
    env: { KAFKA_BROKERS: cluster.bootstrapServers.join(",") },
    envFile: false,
  });
  kafka = new KafkaClient({
    clientId: "test",
    brokers: cluster.bootstrapServers,
    logLevel: logLevel.NOTHING,
  });
});

after(async () => {
  for (const client of running.reverse()) await client.stop().catch(() => undefined);
  await cluster?.stop();
});

describe("Kafka backbone on a real wire protocol", () => {
  it("carries raw-logs through the classifier worker to classified-logs, every event once after id dedup", async () => {
    const t = topics();
    await createTopics(Object.values(t).slice(0, 3));
    const out = producer();
    await out.send(t.KAFKA_TOPIC_RAW, events(3_000, "e2e").map(eventMessage));
    const worker = startableWorker(t, out);
    await worker.start();
    const classified = await readTopic<ClassifiedEvent>(
      t.KAFKA_TOPIC_CLASSIFIED,
      (v) => new Set(v.map((e) => e.id)).size >= 3_000,
    );
    await worker.stop();
    await out.disconnect();
    const ids = new Set(classified.map((e) => e.id));
    assert.equal(ids.size, 3_000);
    assert.ok(
      classified.every((e) =>
        ["incident", "normal", "preventive_action"].includes(e.classification.label),
      ),
    );
    assert.equal(classified.find((e) => e.id === "e2e-0")?.classification.label, "incident");
    assert.equal(worker.counts.deadLettered, 0);
  });

  it("sends poison records to the dead-letter topic with reasons, and the counts add up", async () => {
    const t = topics();
    await createTopics(Object.values(t).slice(0, 3), 1);
    const out = producer();
    const good = events(100, "ok").map(eventMessage);
    const poison = [
      { key: "x", value: "{not json" },
      { key: "x", value: JSON.stringify({ id: "no-timestamp" }) },
      { key: "x", value: "" },
      { key: "x", value: JSON.stringify([1, 2, 3]) },
    ];
    await out.send(t.KAFKA_TOPIC_RAW, [...good.slice(0, 50), ...poison, ...good.slice(50)]);
    const worker = startableWorker(t, out);
    await worker.start();
    const letters = await readTopic<DeadLetter>(t.KAFKA_TOPIC_DEAD_LETTER, (v) => v.length >= 4);
    const classified = await readTopic<ClassifiedEvent>(
      t.KAFKA_TOPIC_CLASSIFIED,
      (v) => v.length >= 100,
    );
    await worker.stop();
    await out.disconnect();
    assert.equal(classified.length, 100);
    assert.equal(letters.length, 4);
    assert.deepEqual(
      letters.map((l) => l.reason.split(":")[0]),
      ["not JSON", "does not match the contract", "empty value", "does not match the contract"],
    );
    assert.equal(letters[0]?.source.topic, t.KAFKA_TOPIC_RAW);
    assert.equal(Buffer.from(letters[0]?.value ?? "", "base64").toString(), "{not json");
    assert.equal(worker.counts.consumed, worker.counts.processed + worker.counts.deadLettered);
  });

  it("loses nothing when a broker is down for 5 s in the middle of a 50k-event run", async () => {
    const t = topics();
    await createTopics(Object.values(t).slice(0, 3));
    const out = producer();
    const all = events(50_000, "outage").map(eventMessage);
    const worker = startableWorker(t, out);
    await worker.start();
    const sending = (async () => {
      for (let i = 0; i < all.length; i += 1_000)
        await out.send(t.KAFKA_TOPIC_RAW, all.slice(i, i + 1_000));
    })();
    await sleep(500);
    await cluster.setBrokerDown(2);
    await sleep(5_000);
    await cluster.setBrokerUp(2);
    await sending;
    const classified = await readTopic<ClassifiedEvent>(
      t.KAFKA_TOPIC_CLASSIFIED,
      (v) => new Set(v.map((e) => e.id)).size >= 50_000,
      120_000,
    );
    await worker.stop();
    await out.disconnect();
    assert.equal(new Set(classified.map((e) => e.id)).size, 50_000);
  });

  it("loses nothing when a worker process is killed mid-batch and restarted", async () => {
    const t = topics();
    await createTopics([
      t.KAFKA_TOPIC_RAW,
      t.KAFKA_TOPIC_CLASSIFIED,
      t.KAFKA_TOPIC_DEAD_LETTER,
      t.KAFKA_TOPIC_ANOMALIES,
    ]);
    const out = producer();
    await out.send(t.KAFKA_TOPIC_RAW, events(20_000, "crash").map(eventMessage));
    await out.disconnect();
    const env = {
      ...process.env,
      ...t,
      KAFKA_BROKERS: cluster.bootstrapServers.join(","),
      SENTINEL_LOG_LEVEL: "warn",
      SENTINEL_ENV_FILE: "",
    };
    const startWorker = (): ChildProcess =>
      spawn(process.execPath, ["--import", "tsx", MAIN, "worker", "classify", "--baseline"], {
        env,
        stdio: "ignore",
      });
    const first = startWorker();
    const firstOutput = await readTopic<ClassifiedEvent>(
      t.KAFKA_TOPIC_CLASSIFIED,
      (v) => v.length >= 2_000,
    );
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    assert.ok(firstOutput.length < 20_000, "killed before the end");
    const second = startWorker();
    const classified = await readTopic<ClassifiedEvent>(
      t.KAFKA_TOPIC_CLASSIFIED,
      (v) => new Set(v.map((e) => e.id)).size >= 20_000,
      120_000,
    );
    second.kill("SIGTERM");
    await new Promise((resolve) => second.once("exit", resolve));
    assert.equal(new Set(classified.map((e) => e.id)).size, 20_000);
  });

  it("runs a Lambda handler with MSK-shaped batches, retries a failing batch, then uses the on-failure topic", async () => {
    const t = topics();
    const failures = `on-failure-${topicCounter}`;
    await createTopics([t.KAFKA_TOPIC_CLASSIFIED, failures], 1);
    const out = producer();
    await out.send(t.KAFKA_TOPIC_CLASSIFIED, events(30, "lambda").map(eventMessage));
    const received: MskEvent[] = [];
    let calls = 0;
    const runner = track(
      new LambdaRunner({
        kafka,
        functionName: `fn-${topicCounter}`,
        topics: [t.KAFKA_TOPIC_CLASSIFIED],
        batchSize: 10,
        batchWindowMs: 100,
        maxRetries: 1,
        onFailure: { producer: out, topic: failures },
        handler: async (event) => {
          calls++;
          received.push(event);
          const records = decodeMskEvent(event);
          // The first invocation fails once (retried); the batch holding lambda-25 always fails.
          if (calls === 1) throw new Error("transient");
          if (records.some((r) => JSON.parse(String(r.value)).id === "lambda-25"))
            throw new Error("poison");
          return { batchItemFailures: [] };
        },
      }),
    );
    await runner.start();
    const sentOnFailure = await readTopic<{ functionName: string; event: MskEvent }>(
      failures,
      (v) => v.length >= 1,
    );
    while (runner.counts.recordsDelivered + runner.counts.recordsSentOnFailure < 30)
      await sleep(50);
    await runner.stop();
    await out.disconnect();
    assert.equal(received[0]?.eventSource, "aws:kafka");
    assert.equal(decodeMskEvent(received[0]).length, 10);
    assert.equal(runner.counts.recordsDelivered, 20);
    assert.equal(runner.counts.recordsSentOnFailure, 10);
    assert.equal(decodeMskEvent(sentOnFailure[0]?.event).length, 10);
  });

  it("runs a Lambda handler on a schedule too, one invocation at a time, until stopped", async () => {
    const t = topics();
    await createTopics([t.KAFKA_TOPIC_CLASSIFIED], 1);
    const out = producer();
    const seen = { batches: 0, records: 0, ticks: 0, running: 0, maxRunning: 0 };
    // One handler for both events, as the notifier Lambda has; each invocation takes a while.
    const handler = async (event: MskEvent | ScheduledEvent) => {
      seen.running++;
      seen.maxRunning = Math.max(seen.maxRunning, seen.running);
      await sleep(20);
      if (isScheduledEvent(event)) seen.ticks++;
      else {
        seen.batches++;
        seen.records += decodeMskEvent(event).length;
      }
      seen.running--;
    };
    const runner = track(
      new LambdaRunner({
        kafka,
        functionName: `sentinel-notifier-${topicCounter}`,
        topics: [t.KAFKA_TOPIC_CLASSIFIED],
        batchSize: 2,
        batchWindowMs: 50,
        maxRetries: 0,
        handler,
        schedule: { everyMs: 5, handler },
      }),
    );
    await runner.start();
    await out.send(t.KAFKA_TOPIC_CLASSIFIED, events(20, "scheduled").map(eventMessage));
    for (let i = 0; i < 3000 && (seen.records < 20 || seen.ticks < 3); i++) await sleep(10);
    await runner.stop();
    await out.disconnect();
    assert.equal(seen.records, 20);
    assert.ok(seen.batches >= 10 && seen.ticks >= 3, JSON.stringify(seen));
    assert.equal(seen.maxRunning, 1, "a batch and a tick never ran at once");
    assert.equal(seen.running, 0, "stop() waited for the invocation in progress");
    const ticks = seen.ticks;
    await sleep(50);
    assert.equal(seen.ticks, ticks, "no tick after stop()");
    assert.equal(runner.scheduled?.invocations, ticks);
  });
});
