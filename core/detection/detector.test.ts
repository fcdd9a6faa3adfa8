import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Registry } from "prom-client";
import { anomalySchema } from "../events/schema.js";
import type { Anomaly } from "../events/types.js";
import {
  FileBackedDetectorState,
  loadDetectorStateFile,
  saveDetectorStateFile,
} from "../files/detectorState.js";
import { assertSetAside, recordingObservers } from "../files/testing/setAside.js";
import { PipelineMetrics } from "../metrics/catalog.js";
import { AnomalyDetector, anomalyId, retentionMs } from "./detector.js";
import { MemoryDetectorState } from "./memoryDetectorState.js";
import { DEFAULT_DETECTOR_SETTINGS } from "./settings.js";
import { type BucketSpec, eventsFor, MINUTE, poisson, seededRandom, T0 } from "./testing/series.js";
import type { DetectorEvent, DetectorSettings, StreamPosition } from "./types.js";

function setup(settings: Partial<DetectorSettings> = {}) {
  const all = { ...DEFAULT_DETECTOR_SETTINGS, ...settings };
  const state = new MemoryDetectorState({
    retainMs: retentionMs(all),
    templateMemoryMs: all.templateMemoryMs,
  });
  const metrics = new PipelineMetrics(new Registry());
  const detector = new AnomalyDetector({ state, settings: all, metrics, now: () => T0 });
  return { detector, state, metrics };
}

/** Feeds events in batches of `batchSize` (committing each step), then flushes. */
async function run(
  detector: AnomalyDetector,
  events: readonly DetectorEvent[],
  options: { batchSize?: number; flush?: boolean } = {},
): Promise<Anomaly[]> {
  const found: Anomaly[] = [];
  const batchSize = options.batchSize ?? 500;
  for (let i = 0; i < events.length; i += batchSize) {
    const detection = await detector.observe(events.slice(i, i + batchSize));
    found.push(...detection.anomalies);
    await detection.commit();
  }
  if (options.flush !== false) {
    const detection = await detector.flush();
    found.push(...detection.anomalies);
    await detection.commit();
  }
  return found;
}

/** Buckets whose label counts are Poisson draws around `mean(minute)`. */
function poissonBuckets(
  minutes: number,
  means: (minute: number) => { incident: number; preventive_action: number; normal: number },
  seed: number,
): BucketSpec[] {
  const random = seededRandom(seed);
  return Array.from({ length: minutes }, (_, minute) => {
    const m = means(minute);
    return {
      incident: poisson(m.incident, random),
      preventive_action: poisson(m.preventive_action, random),
      normal: poisson(m.normal, random),
    };
  });
}

const STEADY = { incident: 6, preventive_action: 20, normal: 150 };

describe("anomaly detector: scoring crafted series", () => {
  it("raises nothing on flat Poisson traffic (12 service-hours)", async () => {
    const { detector } = setup();
    for (const seed of [1, 2]) {
      const events = eventsFor(
        `flat-${seed}`,
        poissonBuckets(360, () => STEADY, seed),
      );
      assert.deepEqual(await run(detector, events, { batchSize: 5000 }), []);
    }
    const status = detector.status();
    assert.equal(status.status, "ready");
    assert.ok(status.bucketsJudged > 600, `judged ${status.bucketsJudged}`);
  });

  it("raises nothing on seasonal traffic that doubles and halves over hours", async () => {
    const { detector } = setup();
    const wave = (minute: number) => 1 + 0.6 * Math.sin((2 * Math.PI * minute) / 240);
    const events = eventsFor(
      "seasonal",
      poissonBuckets(
        480,
        (minute) => ({
          incident: 8 * wave(minute),
          preventive_action: 25 * wave(minute),
          normal: 200 * wave(minute),
        }),
        3,
      ),
    );
    assert.deepEqual(await run(detector, events, { batchSize: 5000 }), []);
  });

  it("raises nothing on a slow drift that triples the incident rate over 8 hours", async () => {
    const { detector } = setup();
    const events = eventsFor(
      "drift",
      poissonBuckets(
        480,
        (minute) => ({
          incident: 5 * (1 + (2 * minute) / 480),
          preventive_action: 15,
          normal: 100,
        }),
        4,
      ),
    );
    assert.deepEqual(await run(detector, events, { batchSize: 5000 }), []);
  });

  it("raises nothing on sparse incidents, and flags a burst among them", async () => {
    const { detector } = setup();
    const buckets = poissonBuckets(
      300,
      () => ({ incident: 0.05, preventive_action: 0.3, normal: 4 }),
      5,
    );
    assert.deepEqual(await run(detector, eventsFor("sparse", buckets), { batchSize: 5000 }), []);

    const { detector: again } = setup();
    const burst = [
      ...buckets.slice(0, 120),
      { ...buckets[120], incident: 7 },
      ...buckets.slice(121),
    ];
    const found = await run(again, eventsFor("sparse", burst), { batchSize: 5000 });
    assert.deepEqual(
      found.map((a) => [a.kind, a.window.start]),
      [["incident-spike", new Date(T0 + 120 * MINUTE).toISOString()]],
    );
  });

  it("flags an incident spike with its window, counts, explanation and samples", async () => {
    const { detector, metrics } = setup();
    const buckets = poissonBuckets(90, () => STEADY, 6);
    buckets[75] = { ...buckets[75], incident: 40 };
    const found = await run(detector, eventsFor("payment", buckets));
    assert.equal(found.length, 1);
    const anomaly = found[0] as Anomaly;
    assert.ok(anomalySchema.safeParse(anomaly).success);
    assert.equal(anomaly.kind, "incident-spike");
    assert.equal(anomaly.service, "payment");
    assert.deepEqual(anomaly.window, {
      start: "2026-01-01T01:15:00.000Z",
      end: "2026-01-01T01:16:00.000Z",
    });
    assert.equal(anomaly.observed, 40);
    assert.ok(Math.abs(anomaly.expected - 6) < 1.5, `expected ${anomaly.expected}`);
    assert.ok(anomaly.score >= 0.7 && anomaly.score < 1);
    assert.match(
      anomaly.explanation,
      /^payment logged 40 incident events in 2026-01-01 01:15–01:16 UTC, [\d.]+× the [\d.]+ expected from the previous hour\.$/,
    );
    assert.equal(anomaly.sampleEventIds.length, 5);
    for (const id of anomaly.sampleEventIds) assert.match(id, /^payment-75-incident-/);
    assert.equal(
      anomaly.id,
      anomalyId("payment", "incident-spike", Date.parse(anomaly.window.start)),
    );
    const gauge = await metrics.anomalyScore.get();
    assert.ok(gauge.values.some((v) => v.labels.kind === "incident-spike"));
    assert.equal((await metrics.anomalies.get()).values[0]?.value, 1);
  });

  it("proves a moderate sustained spike over two or three buckets", async () => {
    const { detector } = setup();
    const buckets = poissonBuckets(100, () => ({ ...STEADY, incident: 3 }), 7);
    // 4x for three minutes: one minute alone is unconvincing, together they are not.
    buckets[79] = { ...buckets[79], incident: 3 };
    for (const minute of [80, 81, 82]) buckets[minute] = { ...buckets[minute], incident: 12 };
    const found = await run(detector, eventsFor("auth", buckets));
    assert.equal(found.length, 1);
    const anomaly = found[0] as Anomaly;
    assert.equal(anomaly.kind, "incident-spike");
    assert.equal(anomaly.window.start, new Date(T0 + 80 * MINUTE).toISOString());
    assert.ok(Date.parse(anomaly.window.end) - Date.parse(anomaly.window.start) >= 2 * MINUTE);
    assert.ok(anomaly.observed >= 24);
  });

  it("flags a preventive_action spike", async () => {
    const { detector } = setup();
    const buckets = poissonBuckets(90, () => STEADY, 8);
    buckets[70] = { ...buckets[70], preventive_action: 90 };
    const found = await run(detector, eventsFor("database", buckets));
    assert.deepEqual(
      found.map((a) => a.kind),
      ["preventive-spike"],
    );
    assert.match(found[0]?.explanation ?? "", /90 preventive_action \(warning\) events/);
  });

  it("flags a burst of incident templates never seen before, and not their later repeats", async () => {
    const { detector } = setup();
    const known = ["t-a", "t-b", "t-c"];
    const buckets: BucketSpec[] = poissonBuckets(100, () => STEADY, 9).map((b) => ({
      ...b,
      incidentTemplates: known,
    }));
    const fresh = ["new-1", "new-2", "new-3", "new-4"];
    for (const minute of [80, 81, 82, 83])
      buckets[minute] = { ...buckets[minute], incident: 6, incidentTemplates: fresh };
    const found = await run(detector, eventsFor("inventory", buckets));
    assert.deepEqual(
      found.map((a) => [a.kind, a.window.start, a.observed]),
      [["new-templates", new Date(T0 + 80 * MINUTE).toISOString(), 6]],
    );
    assert.match(
      found[0]?.explanation ?? "",
      /from 4 templates never seen before for this service/,
    );
  });

  it("is robust to an earlier spike in its baseline", async () => {
    const { detector } = setup();
    const buckets = poissonBuckets(120, () => STEADY, 10);
    for (const minute of [50, 51, 52]) buckets[minute] = { ...buckets[minute], incident: 80 };
    buckets[90] = { ...buckets[90], incident: 35 };
    const found = await run(detector, eventsFor("cache", buckets));
    // One anomaly per spike minute, and the later spike is still judged against ~6, not ~10.
    assert.deepEqual(
      found.map((a) => a.window.start),
      [50, 51, 52, 90].map((m) => new Date(T0 + m * MINUTE).toISOString()),
    );
    assert.ok((found[3]?.expected ?? 0) < 7.5, `expected ${found[3]?.expected}`);
  });
});

describe("anomaly detector: cold start, time and idempotence", () => {
  it("says it is still learning and raises nothing before a baseline exists", async () => {
    const { detector } = setup();
    const buckets = poissonBuckets(25, () => STEADY, 11);
    buckets[22] = { ...buckets[22], incident: 200 };
    assert.deepEqual(await run(detector, eventsFor("young", buckets)), []);
    const status = detector.status();
    assert.equal(status.status, "learning");
    assert.match(status.message, /still learning/);
    assert.ok(status.bucketsLearning > 0);
    assert.equal(status.bucketsJudged, 0);
  });

  it("treats a baseline with too few events as too thin to judge", async () => {
    const { detector } = setup();
    const buckets: BucketSpec[] = Array.from({ length: 70 }, (_, i) => ({
      normal: i % 4 === 0 ? 1 : 0,
    }));
    buckets[69] = { incident: 30 };
    assert.deepEqual(await run(detector, eventsFor("quiet", buckets)), []);
    assert.equal(detector.status().status, "learning");
    // The same spike over a baseline that holds enough events is judged.
    const { detector: busier } = setup({ minBaselineEvents: 10 });
    const kinds = (await run(busier, eventsFor("quiet", buckets))).map((a) => a.kind);
    assert.deepEqual(kinds.sort(), ["incident-spike", "new-templates"]);
  });

  it("judges a bucket only once event time has passed its end and the lateness, or at flush", async () => {
    const { detector } = setup({ allowedLatenessMs: 2 * MINUTE });
    const buckets = poissonBuckets(71, () => STEADY, 12);
    buckets[70] = { ...buckets[70], incident: 60 };
    const early = await run(detector, eventsFor("edge", buckets), { flush: false });
    assert.deepEqual(early, []);
    // A minute and a half later the bucket is not closed yet (lateness is two minutes)...
    const later = eventsFor("edge", [STEADY], T0 + 71 * MINUTE + 30_000);
    assert.deepEqual((await detector.observe(later.slice(0, 1))).anomalies, []);
    // ...at flush it is.
    const flushed = await detector.flush();
    assert.equal(flushed.anomalies.length, 1);
  });

  it("closes a quiet service's buckets when wall-clock time passes them", async () => {
    const { detector } = setup();
    const buckets = poissonBuckets(71, () => STEADY, 13);
    buckets[70] = { ...buckets[70], incident: 60 };
    assert.deepEqual(await run(detector, eventsFor("quiet-after", buckets), { flush: false }), []);
    assert.deepEqual((await detector.advance(T0 + 71 * MINUTE)).anomalies, []);
    const advanced = await detector.advance(T0 + 74 * MINUTE);
    assert.equal(advanced.anomalies.length, 1);
  });

  it("gives the same ids however the input is batched, and never a second anomaly per window", async () => {
    const buckets = poissonBuckets(100, () => STEADY, 14);
    buckets[80] = { ...buckets[80], incident: 45 };
    buckets[81] = { ...buckets[81], incident: 45 };
    const events = eventsFor("api", buckets);
    const inOne = await run(setup().detector, events, { batchSize: events.length });
    const inMany = await run(setup().detector, events, { batchSize: 37 });
    assert.ok(inOne.length >= 1);
    assert.deepEqual(
      inMany.map((a) => a.id),
      inOne.map((a) => a.id),
    );
    assert.equal(new Set(inOne.map((a) => a.id)).size, inOne.length);
    // Windows of one kind never overlap.
    for (let i = 1; i < inOne.length; i++) {
      assert.ok((inOne[i]?.window.start ?? "") >= (inOne[i - 1]?.window.end ?? ""));
    }
  });

  it("counts a re-delivered batch once and raises nothing new from it", async () => {
    const { detector, state } = setup();
    const buckets = poissonBuckets(90, () => STEADY, 15);
    buckets[75] = { ...buckets[75], incident: 40 };
    const events = eventsFor("orders", buckets);
    const positions: StreamPosition[] = events.map((_, i) => ({
      stream: "classified-logs-0",
      sequence: BigInt(i),
    }));
    const first = await detector.observe(events, positions);
    await first.commit();
    const flushed = await detector.flush();
    await flushed.commit();
    const raised = [...first.anomalies, ...flushed.anomalies];
    assert.equal(raised.length, 1);

    const [before] = await state.readBuckets("orders", T0 + 75 * MINUTE, T0 + 76 * MINUTE);
    const again = await detector.observe(events.slice(-5000), positions.slice(-5000));
    assert.deepEqual(again.anomalies, []);
    const [afterRedelivery] = await state.readBuckets("orders", T0 + 75 * MINUTE, T0 + 76 * MINUTE);
    assert.deepEqual(afterRedelivery?.counts, before?.counts);
    assert.equal(detector.status().eventsIgnored.redelivered, 5000);
    assert.equal(detector.status().eventsCounted, events.length);
  });

  it("counts late events into their own bucket and judges it again", async () => {
    const { detector } = setup();
    const buckets = poissonBuckets(90, () => STEADY, 16);
    const events = eventsFor("late", buckets);
    assert.deepEqual(await run(detector, events, { flush: false }), []);
    // 40 incidents stamped in minute 80 arrive after minute 89's events: the bucket was judged
    // (quietly) long ago; with them it is a spike.
    const late = eventsFor("late", [{ incident: 40 }], T0 + 80 * MINUTE).map((e) => ({
      ...e,
      id: `late-${e.id}`,
    }));
    const detection = await detector.observe(late);
    assert.deepEqual(
      detection.anomalies.map((a) => [a.kind, a.window.start, a.observed]),
      [
        [
          "incident-spike",
          new Date(T0 + 80 * MINUTE).toISOString(),
          (buckets[80]?.incident ?? 0) + 40,
        ],
      ],
    );
    await detection.commit();
    // Judged again with more late events, the same window raises nothing more.
    const later = late.map((e) => ({ ...e, id: `later-${e.id}` }));
    assert.deepEqual((await detector.observe(later)).anomalies, []);
  });

  it("ignores events older than the baseline horizon and counts them", async () => {
    const { detector, metrics } = setup();
    await run(
      detector,
      eventsFor(
        "old",
        poissonBuckets(200, () => STEADY, 17),
      ),
      {
        flush: false,
      },
    );
    const ancient = eventsFor("old", [{ incident: 7 }], T0 + 10 * MINUTE);
    const garbled = { ...(ancient[0] as DetectorEvent), timestamp: "not a time" };
    await detector.observe([...ancient, garbled]);
    assert.deepEqual(detector.status().eventsIgnored, { too_old: 7, invalid_timestamp: 1 });
    const ignored = await metrics.detectorEventsIgnored.get();
    assert.equal(ignored.values.find((v) => v.labels.reason === "too_old")?.value, 7);
  });
});

describe("anomaly detector: state file", () => {
  const dir = mkdtempSync(join(tmpdir(), "sentinel-detector-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps its baseline across a restart through the state file", async () => {
    const file = join(dir, "detector-state.json");
    const first = setup();
    const buckets = poissonBuckets(80, () => STEADY, 18);
    await run(first.detector, eventsFor("persisted", buckets.slice(0, 70)), { flush: false });
    await saveDetectorStateFile(file, first.state);

    const second = setup();
    assert.equal(await loadDetectorStateFile(file, second.state), true);
    const spike = buckets.slice(70);
    spike[2] = { ...spike[2], incident: 50 };
    const found = await run(second.detector, eventsFor("persisted", spike, T0 + 70 * MINUTE));
    assert.deepEqual(
      found.map((a) => a.window.start),
      [new Date(T0 + 72 * MINUTE).toISOString()],
    );
  });

  it("saves a file-backed state at each commit, so the next process resumes from it", async () => {
    const file = join(dir, "lambda-state.json");
    const all = DEFAULT_DETECTOR_SETTINGS;
    const fileBacked = () =>
      FileBackedDetectorState.open(
        file,
        new MemoryDetectorState({
          retainMs: retentionMs(all),
          templateMemoryMs: all.templateMemoryMs,
        }),
      );
    const metrics = new PipelineMetrics(new Registry());
    const buckets = poissonBuckets(80, () => STEADY, 21);
    const first = new AnomalyDetector({
      state: await fileBacked(),
      settings: all,
      metrics,
      now: () => T0,
    });
    await run(first, eventsFor("lambda", buckets.slice(0, 70)), { flush: false });

    const resumed = await fileBacked();
    const [bucket] = await resumed.readBuckets("lambda", T0 + 10 * MINUTE, T0 + 11 * MINUTE, T0);
    assert.equal(bucket?.counts.incident, buckets[10]?.incident);
    const spike = buckets.slice(70);
    spike[3] = { ...spike[3], incident: 50 };
    const second = new AnomalyDetector({ state: resumed, settings: all, metrics, now: () => T0 });
    const found = await run(second, eventsFor("lambda", spike, T0 + 70 * MINUTE));
    assert.deepEqual(
      found.map((a) => a.window.start),
      [new Date(T0 + 73 * MINUTE).toISOString()],
    );
  });

  it("starts empty without a file, and sets a corrupt file aside", async () => {
    const { state } = setup();
    assert.equal(await loadDetectorStateFile(join(dir, "missing.json"), state), false);
    const broken = join(dir, "broken.json");
    const corrupt = '{"version": 1, "services": [{"service": ""}]}';
    writeFileSync(broken, corrupt);
    const observers = recordingObservers();
    assert.equal(await loadDetectorStateFile(broken, state, observers), false);
    await assertSetAside(broken, corrupt, observers, "detector_state");
    assert.match(String(observers.records[0]?.reason), /^services\.0\./);
  });

  it("opens a file-backed state over a corrupt file: set aside, learning again, saved anew", async () => {
    const file = join(dir, "corrupt-lambda-state.json");
    const settings = DEFAULT_DETECTOR_SETTINGS;
    const memory = () =>
      new MemoryDetectorState({
        retainMs: retentionMs(settings),
        templateMemoryMs: settings.templateMemoryMs,
      });
    for (const corrupt of ["{truncated", '{"version": 1, "services": "none"}']) {
      writeFileSync(file, corrupt);
      const observers = recordingObservers();
      const state = await FileBackedDetectorState.open(file, memory(), observers);
      const aside = await assertSetAside(file, corrupt, observers, "detector_state");
      rmSync(aside);

      const detector = new AnomalyDetector({
        state,
        settings,
        metrics: observers.metrics,
        now: () => T0,
      });
      const buckets = poissonBuckets(5, () => STEADY, 3);
      await run(detector, eventsFor("fresh", buckets), { flush: false });
      const reopened = await FileBackedDetectorState.open(file, memory(), observers);
      const [bucket] = await reopened.readBuckets("fresh", T0, T0 + MINUTE, T0);
      assert.equal(bucket?.counts.incident, buckets[0]?.incident);
      assert.equal(observers.records.length, 1, "the new file is read back without a warning");
    }
  });
});
