// Detection evaluation for `npm run bench`: recall and delay on injected 5x incident spikes, false
// anomalies per service-day of steady traffic, and the detector's throughput.
//
// Everything runs on event time from the synthetic generator (core/synthetic) with its
// ground-truth labels and template ids, through the real detector over the in-memory state:
// - Spikes: for each seed, 90 minutes of `steady` traffic at the default 50 events/s. For each
//   service, a copy of its stream gets extra incident events in minutes 70-74 so that its incident
//   rate is five times its own rate over minutes 10-69 (Poisson draws of 4x that rate per minute,
//   templates drawn from the service's own incidents, timestamps uniform in the minute). A trial
//   counts as detected when an `incident-spike` anomaly for that service covers a spike minute;
//   its delay is the bucket that raised it minus the spike's first bucket (0: the first minute).
// - False anomalies: whole days of `steady` traffic (every anomaly there is false), at the default
//   rate and at a tenth of it (sparse counts), divided by services x days.
// - Throughput: events per second through `AnomalyDetector.observe` during the steady days
//   (generation excluded), batches of 5,000.

import { AnomalyDetector, retentionMs } from "../../core/detection/detector.js";
import { MemoryDetectorState } from "../../core/detection/memoryDetectorState.js";
import { DEFAULT_DETECTOR_SETTINGS } from "../../core/detection/settings.js";
import type { DetectorEvent } from "../../core/detection/types.js";
import type { Anomaly } from "../../core/events/types.js";
import { PipelineMetrics } from "../../core/metrics/catalog.js";
import { generateSyntheticLogs, listServices } from "../../core/synthetic/index.js";

type Report = (name: string, value: number, unit: string, target?: string) => void;

const settings = DEFAULT_DETECTOR_SETTINGS;
const MINUTE = 60_000;
const SPIKE_FROM_MINUTE = 70;
const SPIKE_MINUTES = 5;
const SPIKE_FACTOR = 5;
const SPIKE_SEEDS = Number(process.env.BENCH_DETECTION_SEEDS ?? 8);
const STEADY_DAYS = Number(process.env.BENCH_DETECTION_DAYS ?? 2);

function newDetector(): AnomalyDetector {
  const state = new MemoryDetectorState({
    retainMs: retentionMs(settings),
    templateMemoryMs: settings.templateMemoryMs,
  });
  return new AnomalyDetector({ state, settings, metrics: new PipelineMetrics() });
}

function* steadyEvents(seed: number, rate: number, count: number): Generator<DetectorEvent> {
  let i = 0;
  for (const record of generateSyntheticLogs({
    scenario: "steady",
    seed,
    rate,
    count,
    includeTemplateId: true,
  })) {
    yield {
      id: `${seed}-${i++}`,
      timestamp: record.timestamp,
      service: record.service,
      classification: { label: record.label, templateId: record.templateId as string },
    };
  }
}

/** Feeds events in batches, then flushes; returns the anomalies and the time spent observing. */
async function detect(
  events: Iterable<DetectorEvent>,
  batchSize: number,
): Promise<{ anomalies: Anomaly[]; events: number; seconds: number }> {
  const detector = newDetector();
  const anomalies: Anomaly[] = [];
  let batch: DetectorEvent[] = [];
  let count = 0;
  let nanos = 0n;
  const step = async (run: () => ReturnType<AnomalyDetector["flush"]>) => {
    const started = process.hrtime.bigint();
    const detection = await run();
    await detection.commit();
    nanos += process.hrtime.bigint() - started;
    anomalies.push(...detection.anomalies);
  };
  for (const event of events) {
    batch.push(event);
    count++;
    if (batch.length === batchSize) {
      const full = batch;
      batch = [];
      await step(() => detector.observe(full));
    }
  }
  if (batch.length > 0) await step(() => detector.observe(batch));
  await step(() => detector.flush());
  return { anomalies, events: count, seconds: Number(nanos) / 1e9 };
}

/** A seeded PRNG (mulberry32) for the injected events. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function poisson(mean: number, next: () => number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let product = next();
  while (product > limit) {
    k++;
    product *= next();
  }
  return k;
}

/** One service's stream with its incident rate raised SPIKE_FACTOR-fold in the spike minutes. */
function withSpike(events: DetectorEvent[], startMs: number, seed: number): DetectorEvent[] {
  const next = random(seed);
  const incidents = events.filter((e) => e.classification.label === "incident");
  const baselineIncidents = incidents.filter((e) => {
    const minute = (Date.parse(e.timestamp) - startMs) / MINUTE;
    return minute >= 10 && minute < SPIKE_FROM_MINUTE;
  }).length;
  const ratePerMinute = baselineIncidents / (SPIKE_FROM_MINUTE - 10);
  const extra: DetectorEvent[] = [];
  for (let m = SPIKE_FROM_MINUTE; m < SPIKE_FROM_MINUTE + SPIKE_MINUTES; m++) {
    const n = poisson((SPIKE_FACTOR - 1) * ratePerMinute, next);
    for (let i = 0; i < n; i++) {
      const template = incidents[Math.floor(next() * incidents.length)] as DetectorEvent;
      extra.push({
        id: `spike-${seed}-${m}-${i}`,
        timestamp: new Date(startMs + m * MINUTE + Math.floor(next() * MINUTE)).toISOString(),
        service: template.service,
        classification: { label: "incident", templateId: template.classification.templateId },
      });
    }
  }
  return [...events, ...extra].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

async function benchSpikes(report: Report): Promise<void> {
  const services = listServices();
  const startMs = Date.parse("2026-01-01T00:00:00.000Z");
  let trials = 0;
  let detected = 0;
  let withinTwo = 0;
  let delaySum = 0;
  let delayMax = 0;
  let falseInTrials = 0;
  const missed: string[] = [];
  for (let seed = 1; seed <= SPIKE_SEEDS; seed++) {
    const byService = new Map<string, DetectorEvent[]>();
    for (const event of steadyEvents(seed, 50, 90 * 60 * 50)) {
      const list = byService.get(event.service) ?? [];
      list.push(event);
      byService.set(event.service, list);
    }
    for (const [index, service] of services.entries()) {
      trials++;
      const stream = withSpike(byService.get(service) ?? [], startMs, seed * 100 + index);
      const { anomalies } = await detect(stream, 2_000);
      const spikeStart = startMs + SPIKE_FROM_MINUTE * MINUTE;
      const spikeEnd = spikeStart + SPIKE_MINUTES * MINUTE;
      const hits = anomalies.filter(
        (a) =>
          a.kind === "incident-spike" &&
          Date.parse(a.window.start) < spikeEnd &&
          Date.parse(a.window.end) > spikeStart,
      );
      // Everything before the spike is false; the recovery after it is not judged either way.
      falseInTrials += anomalies.filter((a) => Date.parse(a.window.end) <= spikeStart).length;
      const first = hits[0];
      if (!first) {
        missed.push(`${service}#${seed}`);
        continue;
      }
      const delay = (Date.parse(first.window.end) - MINUTE - spikeStart) / MINUTE;
      detected++;
      if (delay <= 2) withinTwo++;
      delaySum += delay;
      delayMax = Math.max(delayMax, delay);
    }
  }
  report(
    "detection recall (5x incident spike)",
    detected / trials,
    `of ${trials} trials`,
    "≥ 0.95",
  );
  report("detection recall within 2 buckets", withinTwo / trials, `of ${trials} trials`);
  report("detection delay (mean)", delaySum / Math.max(1, detected), "buckets", "≤ 2");
  report("detection delay (max)", delayMax, "buckets", "≤ 2");
  report("detection false before spikes", falseInTrials, `in ${trials} x 70 service-minutes`);
  if (missed.length > 0) console.log(`  missed spikes (service#seed): ${missed.join(", ")}`);
}

async function benchSteady(report: Report): Promise<void> {
  const services = listServices().length;
  let falseAnomalies = 0;
  let serviceDays = 0;
  let events = 0;
  let seconds = 0;
  const byKind = new Map<string, number>();
  for (const [rate, seed] of [
    [50, 101],
    [5, 202],
  ] as const) {
    const count = STEADY_DAYS * 86_400 * rate;
    const result = await detect(steadyEvents(seed, rate, count), 5_000);
    falseAnomalies += result.anomalies.length;
    serviceDays += services * STEADY_DAYS;
    if (rate === 50) {
      events += result.events;
      seconds += result.seconds;
    }
    for (const a of result.anomalies) byKind.set(a.kind, (byKind.get(a.kind) ?? 0) + 1);
    report(
      `detection false anomalies @${rate}/s`,
      result.anomalies.length / (services * STEADY_DAYS),
      `per service-day (${services * STEADY_DAYS} service-days)`,
    );
  }
  report(
    "detection false anomalies",
    falseAnomalies / serviceDays,
    `per service-day (${serviceDays} service-days)`,
    "≤ 1",
  );
  if (byKind.size > 0)
    console.log(`  false anomalies by kind: ${JSON.stringify(Object.fromEntries(byKind))}`);
  report("detector throughput", events / seconds, "events/s");
}

export async function benchDetection(report: Report): Promise<void> {
  await benchSpikes(report);
  await benchSteady(report);
}
