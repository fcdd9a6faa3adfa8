import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TokenCredential } from "@azure/identity";
import type { LogEvent } from "../events/types.js";
import { FileCheckpointStore } from "../files/checkpointStore.js";
import { CheckpointConflictError, type CheckpointStore } from "../ingestion/checkpoint.js";
import { CallbackEventSink } from "../ingestion/eventSink.js";
import type { Logger } from "../logging/logger.js";
import { AzureQueryError } from "./errors.js";
import { WorkspaceQuery } from "./logAnalyticsQuery.js";
import { type AzureCheckpoint, AzureLogPoller, type AzurePollerSettings } from "./poller.js";
import { type LogAnalyticsServer, startLogAnalyticsServer } from "./testing/logAnalyticsServer.js";

const WORKSPACE = "00000000-0000-0000-0000-0000000000aa";
const TOKEN = "fake-token-for-tests-only";
const QUERY = "union * | order by TimeGenerated asc";
const NOW = Date.parse("2026-01-05T12:00:00Z");
const MINUTE = 60_000;

const fakeCredential: TokenCredential = {
  getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

const fastRetry = { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20 };

/** AppTraces-shaped rows, one every `stepMs` from `from`; every third has no _ItemId (content id). */
function traces(prefix: string, from: number, count: number, stepMs: number) {
  return Array.from({ length: count }, (_, i) => ({
    TimeGenerated: new Date(from + i * stepMs).toISOString(),
    Message: `${prefix} request ${i} handled`,
    SeverityLevel: i % 5 === 0 ? 3 : 1,
    AppRoleName: "checkout-api",
    ...(i % 3 !== 0 && { _ItemId: `${prefix}-item-${i}` }),
  }));
}

function warnings(): { logger: Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const record = (fields: unknown) => entries.push(fields as Record<string, unknown>);
  const logger = { warn: record, info: () => {}, debug: () => {} } as unknown as Logger;
  return { logger, entries };
}

describe("AzureLogPoller against the local Log Analytics stand-in, through @azure/monitor-query-logs", () => {
  let server: LogAnalyticsServer;
  let dir: string;
  let clock = NOW;
  let stores = 0;

  before(async () => {
    server = await startLogAnalyticsServer({
      workspaceId: WORKSPACE,
      token: TOKEN,
      now: () => clock,
    });
    dir = await mkdtemp(join(tmpdir(), "sentinel-azure-poller-"));
  });
  after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function setup(
    overrides: Partial<AzurePollerSettings> = {},
    store: CheckpointStore<AzureCheckpoint> = new FileCheckpointStore(
      join(dir, `store-${++stores}`),
    ),
    logger?: Logger,
  ) {
    const sent: LogEvent[] = [];
    const query = overrides.query ?? `${QUERY} // ${stores}`;
    const source = new WorkspaceQuery({
      credential: fakeCredential,
      endpoint: server.endpoint,
      clientOptions: { agent: server.agent },
      workspaceId: WORKSPACE,
      query,
      retry: fastRetry,
      ...(logger && { logger }),
    });
    const settings: AzurePollerSettings = {
      workspaceId: WORKSPACE,
      query,
      lagMs: 3 * MINUTE,
      overlapMs: 10 * MINUTE,
      maxWindowMs: 15 * MINUTE,
      maxWindowsPerRun: 100,
      startLookbackMs: 60 * MINUTE,
      maxMessageBytes: 16_384,
      partialRetry: fastRetry,
      ...overrides,
    };
    const sink = new CallbackEventSink((events) => {
      sent.push(...events);
    });
    const poller = () => new AzureLogPoller(settings, { source, store, sink, now: () => clock });
    return { sent, store, poller, settings };
  }

  it("reads every row once, in windows that end a lag behind now, and checkpoints the end", async () => {
    clock = NOW;
    const rows = traces("a", NOW - 50 * MINUTE, 90, 30_000); // 45 minutes of rows
    server.addRows("AppTraces", rows);
    const requestsBefore = server.requests.length;
    const { sent, store, poller } = setup();

    const summary = await poller().poll({ startAt: NOW - 55 * MINUTE });

    const expected = rows.filter((row) => Date.parse(row.TimeGenerated) <= NOW - 3 * MINUTE);
    assert.equal(sent.length, expected.length);
    assert.equal(new Set(sent.map((e) => e.id)).size, sent.length, "no id twice");
    assert.deepEqual(sent.map((e) => e.message).sort(), expected.map((row) => row.Message).sort());
    assert.equal(summary.caughtUp, true);
    assert.equal(summary.windowEnd, new Date(NOW - 3 * MINUTE).toISOString());
    const windows = server.requests.slice(requestsBefore);
    assert.equal(windows[0]?.start, new Date(NOW - 55 * MINUTE).toISOString());
    assert.equal(
      windows[1]?.start,
      new Date(NOW - 50 * MINUTE).toISOString(),
      "the second window re-reads 10 minutes",
    );
    assert.ok(
      windows.every((w) => Date.parse(w.end) - Date.parse(w.start) <= 25 * MINUTE),
      "15 minutes of new time, plus the 10 re-read",
    );
    assert.ok(summary.duplicates > 0, "the overlap was re-read and its rows recognised");
    const checkpoint = await store.load(poller().checkpointKey);
    assert.equal(checkpoint?.value.windowEnd, summary.windowEnd);
    const event = sent.find((e) => e.message === "a request 1 handled");
    assert.equal(event?.id, "a-item-1");
    assert.deepEqual(event?.source, {
      provider: "azure",
      workspace: WORKSPACE,
      table: "AppTraces",
    });
    assert.equal(event?.service, "checkout-api");
  });

  it("picks up rows that became queryable late through the overlap, and sends nothing twice", async () => {
    clock = NOW;
    const { sent, poller } = setup();
    const onTime = traces("b-on-time", NOW - 20 * MINUTE, 10, MINUTE);
    const late = traces("b-late", NOW - 8 * MINUTE, 3, MINUTE); // queryable only 7 minutes later
    server.addRows("AppTraces", onTime);
    server.addRows("AppTraces", late, NOW + 7 * MINUTE);

    await poller().poll({ startAt: NOW - 30 * MINUTE });
    assert.equal(sent.filter((e) => e.message.startsWith("b-late")).length, 0);
    const firstRun = sent.length;

    clock = NOW + 8 * MINUTE;
    const second = await poller().poll();
    const lateSent = sent.slice(firstRun);
    assert.deepEqual(
      lateSent.map((e) => e.message).sort(),
      late.map((row) => row.Message).sort(),
      "the second run sends exactly the late rows",
    );
    assert.ok(second.duplicates > 0);
    assert.equal(new Set(sent.map((e) => e.id)).size, sent.length);
  });

  it("splits a window whose result is cut at the row limit until every row is read", async () => {
    clock = NOW;
    const limited = await startLogAnalyticsServer({
      workspaceId: WORKSPACE,
      token: TOKEN,
      maxRowsPerQuery: 40,
      now: () => clock,
    });
    try {
      const rows = traces("c", NOW - 14 * MINUTE, 150, 5000);
      limited.addRows("AppTraces", rows);
      const sent: LogEvent[] = [];
      const poller = new AzureLogPoller(
        {
          workspaceId: WORKSPACE,
          query: QUERY,
          lagMs: 0,
          overlapMs: 0,
          maxWindowMs: 15 * MINUTE,
          maxWindowsPerRun: 10,
          startLookbackMs: 15 * MINUTE,
          maxMessageBytes: 16_384,
        },
        {
          source: new WorkspaceQuery({
            credential: fakeCredential,
            endpoint: limited.endpoint,
            clientOptions: { agent: limited.agent },
            workspaceId: WORKSPACE,
            query: QUERY,
            retry: fastRetry,
          }),
          store: new FileCheckpointStore(join(dir, "split")),
          sink: new CallbackEventSink((events) => {
            sent.push(...events);
          }),
          now: () => clock,
        },
      );
      const summary = await poller.poll();
      assert.ok(summary.splits >= 3, `splits: ${summary.splits}`);
      assert.equal(sent.length, rows.length);
      assert.equal(new Set(sent.map((e) => e.id)).size, rows.length);
      assert.ok(
        limited.requests.some((r) => r.rows === 40),
        "a cut result was seen",
      );
    } finally {
      await limited.stop();
    }
  });

  it("backs off on 429 for at least the Retry-After the API asked for", async () => {
    clock = NOW;
    server.addRows("AppTraces", traces("d", NOW - 10 * MINUTE, 3, MINUTE));
    const { logger, entries } = warnings();
    const { sent, poller } = setup({}, undefined, logger);
    server.throttleNext(1, 1);
    const started = server.requests.length;
    await poller().poll({ startAt: NOW - 11 * MINUTE });
    assert.deepEqual(
      server.requests.slice(started, started + 2).map((r) => r.status),
      [429, 200],
    );
    assert.equal(entries.length, 1);
    for (const entry of entries) assert.ok((entry.delayMs as number) >= 1000);
    assert.ok(sent.some((e) => e.message === "d request 0 handled"));
  });

  it("asks again when a result is partial for another reason than its size", async () => {
    clock = NOW;
    server.addRows("AppTraces", traces("e", NOW - 9 * MINUTE, 4, MINUTE));
    const { sent, poller } = setup();
    server.partialNext(1);
    const summary = await poller().poll({ startAt: NOW - 9.5 * MINUTE });
    assert.equal(summary.splits, 0);
    assert.equal(sent.filter((e) => e.message.startsWith("e ")).length, 4);
  });

  it("stops on a refused query with the API's reason and leaves the checkpoint where it was", async () => {
    clock = NOW;
    const { store, poller } = setup();
    const badQuery = JSON.parse(
      readFileSync(new URL("./fixtures/badQuery.json", import.meta.url), "utf8"),
    ) as unknown;
    server.failNext(1, 400, badQuery);
    await assert.rejects(
      poller().poll({ startAt: NOW - 5 * MINUTE }),
      (error: Error) =>
        error instanceof AzureQueryError &&
        /Query could not be parsed at 'whre'/.test(error.message),
    );
    assert.equal(await store.load(poller().checkpointKey), undefined);
  });

  it("loses nothing and repeats only the window in flight when a run dies before its checkpoint", async () => {
    clock = NOW;
    const rows = traces("f", NOW - 58 * MINUTE, 110, 30_000);
    server.addRows("AppTraces", rows);
    const inner = new FileCheckpointStore<AzureCheckpoint>(join(dir, "crash"));
    let saves = 0;
    const crashing: CheckpointStore<AzureCheckpoint> = {
      load: (key) => inner.load(key),
      save: async (key, value, version) => {
        if (++saves === 3) throw new Error("killed between produce and checkpoint");
        return inner.save(key, value, version);
      },
    };
    const first = setup({}, crashing);
    const sentBeforeCrash: string[] = [];
    await assert.rejects(first.poller().poll({ startAt: NOW - 60 * MINUTE }), /killed/);
    sentBeforeCrash.push(...first.sent.map((e) => e.id));

    const restarted = setup({ query: first.settings.query }, inner);
    await restarted.poller().poll();
    const all = [...first.sent, ...restarted.sent]
      .filter((e) => e.message.startsWith("f "))
      .map((e) => e.id);
    const expected = rows.filter((row) => Date.parse(row.TimeGenerated) <= NOW - 3 * MINUTE);
    assert.equal(new Set(all).size, expected.length, "no gap: every row's id arrived");
    const repeated = restarted.sent.filter((e) => sentBeforeCrash.includes(e.id));
    assert.ok(repeated.length > 0, "the window in flight was sent again");
    const windowStart = NOW - 60 * MINUTE + 2 * 15 * MINUTE - 10 * MINUTE;
    const windowEnd = NOW - 60 * MINUTE + 3 * 15 * MINUTE;
    for (const event of repeated) {
      const at = Date.parse(event.timestamp);
      assert.ok(
        at >= windowStart && at <= windowEnd,
        `${event.timestamp} repeated from outside the window in flight`,
      );
    }
  });

  it("lets only one of two runs that read the same checkpoint advance it", async () => {
    clock = NOW;
    server.addRows("AppTraces", traces("g", NOW - 20 * MINUTE, 5, MINUTE));
    const shared = new FileCheckpointStore<AzureCheckpoint>(join(dir, "race"));
    const one = setup({}, shared);
    await one.poller().poll({ startAt: NOW - 25 * MINUTE });
    clock = NOW + 5 * MINUTE;
    const loaded = await shared.load(one.poller().checkpointKey);
    assert.ok(loaded);
    // A second run that loaded the same version saves after the first one did.
    const stale: CheckpointStore<AzureCheckpoint> = {
      load: async () => loaded,
      save: (k, v, ver) => shared.save(k, v, ver),
    };
    await one.poller().poll();
    const racer = setup({ query: one.settings.query }, stale);
    await assert.rejects(racer.poller().poll(), CheckpointConflictError);
  });

  it("stops at maxWindowsPerRun and says it has not caught up", async () => {
    clock = NOW;
    const { poller } = setup({ maxWindowsPerRun: 2, maxWindowMs: 5 * MINUTE });
    const summary = await poller().poll({ startAt: NOW - 60 * MINUTE });
    assert.equal(summary.windows, 2);
    assert.equal(summary.caughtUp, false);
    const next = await poller().poll();
    assert.equal(next.windows, 2, "the next run goes on from the checkpoint");
  });
});
