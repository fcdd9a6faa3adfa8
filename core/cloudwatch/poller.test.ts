import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DynamoCheckpointStore } from "../dynamodb/checkpointStore.js";
import { type LocalDynamo, startDynalite } from "../dynamodb/testing/dynalite.js";
import type { LogEvent } from "../events/types.js";
import { FileCheckpointStore } from "../files/checkpointStore.js";
import type { CheckpointStore } from "../ingestion/checkpoint.js";
import { CallbackEventSink } from "../ingestion/eventSink.js";
import { createCloudWatchLogsClient, sdkFilterLogEvents } from "./client.js";
import { CloudWatchPoller, type CloudWatchPollerOptions, checkpointKey } from "./poller.js";
import {
  type FakeCloudWatchLogs,
  type FakeLogEvent,
  startFakeCloudWatchLogs,
} from "./testing/fakeCloudWatchLogs.js";
import type { CloudWatchPosition } from "./types.js";

// The real AWS SDK client against a local server speaking CloudWatch Logs' wire protocol
// (testing/fakeCloudWatchLogs.ts); checkpoints in files and in dynalite.
process.env.AWS_ACCESS_KEY_ID ??= "AKIAIOSFODNN7EXAMPLE";
process.env.AWS_SECRET_ACCESS_KEY ??= "test-secret-not-real";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const LAG_MS = 10_000;
const REGION = "us-east-1";
let groupCounter = 0;
let cwl: FakeCloudWatchLogs;
let dynamo: LocalDynamo;
let dir: string;

before(async () => {
  // Pages of 4 events, every 3rd request throttled: every read crosses pages and retries.
  cwl = await startFakeCloudWatchLogs({ pageSize: 4, throttleEvery: 3 });
  dynamo = await startDynalite();
  dir = await mkdtemp(join(tmpdir(), "sentinel-cwl-"));
});
after(async () => {
  await cwl.stop();
  await dynamo.stop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * A log group of `count` events in two streams, three to a millisecond, so page boundaries
 * (every 4 events) fall inside a millisecond.
 */
function logGroup(
  count: number,
  startAt = NOW - 3_600_000,
): { name: string; events: FakeLogEvent[] } {
  const name = `/aws/lambda/fn-${++groupCounter}`;
  const events: FakeLogEvent[] = [];
  for (let i = 0; i < count; i++) {
    events.push(
      ...cwl.putEvents(name, `2026/03/01/[$LATEST]stream${i % 2}`, [
        { timestamp: startAt + Math.floor(i / 3) * 1000, message: `request ${i} served in ${i}ms` },
      ]),
    );
  }
  return { name, events };
}

function collector() {
  const received: LogEvent[] = [];
  return { received, sink: new CallbackEventSink((events) => void received.push(...events)) };
}

function poller(
  store: CheckpointStore<CloudWatchPosition>,
  sink: CallbackEventSink,
  options: Partial<CloudWatchPollerOptions> = {},
): CloudWatchPoller {
  return new CloudWatchPoller({
    filterLogEvents: sdkFilterLogEvents(
      createCloudWatchLogsClient({ region: REGION, endpoint: cwl.endpoint }),
    ),
    checkpoints: store,
    sink,
    mapping: { region: REGION, maxMessageBytes: 16_384 },
    backfillMs: 2 * 3_600_000,
    ingestionDelayMs: LAG_MS,
    retry: { maxAttempts: 8, baseDelayMs: 1, maxDelayMs: 5 },
    now: () => NOW,
    ...options,
  });
}

/** A store that dies on its n-th save, before writing: a crash between produce and checkpoint. */
function dyingOnSave<T>(store: CheckpointStore<T>, n: number): CheckpointStore<T> {
  let saves = 0;
  return {
    load: (key) => store.load(key),
    save: async (key, value, version) => {
      if (++saves === n) throw new Error("killed between produce and checkpoint");
      return store.save(key, value, version);
    },
  };
}

const stores: [string, () => Promise<CheckpointStore<CloudWatchPosition>>][] = [
  ["a checkpoint file", async () => new FileCheckpointStore(await mkdtemp(join(dir, "cp-")))],
  [
    "DynamoDB",
    async () => new DynamoCheckpointStore(dynamo.client, await dynamo.createStateTable()),
  ],
];

describe("the CloudWatch FilterLogEvents poller", () => {
  it("reads every event once, in order, across pages, throttling and shared milliseconds", async () => {
    const group = logGroup(25);
    const { received, sink } = collector();
    const store = new FileCheckpointStore<CloudWatchPosition>(join(dir, "read-once"));
    const throttledBefore = cwl.faults.ThrottlingException ?? 0;
    const result = await poller(store, sink).poll(group.name);
    assert.equal(result.outcome, "caught-up");
    assert.deepEqual(
      received.map((e) => e.id),
      group.events.map((e) => e.eventId),
    );
    assert.equal(result.events, 25);
    assert.equal(result.pages, 7);
    assert.ok((cwl.faults.ThrottlingException ?? 0) > throttledBefore, "throttled on the way");
    assert.deepEqual(received[0]?.source, {
      provider: "aws",
      region: REGION,
      logGroup: group.name,
      logStream: "2026/03/01/[$LATEST]stream0",
    });
    assert.equal(received[0]?.service, group.name.split("/").at(-1));
    // Read to the end: the next query starts at the end of this one.
    const saved = await store.load(checkpointKey(REGION, group.name));
    assert.deepEqual(saved?.value, { timestamp: NOW - LAG_MS, idsAtTimestamp: [] });
  });

  for (const [storeName, makeStore] of stores) {
    it(`loses nothing and repeats only the unconfirmed page when killed between produce and checkpoint (${storeName})`, async () => {
      const group = logGroup(22);
      const store = await makeStore();
      const { received, sink } = collector();
      await assert.rejects(
        poller(dyingOnSave(store, 3), sink).poll(group.name),
        /killed between produce and checkpoint/,
      );
      const firstRun = received.map((e) => e.id);
      assert.equal(firstRun.length, 12, "three pages produced, two checkpointed");
      const checkpoint = (await store.load(checkpointKey(REGION, group.name)))?.value;
      // The checkpoint sits inside a millisecond (events 6, 7, 8) whose last event is on page 3.
      assert.deepEqual(
        checkpoint?.idsAtTimestamp,
        group.events.slice(6, 8).map((e) => e.eventId),
      );

      const result = await poller(store, sink).poll(group.name);
      assert.equal(result.outcome, "caught-up");
      const all = received.map((e) => e.id);
      const expected = group.events.map((e) => e.eventId);
      assert.deepEqual([...new Set(all)].sort(), [...expected].sort(), "no gap");
      const repeated = all.filter((id, i) => all.indexOf(id) !== i);
      assert.deepEqual(repeated, expected.slice(8, 12), "only the page the crash left unconfirmed");
    });

    it(`repeats nothing when killed after a checkpoint, before the next page is produced (${storeName})`, async () => {
      const group = logGroup(22);
      const store = await makeStore();
      const seen: string[] = [];
      let writes = 0;
      const dying = new CallbackEventSink((events) => {
        if (++writes === 4) throw new Error("killed before producing");
        seen.push(...events.map((e) => e.id));
      });
      await assert.rejects(poller(store, dying).poll(group.name), /killed before producing/);
      const { received, sink } = collector();
      await poller(store, sink).poll(group.name);
      const all = [...seen, ...received.map((e) => e.id)];
      assert.deepEqual(
        all,
        group.events.map((e) => e.eventId),
      );
    });
  }

  it("leaves events younger than the query lag for the next poll, then reads only those", async () => {
    const group = logGroup(6, NOW - 5_000); // two milliseconds' worth, both inside the lag
    const store = new FileCheckpointStore<CloudWatchPosition>(join(dir, "lag"));
    const { received, sink } = collector();
    await poller(store, sink).poll(group.name);
    assert.equal(received.length, 0);
    const later = await poller(store, sink, { now: () => NOW + 60_000 }).poll(group.name);
    assert.equal(later.events, 6);
    const again = await poller(store, sink, { now: () => NOW + 120_000 }).poll(group.name);
    assert.equal(again.events, 0);
    assert.deepEqual(
      received.map((e) => e.id),
      group.events.map((e) => e.eventId),
    );
  });

  it("starts a log group without a checkpoint at the backfill time", async () => {
    const group = logGroup(3, NOW - 3 * 3_600_000);
    const recent = cwl.putEvents(group.name, "s", [{ timestamp: NOW - 60_000, message: "recent" }]);
    const { received, sink } = collector();
    const store = new FileCheckpointStore<CloudWatchPosition>(join(dir, "backfill"));
    await poller(store, sink).poll(group.name);
    assert.deepEqual(
      received.map((e) => e.id),
      recent.map((e) => e.eventId),
    );
    const first = cwl.requests.find((r) => r.logGroupName === group.name);
    assert.equal(first?.startTime, NOW - 2 * 3_600_000);
    assert.equal(first?.endTime, NOW - LAG_MS);
  });

  it("passes the filter pattern on", async () => {
    const name = `/ecs/filtered-${++groupCounter}`;
    cwl.putEvents(name, "s", [
      { timestamp: NOW - 60_000, message: "ERROR payment failed" },
      { timestamp: NOW - 59_000, message: "INFO all good" },
    ]);
    const { received, sink } = collector();
    const store = new FileCheckpointStore<CloudWatchPosition>(join(dir, "filtered"));
    await poller(store, sink, { filterPattern: "ERROR" }).poll(name);
    assert.deepEqual(
      received.map((e) => e.message),
      ["payment failed"],
    );
    assert.equal(cwl.requests.findLast((r) => r.logGroupName === name)?.filterPattern, "ERROR");
  });

  it("retries server errors, and gives up at once on a missing log group", async () => {
    const group = logGroup(3);
    cwl.failNext("ServiceUnavailableException");
    cwl.failNext("InternalError");
    const { received, sink } = collector();
    const store = new FileCheckpointStore<CloudWatchPosition>(join(dir, "errors"));
    await poller(store, sink).poll(group.name);
    assert.equal(received.length, 3);
    const before = cwl.requests.length;
    await assert.rejects(
      poller(store, sink).poll("/aws/lambda/does-not-exist"),
      (error: Error) => error.name === "ResourceNotFoundException",
    );
    // One request, or two if the fake's every-3rd throttle fell on it: never a retry loop.
    assert.ok(cwl.requests.length - before <= 2);
  });

  it("stops cleanly without saving when another run advanced the checkpoint", async () => {
    const group = logGroup(10);
    const inner = new FileCheckpointStore<CloudWatchPosition>(join(dir, "conflict"));
    const key = checkpointKey(REGION, group.name);
    let raced = false;
    const racing: CheckpointStore<CloudWatchPosition> = {
      load: (k) => inner.load(k),
      save: async (k, value, version) => {
        if (!raced) {
          raced = true; // the other run saves first
          await inner.save(key, { timestamp: NOW, idsAtTimestamp: ["other-run"] }, version);
        }
        return inner.save(k, value, version);
      },
    };
    const { sink } = collector();
    const result = await poller(racing, sink).poll(group.name);
    assert.equal(result.outcome, "conflict");
    assert.equal(result.pages, 1);
    assert.deepEqual((await inner.load(key))?.value, {
      timestamp: NOW,
      idsAtTimestamp: ["other-run"],
    });
  });

  it("stops between pages when aborted, with what it delivered checkpointed", async () => {
    const group = logGroup(12);
    const store = new FileCheckpointStore<CloudWatchPosition>(join(dir, "abort"));
    const stop = new AbortController();
    const received: string[] = [];
    const sink = new CallbackEventSink((events) => {
      received.push(...events.map((e) => e.id));
      stop.abort();
    });
    const result = await poller(store, sink).poll(group.name, stop.signal);
    assert.equal(result.outcome, "aborted");
    assert.equal(received.length, 4);
    const saved = await store.load(checkpointKey(REGION, group.name));
    assert.deepEqual(saved?.value, result.position);
    assert.equal(saved?.value.timestamp, group.events[3]?.timestamp);
  });
});
