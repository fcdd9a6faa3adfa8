import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { LogEvent } from "../events/types.js";
import { FileCheckpointStore } from "../files/checkpointStore.js";
import type { CheckpointStore } from "../ingestion/checkpoint.js";
import { CallbackEventSink, type EventSink } from "../ingestion/eventSink.js";
import { LokiForwarder, type LokiForwarderSettings } from "./forwarder.js";
import { type LokiCheckpoint, LokiForwardReader } from "./forwardReader.js";
import { LokiClient, LokiQueryError } from "./queryRange.js";
import { streamsToEntries } from "./streamToEvents.js";
import { type LokiServer, startLokiServer } from "./testing/lokiServer.js";

const BASE_NS = 1_767_607_200_000_000_000n; // 2026-01-05T10:00:00Z
const SECOND_NS = 1_000_000_000n;
const fastRetry = { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20 };

/** `count` entries of one stream, `stepNs` apart from `fromNs`; returns their lines. */
function pushRun(
  server: LokiServer,
  labels: Record<string, string>,
  fromNs: bigint,
  count: number,
  stepNs: bigint,
) {
  const entries = Array.from(
    { length: count },
    (_, i) =>
      [fromNs + BigInt(i) * stepNs, `${labels.app} ${labels.pod ?? ""} event ${i} done`] as const,
  );
  server.push(labels, entries);
  return entries;
}

describe("Loki forwarder against the local query_range stand-in", () => {
  let server: LokiServer;
  let dir: string;
  let n = 0;

  before(async () => {
    server = await startLokiServer({ tenantId: "team-a" });
    dir = await mkdtemp(join(tmpdir(), "sentinel-loki-"));
  });
  after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A fresh app label per test, so tests do not read each other's entries. */
  function app() {
    return `app${++n}`;
  }

  function forwarder(
    settings: Partial<LokiForwarderSettings> & { query: string },
    sink: EventSink,
    store: CheckpointStore<LokiCheckpoint> = new FileCheckpointStore(join(dir, `store-${n}`)),
    now = () => Number(BASE_NS / 1_000_000n) + 3_600_000,
  ) {
    const client = new LokiClient({ url: server.url, tenantId: "team-a", retry: fastRetry });
    return new LokiForwarder(
      {
        source: server.url,
        pageLimit: 100,
        batchSize: 50,
        ratePerSecond: 0,
        lagMs: 5000,
        pollIntervalMs: 20,
        maxMessageBytes: 16_384,
        ...settings,
      },
      { client, store, sink, now },
    );
  }

  function collect(): { sink: CallbackEventSink; events: LogEvent[]; writes: number[] } {
    const events: LogEvent[] = [];
    const writes: number[] = [];
    const sink = new CallbackEventSink((batch) => {
      writes.push(batch.length);
      events.push(...batch);
    });
    return { sink, events, writes };
  }

  it("forwards every entry once, in batches of at most batchSize, checkpointing each", async () => {
    const name = app();
    const lines = [
      ...pushRun(server, { app: name, pod: "a" }, BASE_NS, 230, SECOND_NS / 10n),
      ...pushRun(server, { app: name, pod: "b" }, BASE_NS + 7n, 170, SECOND_NS / 7n),
    ];
    const { sink, events, writes } = collect();
    const store = new FileCheckpointStore<LokiCheckpoint>(join(dir, `batches-${name}`));
    const saves: LokiCheckpoint[] = [];
    const spy: CheckpointStore<LokiCheckpoint> = {
      load: (key) => store.load(key),
      save: (key, value, version) => {
        saves.push(value);
        return store.save(key, value, version);
      },
    };
    const stats = await forwarder({ query: `{app="${name}"}` }, sink, spy).run({
      startNs: BASE_NS,
    });
    assert.equal(events.length, lines.length);
    assert.deepEqual(events.map((e) => e.message).sort(), lines.map(([, line]) => line).sort());
    assert.ok(writes.every((size) => size <= 50));
    assert.ok(saves.length >= writes.length, "a checkpoint after every acknowledged batch");
    assert.equal(stats.sent, lines.length);
    assert.equal(stats.read, lines.length);
    for (let i = 1; i < events.length; i++)
      assert.ok(
        (events[i - 1] as LogEvent).timestamp <= (events[i] as LogEvent).timestamp,
        "forward order",
      );
    assert.equal(
      server.requests
        .filter((r) => r.query === `{app="${name}"}`)
        .every((r) => r.direction === "forward"),
      true,
    );
  });

  it("reads a run of equal timestamps that a page limit cuts, without a gap or a repeat", async () => {
    const name = app();
    // 3 streams x 9 entries at one nanosecond, then 3 more each: pages of 4 end inside the run.
    const sameNs = BASE_NS + 123_456_789n;
    const expected: string[] = [];
    for (const pod of ["p1", "p2", "p3"]) {
      const burst = Array.from({ length: 9 }, (_, i) => [sameNs, `${pod} burst ${i}`] as const);
      const afterwards = Array.from(
        { length: 3 },
        (_, i) => [sameNs + 1n + BigInt(i), `${pod} after ${i}`] as const,
      );
      server.push({ app: name, pod }, [...burst, ...afterwards]);
      expected.push(...[...burst, ...afterwards].map(([, line]) => line));
    }
    const { sink, events } = collect();
    await forwarder({ query: `{app="${name}"}`, pageLimit: 4, batchSize: 3 }, sink).run({
      startNs: BASE_NS,
    });
    assert.equal(events.length, expected.length, "no entry twice, none missing");
    assert.deepEqual(events.map((e) => e.message).sort(), expected.sort());
    const requests = server.requests.filter((r) => r.query === `{app="${name}"}`);
    assert.ok(
      requests.some((r) => r.start === sameNs.toString()),
      "pages restart at the shared timestamp",
    );
  });

  it("resumes after a crash between the produce and the checkpoint: no gap, only the batch in flight again", async () => {
    const name = app();
    const lines = pushRun(server, { app: name }, BASE_NS, 500, SECOND_NS / 100n);
    const inner = new FileCheckpointStore<LokiCheckpoint>(join(dir, `crash-${name}`));
    let saves = 0;
    const crashing: CheckpointStore<LokiCheckpoint> = {
      load: (key) => inner.load(key),
      save: async (key, value, version) => {
        if (++saves === 4) throw new Error("killed between produce and checkpoint");
        return inner.save(key, value, version);
      },
    };
    const first = collect();
    await assert.rejects(
      forwarder(
        { query: `{app="${name}"}`, batchSize: 40, pageLimit: 200 },
        first.sink,
        crashing,
      ).run({
        startNs: BASE_NS,
      }),
      /killed/,
    );
    assert.equal(first.events.length, 160, "four batches were acknowledged, three checkpointed");

    const second = collect();
    await forwarder(
      { query: `{app="${name}"}`, batchSize: 40, pageLimit: 200 },
      second.sink,
      inner,
    ).run({
      startNs: BASE_NS,
    });
    const firstIds = first.events.map((e) => e.id);
    const all = new Set([...firstIds, ...second.events.map((e) => e.id)]);
    assert.equal(all.size, lines.length, "every entry arrived");
    const repeated = second.events.filter((e) => firstIds.includes(e.id));
    assert.deepEqual(
      repeated.map((e) => e.id),
      firstIds.slice(120, 160),
      "exactly the batch whose checkpoint was lost, with the same ids",
    );
  });

  it("holds the configured rate: never faster than the limit allows", async () => {
    const name = app();
    pushRun(server, { app: name }, BASE_NS, 600, SECOND_NS / 1000n);
    const { sink, events, writes } = collect();
    const started = performance.now();
    await forwarder({ query: `{app="${name}"}`, ratePerSecond: 1000, batchSize: 500 }, sink).run({
      startNs: BASE_NS,
    });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(events.length, 600);
    assert.ok(seconds >= 0.55, `600 events at 1000/s took ${seconds.toFixed(3)} s`);
    assert.ok(writes.every((size) => size <= 500));
  });

  it("waits for a slow sink and reads at most one page ahead of it", async () => {
    const name = app();
    pushRun(server, { app: name }, BASE_NS, 400, SECOND_NS / 100n);
    let release: () => void = () => {};
    let blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const events: LogEvent[] = [];
    let writing = 0;
    const sink = new CallbackEventSink(async (batch) => {
      writing++;
      await blocked;
      events.push(...batch);
    });
    const query = `{app="${name}"}`;
    const run = forwarder({ query, pageLimit: 100, batchSize: 100 }, sink).run({
      startNs: BASE_NS,
    });
    while (writing === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const whileBlocked = server.requests.filter((r) => r.query === query).length;
    assert.ok(whileBlocked <= 2, `${whileBlocked} pages read while the first write waits`);
    release();
    blocked = Promise.resolve();
    await run;
    assert.equal(events.length, 400);
  });

  it("follows new entries until stopped, then keeps its position", async () => {
    const name = app();
    pushRun(server, { app: name }, BASE_NS, 10, SECOND_NS);
    const { sink, events } = collect();
    const stop = new AbortController();
    const store = new FileCheckpointStore<LokiCheckpoint>(join(dir, `follow-${name}`));
    let nowMs = Number(BASE_NS / 1_000_000n) + 30_000;
    const forwarding = forwarder({ query: `{app="${name}"}` }, sink, store, () => nowMs).run({
      startNs: BASE_NS,
      follow: true,
      signal: stop.signal,
    });
    const until = async (count: number) => {
      for (let i = 0; i < 500 && events.length < count; i++)
        await new Promise((r) => setTimeout(r, 10));
    };
    await until(10);
    pushRun(server, { app: name, pod: "late" }, BASE_NS + 40n * SECOND_NS, 5, SECOND_NS);
    nowMs += 60_000;
    await until(15);
    stop.abort();
    const stats = await forwarding;
    assert.equal(events.length, 15);
    assert.equal(stats.sent, 15);
    const saved = await store.load(forwarder({ query: `{app="${name}"}` }, sink).checkpointKey);
    assert.ok(BigInt(saved?.value.timestampNs ?? "0") >= BASE_NS + 44n * SECOND_NS);
  });

  it("retries a throttled Loki and sends the tenant header; a bad query fails with Loki's words", async () => {
    const name = app();
    pushRun(server, { app: name }, BASE_NS, 5, SECOND_NS);
    server.failNext(2, 429, "too many outstanding requests", 0);
    const { sink, events } = collect();
    await forwarder({ query: `{app="${name}"}` }, sink).run({ startNs: BASE_NS });
    assert.equal(events.length, 5);
    await assert.rejects(
      forwarder({ query: `{app="${name}"} | json | unknown_stage` }, sink).run({
        startNs: BASE_NS,
      }),
      (error: Error) => error instanceof LokiQueryError && /parse error/.test(error.message),
    );
    const noTenant = new LokiClient({ url: server.url, retry: fastRetry });
    await assert.rejects(
      noTenant.queryRange({
        query: `{app="${name}"}`,
        startNs: BASE_NS,
        endNs: BASE_NS + SECOND_NS,
        limit: 10,
      }),
      /401\): no org id/,
    );
  });

  it("refuses a page limit above Loki's max entries only when one timestamp holds more than that", async () => {
    const name = app();
    const sameNs = BASE_NS + 42n;
    server.push(
      { app: name },
      Array.from({ length: 12 }, (_, i) => [sameNs, `same instant ${i}`] as const),
    );
    const client = new LokiClient({ url: server.url, tenantId: "team-a", retry: fastRetry });
    const reader = new LokiForwardReader(client, {
      query: `{app="${name}"}`,
      pageLimit: 5,
      maxQueryLimit: 10,
    });
    let position = { ns: BASE_NS, seen: new Set<string>() as ReadonlySet<string> };
    const first = await reader.readPage(position, BASE_NS + SECOND_NS);
    assert.equal(first.entries.length, 5);
    position = first.next;
    const second = await reader.readPage(position, BASE_NS + SECOND_NS);
    assert.equal(second.entries.length, 5, "the limit grew by the 5 already sent");
    await assert.rejects(
      reader.readPage(second.next, BASE_NS + SECOND_NS),
      /10 entries share the timestamp/,
    );
    assert.equal(streamsToEntries([]).length, 0);
  });
});
