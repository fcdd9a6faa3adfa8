import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  BatchGetItemCommand,
  type BatchGetItemCommandInput,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { Registry } from "prom-client";
import { AnomalyDetector, retentionMs } from "../detection/detector.js";
import type { DetectorState } from "../detection/detectorState.js";
import { MemoryDetectorState } from "../detection/memoryDetectorState.js";
import { DEFAULT_DETECTOR_SETTINGS } from "../detection/settings.js";
import {
  type BucketSpec,
  eventsFor,
  MINUTE,
  poisson,
  seededRandom,
  T0,
} from "../detection/testing/series.js";
import type { CountDelta, DeltaEntry } from "../detection/types.js";
import type { Anomaly } from "../events/types.js";
import { PipelineMetrics } from "../metrics/catalog.js";
import { DynamoDetectorState } from "./detectorState.js";
import { type LocalDynamo, startDynalite } from "./testing/dynalite.js";

// DynamoDB on loopback (dynalite): stores the TTL attribute but never expires items.
let dynamo: LocalDynamo;
const NOW = Date.parse("2026-03-01T00:00:00.000Z");
const settings = DEFAULT_DETECTOR_SETTINGS;

/** A store on a fresh table, or on `tableName` to share one with another store. */
async function store(tableName?: string): Promise<DynamoDetectorState> {
  return new DynamoDetectorState({
    client: dynamo.client,
    tableName: tableName ?? (await dynamo.createStateTable()),
    retainMs: retentionMs(settings),
    templateMemoryMs: settings.templateMemoryMs,
  });
}

function entries(count: number, from = 0, label: DeltaEntry["label"] = "incident"): DeltaEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `e-${from + i}`,
    label,
    novel: false,
    newTemplate: false,
    sequence: BigInt(from + i),
  }));
}

before(async () => {
  dynamo = await startDynalite();
});

after(async () => {
  await dynamo.stop();
});

describe("DynamoDB detector state", () => {
  it("adds counts atomically from writers racing on one bucket", async () => {
    const table = await dynamo.createStateTable();
    const a = await store(table);
    const b = await store(table);
    const delta = (i: number): CountDelta => ({
      service: "api",
      bucket: T0,
      entries: [{ id: `x-${i}`, label: "incident", novel: i % 2 === 0, newTemplate: false }],
    });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).addCounts([delta(i)], NOW)),
    );
    const [bucket] = await a.readBuckets("api", T0, T0 + MINUTE, NOW);
    assert.equal(bucket?.counts.incident, 30);
    assert.equal(bucket?.counts.novel, 15);
    assert.equal(bucket?.samples.incident.length, 5);
  });

  it("counts a re-delivered batch once, and only the new tail of an overlapping one", async () => {
    const state = await store();
    const delta = (list: DeltaEntry[]): CountDelta => ({
      service: "payment",
      bucket: T0,
      stream: "classified-logs-2",
      entries: list,
    });
    assert.equal((await state.addCounts([delta(entries(10))], NOW)).length, 1);
    assert.deepEqual(await state.addCounts([delta(entries(10))], NOW), []);
    const overlapping = await state.addCounts([delta(entries(15, 5))], NOW);
    assert.equal(overlapping[0]?.entries.length, 10);
    // Another partition's records are its own.
    await state.addCounts([{ ...delta(entries(3)), stream: "classified-logs-5" }], NOW);
    const [bucket] = await state.readBuckets("payment", T0, T0 + MINUTE, NOW);
    assert.equal(bucket?.counts.incident, 23);
  });

  it("treats expired items as absent, though dynalite still holds them", async () => {
    const state = await store();
    await state.touchService("old", T0, T0 + 1000, NOW);
    await state.addCounts([{ service: "old", bucket: T0, entries: entries(4) }], NOW);
    await state.sightTemplates("old", new Map([["t-1", T0]]), NOW);
    const later = NOW + settings.templateMemoryMs + retentionMs(settings) + 1000;
    assert.deepEqual(await state.readBuckets("old", T0, T0 + MINUTE, later), []);
    assert.equal(await state.readProgress("old", later), undefined);
    const { before: previous } = await state.touchService("old", T0 + MINUTE, T0 + MINUTE, later);
    assert.equal(previous, undefined);
    const sighted = await state.sightTemplates("old", new Map([["t-1", T0 + MINUTE]]), later);
    assert.deepEqual(sighted.get("t-1"), { firstBucket: T0 + MINUTE, isNew: true });
    // New counts in the expired bucket start from zero, not from the old ones.
    await state.addCounts([{ service: "old", bucket: T0, entries: entries(2, 100) }], later);
    const [fresh] = await state.readBuckets("old", T0, T0 + MINUTE, later);
    assert.equal(fresh?.counts.incident, 2);
  });

  it("records a template as new exactly once when writers race", async () => {
    const table = await dynamo.createStateTable();
    const a = await store(table);
    const b = await store(table);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 === 0 ? a : b).sightTemplates("auth", new Map([["fresh", T0]]), NOW),
      ),
    );
    assert.equal(results.filter((r) => r.get("fresh")?.isNew).length, 1);
    assert.ok(results.every((r) => r.get("fresh")?.firstBucket === T0));
  });

  it("asks again for the keys a BatchGetItem left unprocessed", async () => {
    const table = await dynamo.createStateTable();
    const ids = ["t1", "t2", "t3"];
    await (await store(table)).sightTemplates("auth", new Map(ids.map((id) => [id, T0])), NOW);
    // DynamoDB under throttling: the first two calls return only the first key they were asked for.
    let batchGets = 0;
    const throttled = {
      send: async (command: { input: BatchGetItemCommandInput }) => {
        if (!(command instanceof BatchGetItemCommand) || ++batchGets > 2)
          return dynamo.client.send(command as never);
        const keys = command.input.RequestItems?.[table]?.Keys ?? [];
        const answered = await dynamo.client.send(
          new BatchGetItemCommand({
            RequestItems: { [table]: { Keys: keys.slice(0, 1), ConsistentRead: true } },
          }),
        );
        return { ...answered, UnprocessedKeys: { [table]: { Keys: keys.slice(1) } } };
      },
    } as unknown as DynamoDBClient;
    const reader = new DynamoDetectorState({
      client: throttled,
      tableName: table,
      retainMs: retentionMs(settings),
      templateMemoryMs: settings.templateMemoryMs,
    });
    const sightings = await reader.sightTemplates("auth", new Map(ids.map((id) => [id, T0])), NOW);
    assert.equal(batchGets, 3);
    assert.deepEqual(
      ids.map((id) => sightings.get(id)?.isNew),
      [false, false, false],
    );
  });

  it("moves a service's clock and judgements only forward", async () => {
    const state = await store();
    await state.touchService("db", T0 + 5 * MINUTE, T0 + 6 * MINUTE, NOW);
    const { after: moved } = await state.touchService("db", T0, T0 + 30_000, NOW);
    assert.equal(moved.firstBucket, T0);
    assert.equal(moved.watermark, T0 + 6 * MINUTE);
    await Promise.all([
      state.commitProgress("db", T0 + 3 * MINUTE, { "incident-spike": T0 + 2 * MINUTE }, NOW),
      state.commitProgress("db", T0 + 4 * MINUTE, {}, NOW),
      state.commitProgress("db", T0 + MINUTE, { "incident-spike": T0 + MINUTE }, NOW),
    ]);
    const progress = await state.readProgress("db", NOW);
    assert.equal(progress?.judgedThrough, T0 + 4 * MINUTE);
    assert.deepEqual(progress?.anomalyEnd, { "incident-spike": T0 + 2 * MINUTE });
  });

  it("lets the detector find on DynamoDB exactly what it finds in memory", async () => {
    const random = seededRandom(21);
    const buckets: BucketSpec[] = Array.from({ length: 80 }, () => ({
      incident: poisson(2, random),
      normal: poisson(6, random),
    }));
    buckets[70] = { ...buckets[70], incident: 25 };
    const events = eventsFor("checkout", buckets);
    const positions = events.map((_, i) => ({ stream: "classified-logs-0", sequence: BigInt(i) }));

    const runOn = async (state: DetectorState) => {
      const detector = new AnomalyDetector({
        state,
        settings,
        metrics: new PipelineMetrics(new Registry()),
        now: () => NOW,
      });
      const found: Anomaly[] = [];
      for (let i = 0; i < events.length; i += 250) {
        const step = await detector.observe(events.slice(i, i + 250), positions.slice(i, i + 250));
        found.push(...step.anomalies);
        await step.commit();
      }
      const flushed = await detector.flush();
      found.push(...flushed.anomalies);
      await flushed.commit();
      // Re-delivering a batch changes nothing.
      const again = await detector.observe(events.slice(-250), positions.slice(-250));
      assert.deepEqual(again.anomalies, []);
      return found.map((a) => ({ ...a, sampleEventIds: [...a.sampleEventIds].sort() }));
    };
    const inMemory = await runOn(
      new MemoryDetectorState({
        retainMs: retentionMs(settings),
        templateMemoryMs: settings.templateMemoryMs,
      }),
    );
    const onDynamo = await runOn(await store());
    assert.equal(inMemory.length, 1);
    assert.equal(inMemory[0]?.window.start, new Date(T0 + 70 * MINUTE).toISOString());
    assert.deepEqual(onDynamo, inMemory);
  });
});
