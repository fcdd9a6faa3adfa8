import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CompressionTypes,
  type Consumer,
  type EachMessagePayload,
  Kafka,
  logLevel,
  Partitioners,
  type Producer,
} from "kafkajs";
import {
  ApiKey,
  ErrorCode,
  type MockCluster,
  MockClusterCommandError,
  startMockCluster,
} from "./mockCluster.js";

const cleanups = new WeakMap<TestContext, (() => Promise<unknown>)[]>();

/**
 * Runs `cleanup` after the test, last registered first: clients disconnect before their cluster
 * stops (node:test runs t.after hooks in registration order).
 */
function onCleanup(t: TestContext, cleanup: () => Promise<unknown>): void {
  let stack = cleanups.get(t);
  if (!stack) {
    const registered: (() => Promise<unknown>)[] = [];
    stack = registered;
    cleanups.set(t, registered);
    t.after(async () => {
      const failures: unknown[] = [];
      for (const run of registered.reverse()) await run().catch((error) => failures.push(error));
      if (failures.length > 0) throw failures[0];
    });
  }
  stack.push(cleanup);
}

async function clusterFor(t: TestContext, options: Parameters<typeof startMockCluster>[0]) {
  const cluster = await startMockCluster(options);
  onCleanup(t, () => cluster.stop());
  return cluster;
}

function kafkaFor(cluster: MockCluster): Kafka {
  return new Kafka({
    clientId: "mock-cluster-test",
    brokers: cluster.bootstrapServers,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 10 },
  });
}

async function producerFor(t: TestContext, kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  onCleanup(t, () => producer.disconnect());
  return producer;
}

/**
 * A consumer for this mock: once a member has left, the mock completes the group's next
 * rebalance only after the session timeout less 1 s (29 s with KafkaJS's default), so the
 * session is short, but longer than the 3 s initial join delay. A short fetch wait keeps
 * disconnect() from sitting out a 5 s long-poll, and a failure stops the consumer rather than
 * restarting it forever.
 */
async function consumerFor(t: TestContext, kafka: Kafka, groupId: string): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 4000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 100,
    retry: { retries: 3, restartOnFailure: async () => false },
  });
  await consumer.connect();
  onCleanup(t, () => consumer.disconnect());
  return consumer;
}

/** Runs the consumer until `handle` has seen `count` messages. */
async function consumeUntil(
  consumer: Consumer,
  count: number,
  handle: (payload: EachMessagePayload) => Promise<void>,
): Promise<void> {
  let seen = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`saw ${seen} of ${count} messages`)), 20_000);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async (payload) => {
            await handle(payload);
            if (++seen === count) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
  }
}

/** Linux: whether a process is alive (a zombie left for an absent reaper counts as gone). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

// Each test fails rather than hangs; the group test needs about 7 s (two 3 s joins).
const limit = { timeout: 30_000 };

describe("mock Kafka cluster", () => {
  it(
    "reads keyed gzip messages back; a restarted group member re-reads only the uncommitted tail",
    limit,
    async (t) => {
      const cluster = await clusterFor(t, {
        brokers: 3,
        topics: [{ name: "logs", partitions: 3 }],
      });
      const kafka = kafkaFor(cluster);
      const producer = await producerFor(t, kafka);
      const sent = Array.from({ length: 30 }, (_, seq) => ({
        key: `host-${seq % 5}`,
        value: JSON.stringify({ host: `host-${seq % 5}`, seq }),
      }));
      await producer.send({ topic: "logs", compression: CompressionTypes.GZIP, messages: sent });

      // The first worker commits each message after processing it, until it has processed three
      // of a partition; from there on it processes without committing, as if it died each time
      // before the commit.
      const committedBelow = 3;
      type Seen = { partition: number; offset: number; key: string; value: string };
      const firstRun: Seen[] = [];
      const first = await consumerFor(t, kafka, "classifier");
      await first.subscribe({ topic: "logs", fromBeginning: true });
      await consumeUntil(first, sent.length, async ({ topic, partition, message }) => {
        const offset = Number(message.offset);
        firstRun.push({
          partition,
          offset,
          key: String(message.key),
          value: String(message.value),
        });
        if (offset < committedBelow) {
          await first.commitOffsets([{ topic, partition, offset: String(offset + 1) }]);
        }
      });
      await first.disconnect();

      const byValue = (a: Seen) => a.value;
      assert.deepEqual(firstRun.map(byValue).sort(), sent.map((m) => m.value).sort());
      for (const key of new Set(sent.map((m) => m.key))) {
        const partitions = new Set(firstRun.filter((m) => m.key === key).map((m) => m.partition));
        assert.equal(partitions.size, 1, `${key} is spread over partitions ${[...partitions]}`);
      }

      const tail = firstRun.filter((m) => m.offset >= committedBelow);
      assert.ok(tail.length > 0 && tail.length < sent.length);
      const secondRun: Seen[] = [];
      const second = await consumerFor(t, kafka, "classifier");
      await second.subscribe({ topic: "logs", fromBeginning: true });
      await consumeUntil(second, tail.length, async ({ partition, message }) => {
        secondRun.push({
          partition,
          offset: Number(message.offset),
          key: String(message.key),
          value: String(message.value),
        });
      });
      const order = (a: Seen, b: Seen) => a.partition - b.partition || a.offset - b.offset;
      assert.deepEqual(secondRun.sort(order), tail.sort(order));
    },
  );

  it("writes each message once when the partition leader is down for 2 s", limit, async (t) => {
    const cluster = await clusterFor(t, {
      brokers: 3,
      topics: [{ name: "alerts", partitions: 1 }],
    });
    await cluster.setLeader("alerts", 0, 1);
    const kafka = kafkaFor(cluster);
    const producer = await producerFor(t, kafka);
    await producer.send({ topic: "alerts", messages: [{ key: "warm-up", value: "0" }] });

    await cluster.setBrokerDown(1);
    let settled = false;
    const sending = producer
      .send({
        topic: "alerts",
        messages: ["1", "2", "3", "4", "5"].map((value) => ({ key: "db-1", value })),
      })
      .finally(() => {
        settled = true;
      });
    await sleep(2000);
    assert.equal(settled, false, "the send finished while the leader was down");
    await cluster.setBrokerUp(1);
    const [record] = await sending;
    assert.equal(record?.baseOffset, "1");

    const admin = kafka.admin();
    await admin.connect();
    onCleanup(t, () => admin.disconnect());
    const [offsets] = await admin.fetchTopicOffsets("alerts");
    assert.equal(offsets?.high, "6");
  });

  it("follows a partition leader that moves to another broker", limit, async (t) => {
    const cluster = await clusterFor(t, {
      brokers: 3,
      topics: [{ name: "alerts", partitions: 1 }],
    });
    await cluster.setLeader("alerts", 0, 1);
    const kafka = kafkaFor(cluster);
    const producer = await producerFor(t, kafka);
    const requests: string[] = [];
    producer.on(producer.events.REQUEST, ({ payload }) => {
      requests.push(`${payload.apiName} ${payload.broker}`);
    });
    await producer.send({ topic: "alerts", messages: [{ value: "before" }] });
    const [broker1, broker2] = cluster.bootstrapServers;
    assert.equal(requests.splice(0).at(-1), `Produce ${broker1}`);

    await cluster.setLeader("alerts", 0, 2);
    await producer.send({ topic: "alerts", messages: [{ value: "after" }] });
    // Broker 1 answers NOT_LEADER_FOR_PARTITION; KafkaJS refreshes its metadata (from whichever
    // broker it picked as seed) and goes to broker 2.
    const kinds = requests.map((request) =>
      request.startsWith("Metadata ") ? "Metadata" : request,
    );
    assert.deepEqual(kinds, [`Produce ${broker1}`, "Metadata", `Produce ${broker2}`]);

    const admin = kafka.admin();
    await admin.connect();
    onCleanup(t, () => admin.disconnect());
    const [offsets] = await admin.fetchTopicOffsets("alerts");
    assert.equal(offsets?.high, "2");
  });

  it("injects request errors and slow responses", limit, async (t) => {
    const cluster = await clusterFor(t, { brokers: 2, topics: [{ name: "logs", partitions: 1 }] });
    await cluster.setLeader("logs", 0, 1);
    const kafka = kafkaFor(cluster);
    const producer = await producerFor(t, kafka);
    let produceRequests = 0;
    producer.on(producer.events.REQUEST, ({ payload }) => {
      if (payload.apiName === "Produce") produceRequests++;
    });

    await cluster.pushRequestErrors(ApiKey.Produce, [
      ErrorCode.NotEnoughReplicas,
      ErrorCode.RequestTimedOut,
    ]);
    await producer.send({ topic: "logs", messages: [{ value: "retried" }] });
    assert.equal(produceRequests, 3);

    await cluster.pushBrokerRequestErrors(1, ApiKey.Produce, [
      { code: ErrorCode.None, rttMs: 400 },
    ]);
    const started = Date.now();
    await producer.send({ topic: "logs", messages: [{ value: "slow" }] });
    assert.ok(Date.now() - started >= 380, `answered after ${Date.now() - started} ms`);
    assert.equal(produceRequests, 4);
  });

  it("reports broker 1 as controller, which idempotent producers need", limit, async (t) => {
    const cluster = await clusterFor(t, { brokers: 3 });
    assert.deepEqual(cluster.brokerIds, [1, 2, 3]);
    assert.equal(cluster.controllerId, 1);
    const admin = kafkaFor(cluster).admin();
    await admin.connect();
    onCleanup(t, () => admin.disconnect());
    const described = await admin.describeCluster();
    assert.equal(described.controller, 1);
    assert.deepEqual(
      described.brokers.map((b) => `${b.host}:${b.port}`),
      cluster.bootstrapServers,
    );

    const bare = await clusterFor(t, { brokers: 3, controller: null });
    assert.equal(bare.controllerId, 0);
    const producer = kafkaFor(bare).producer({ idempotent: true, maxInFlightRequests: 1 });
    onCleanup(t, () => producer.disconnect());
    await assert.rejects(producer.connect(), /Broker 0 not found/);
  });

  it("answers a refused command with the launcher's error", limit, async (t) => {
    const cluster = await clusterFor(t, { brokers: 2 });
    await assert.rejects(cluster.setLeader("logs", 0, 7), MockClusterCommandError);
    await assert.rejects(
      cluster.pushBrokerRequestErrors(9, ApiKey.Produce, [{ code: 6, rttMs: 0 }]),
      /Unknown broker/,
    );
    await assert.rejects(cluster.createTopic("two words", 1), RangeError);
    await assert.rejects(cluster.setRtt(1, -5), RangeError);
    await cluster.setRtt(-1, 0);
  });

  it("leaves no launcher behind, whether stopped or orphaned", limit, async (t) => {
    const cluster = await clusterFor(t, { brokers: 1 });
    assert.ok(isRunning(cluster.pid));
    await cluster.stop();
    await cluster.stop();
    assert.equal(isRunning(cluster.pid), false);
    await assert.rejects(cluster.setBrokerDown(1), /stopped/);

    const script = `
      const { startMockCluster } = await import(${JSON.stringify(new URL("./mockCluster.ts", import.meta.url).href)});
      const cluster = await startMockCluster({ brokers: 1 });
      console.log(cluster.pid);
      setInterval(() => {}, 1000);
    `;
    const run = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    onCleanup(t, async () => run.kill("SIGKILL"));
    const launcherPid = await new Promise<number>((resolve, reject) => {
      run.stdout.once("data", (chunk: Buffer) => resolve(Number(String(chunk).trim())));
      run.once("exit", (code) => reject(new Error(`the test run exited early (${code})`)));
    });
    assert.ok(isRunning(launcherPid));
    run.kill("SIGKILL");
    const deadline = Date.now() + 5000;
    while (isRunning(launcherPid) && Date.now() < deadline) await sleep(50);
    assert.equal(isRunning(launcherPid), false, "the launcher outlived its test run");
  });
});
