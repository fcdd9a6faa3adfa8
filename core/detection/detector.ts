import { contentId } from "../events/ids.js";
import type { Anomaly } from "../events/types.js";
import { type PipelineMetrics, pipelineMetrics } from "../metrics/catalog.js";
import { bucketOf, totalEvents } from "./buckets.js";
import { estimateBaseline, judgeCount, surpriseScore } from "./countModel.js";
import type { DetectorState } from "./detectorState.js";
import { explainAnomaly } from "./explain.js";
import {
  ANOMALY_KINDS,
  type AnomalyKind,
  type BucketCounts,
  type CountDelta,
  type DeltaEntry,
  type DetectorEvent,
  type DetectorSettings,
  type DetectorStatus,
  KIND_FIELD,
  SAMPLE_SIZE,
  type ServiceProgress,
  type StreamPosition,
} from "./types.js";

/**
 * The anomaly detector: counts classified events per service and label in event-time buckets,
 * and judges each bucket against the buckets before it (see countModel.ts for the score).
 *
 * Event time, not arrival time, drives everything, so replaying a file replays its timeline:
 * - A service's clock (watermark) is the largest event time seen for it. A bucket is judged once
 *   the clock has passed its end by the allowed lateness, or at `flush()` (end of input), or when
 *   `advance(now)` says wall-clock time has passed it (live sources).
 * - Late events still count into their own bucket. If that bucket was already judged, it is
 *   judged again with the late events: a late burst can still raise its anomaly, but nothing is
 *   ever retracted, and a window never overlaps an anomaly already emitted for that service and
 *   kind (so one anomaly per (service, kind, window), whatever the re-judging).
 * - Events older than the horizon (the baseline plus the longest window, behind the service's
 *   clock) can no longer change any judgement: they are ignored and counted as `too_old`.
 * - Each judged bucket is tested as the end of windows of 1..maxWindowBuckets buckets, so a
 *   moderate spike that one bucket cannot prove is proven by two or three; the smallest p-value
 *   is Bonferroni-corrected for the windows tried.
 * - Cold start: a window is judged only when its baseline covers `minBaselineBuckets` buckets
 *   since the service's first event and holds `minBaselineEvents` of its events; until then the
 *   service is "learning".
 *
 * Anomaly ids are a hash of service, kind and window start, so a re-delivered batch or a
 * re-judged bucket yields the same id.
 */
export class AnomalyDetector {
  readonly #state: DetectorState;
  readonly #settings: DetectorSettings;
  readonly #metrics: PipelineMetrics;
  readonly #now: () => number;
  /** Services this instance has seen, for flush() and advance(). */
  readonly #services = new Set<string>();
  readonly #ready = new Map<string, boolean>();
  readonly #ignored = new Map<string, number>();
  #counted = 0;
  #bucketsJudged = 0;
  #bucketsLearning = 0;
  #anomalies = 0;

  constructor(options: {
    state: DetectorState;
    settings: DetectorSettings;
    metrics?: PipelineMetrics;
    now?: () => number;
  }) {
    this.#state = options.state;
    this.#settings = options.settings;
    this.#metrics = options.metrics ?? pipelineMetrics;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Counts a batch of classified events and judges the buckets it closed. `positions` (parallel
   * to `events`) makes counting idempotent per stream position where the store supports it.
   * Call `commit()` on the result once its anomalies are handed on.
   */
  async observe(
    events: readonly DetectorEvent[],
    positions?: readonly (StreamPosition | undefined)[],
  ): Promise<Detection> {
    const now = this.#now();
    const byService = new Map<string, { event: DetectorEvent; ms: number; index: number }[]>();
    events.forEach((event, index) => {
      const ms = Date.parse(event.timestamp);
      if (!Number.isFinite(ms) || ms < 0) {
        this.#ignore("invalid_timestamp", 1);
        return;
      }
      let list = byService.get(event.service);
      if (!list) {
        list = [];
        byService.set(event.service, list);
      }
      list.push({ event, ms, index });
    });

    const judgements: ServiceJudgement[] = [];
    for (const [service, items] of byService) {
      this.#services.add(service);
      const judgement = await this.#observeService(service, items, positions, now);
      if (judgement) judgements.push(judgement);
    }
    return this.#detection(judgements);
  }

  /** Judges every bucket up to each known service's clock: the end of the input. */
  async flush(): Promise<Detection> {
    return this.#closeAll((progress) => bucketOf(progress.watermark, this.#settings.bucketMs));
  }

  /**
   * Judges the buckets that wall-clock time `nowMs` has closed, for a live source whose event time
   * follows the clock: a service that went quiet still has its last buckets judged.
   */
  async advance(nowMs: number): Promise<Detection> {
    return this.#closeAll((progress) => this.#lastClosed(Math.max(progress.watermark, nowMs)));
  }

  status(): DetectorStatus {
    const { bucketMs, baselineBuckets, minBaselineBuckets, minBaselineEvents } = this.#settings;
    const ready = [...this.#ready.values()].filter(Boolean).length;
    const learning = this.#ready.size - ready;
    const learningMessage = `still learning: a service is judged once it has ${minBaselineBuckets} buckets of baseline holding ${minBaselineEvents} events`;
    const status = ready > 0 ? "ready" : "learning";
    return {
      enabled: true,
      status,
      message:
        status === "learning"
          ? `${learningMessage}${this.#ready.size === 0 ? " (no bucket has closed yet)" : ""}`
          : learning > 0
            ? `${ready} service${ready === 1 ? "" : "s"} judged, ${learning} still learning`
            : `${ready} service${ready === 1 ? "" : "s"} judged`,
      bucketSeconds: bucketMs / 1000,
      baselineBuckets,
      bucketsJudged: this.#bucketsJudged,
      bucketsLearning: this.#bucketsLearning,
      servicesReady: ready,
      servicesLearning: learning,
      eventsCounted: this.#counted,
      eventsIgnored: Object.fromEntries(this.#ignored),
      anomalies: this.#anomalies,
    };
  }

  async #observeService(
    service: string,
    items: { event: DetectorEvent; ms: number; index: number }[],
    positions: readonly (StreamPosition | undefined)[] | undefined,
    now: number,
  ): Promise<ServiceJudgement | undefined> {
    const { bucketMs } = this.#settings;
    let minMs = Number.POSITIVE_INFINITY;
    let maxMs = Number.NEGATIVE_INFINITY;
    for (const { ms } of items) {
      if (ms < minMs) minMs = ms;
      if (ms > maxMs) maxMs = ms;
    }
    const { before, after } = await this.#state.touchService(
      service,
      bucketOf(minMs, bucketMs),
      maxMs,
      now,
    );

    // Too old: behind the service's clock (as it stood when the event arrived) by more than the horizon.
    const horizonMs = this.#horizonMs();
    let clock = before?.watermark ?? Number.NEGATIVE_INFINITY;
    const counted: { event: DetectorEvent; bucket: number; position?: StreamPosition }[] = [];
    let tooOld = 0;
    for (const { event, ms, index } of items) {
      if (ms > clock) clock = ms;
      const bucket = bucketOf(ms, bucketMs);
      if (bucket < bucketOf(clock, bucketMs) - horizonMs) {
        tooOld++;
        continue;
      }
      const position = positions?.[index];
      counted.push(position ? { event, bucket, position } : { event, bucket });
    }
    if (tooOld > 0) this.#ignore("too_old", tooOld);

    // Which incidents use a template the service had never logged before their bucket.
    const incidentFirstBuckets = new Map<string, number>();
    for (const { event, bucket } of counted) {
      if (event.classification.label !== "incident") continue;
      const id = event.classification.templateId;
      const known = incidentFirstBuckets.get(id);
      if (known === undefined || bucket < known) incidentFirstBuckets.set(id, bucket);
    }
    const sightings =
      incidentFirstBuckets.size > 0
        ? await this.#state.sightTemplates(service, incidentFirstBuckets, now)
        : new Map();

    const deltas = new Map<string, CountDelta>();
    const newTemplatesCounted = new Set<string>();
    for (const { event, bucket, position } of counted) {
      const { label, templateId } = event.classification;
      const sighting = label === "incident" ? sightings.get(templateId) : undefined;
      const novel = sighting !== undefined && bucket <= sighting.firstBucket;
      const newTemplate = novel && sighting.isNew === true && !newTemplatesCounted.has(templateId);
      if (newTemplate) newTemplatesCounted.add(templateId);
      const key = `${bucket}\u0000${position?.stream ?? ""}`;
      let delta = deltas.get(key);
      if (!delta) {
        delta = {
          service,
          bucket,
          ...(position && { stream: position.stream }),
          entries: [],
        };
        deltas.set(key, delta);
      }
      const entry: DeltaEntry = { id: event.id, label, novel, newTemplate };
      if (position) entry.sequence = position.sequence;
      delta.entries.push(entry);
    }
    const applied = await this.#state.addCounts([...deltas.values()], now);
    const appliedEvents = applied.reduce((sum, delta) => sum + delta.entries.length, 0);
    this.#counted += appliedEvents;
    if (appliedEvents < counted.length) this.#ignore("redelivered", counted.length - appliedEvents);

    // Buckets judged before that received events now: judge them again.
    const judgedThrough = after.judgedThrough;
    const dirty =
      judgedThrough === undefined
        ? []
        : [...new Set(applied.map((d) => d.bucket).filter((b) => b <= judgedThrough))];
    return this.#judgeService(service, after, this.#lastClosed(after.watermark), dirty, now);
  }

  async #closeAll(through: (progress: ServiceProgress) => number): Promise<Detection> {
    const now = this.#now();
    const judgements: ServiceJudgement[] = [];
    for (const service of this.#services) {
      const progress = await this.#state.readProgress(service, now);
      if (!progress) continue;
      const judgement = await this.#judgeService(service, progress, through(progress), [], now);
      if (judgement) judgements.push(judgement);
    }
    return this.#detection(judgements);
  }

  /** Start of the last bucket a clock at `ms` has closed. */
  #lastClosed(ms: number): number {
    const { bucketMs, allowedLatenessMs } = this.#settings;
    return bucketOf(ms - allowedLatenessMs, bucketMs) - bucketMs;
  }

  /** How far behind a service's clock a bucket can still be read by a judgement. */
  #horizonMs(): number {
    const { bucketMs, baselineBuckets, maxWindowBuckets, allowedLatenessMs } = this.#settings;
    return (baselineBuckets + maxWindowBuckets) * bucketMs + bucketOf(allowedLatenessMs, bucketMs);
  }

  /** Judges the service's buckets after `judgedThrough` up to `through`, and the dirty ones. */
  async #judgeService(
    service: string,
    progress: ServiceProgress,
    through: number,
    dirty: readonly number[],
    now: number,
  ): Promise<ServiceJudgement | undefined> {
    const { bucketMs, baselineBuckets, maxWindowBuckets } = this.#settings;
    const freshFrom =
      progress.judgedThrough === undefined
        ? progress.firstBucket
        : progress.judgedThrough + bucketMs;
    const oldestDirty = through - baselineBuckets * bucketMs;
    const rejudge = dirty.filter((b) => b >= oldestDirty && b < freshFrom).sort((a, b) => a - b);
    if (freshFrom > through && rejudge.length === 0) return undefined;

    const targetFrom = rejudge[0] ?? freshFrom;
    const readFrom = targetFrom - (baselineBuckets + maxWindowBuckets - 1) * bucketMs;
    const buckets = await this.#state.readBuckets(service, readFrom, through + bucketMs, now);
    const series = new Map(buckets.map((b) => [b.start, b]));
    const anomalyEnd = { ...progress.anomalyEnd };
    const raised: Anomaly[] = [];
    // Only buckets with events can end an anomaly; empty ones are judged in passing.
    const targets = [
      ...rejudge.filter((b) => series.has(b)),
      ...buckets
        .map((b) => b.start)
        .filter((b) => b >= freshFrom && b <= through)
        .sort((a, b) => a - b),
    ];
    for (const bucket of targets) {
      const anomalies = this.#judgeBucket(service, progress, series, bucket, anomalyEnd, now);
      for (const anomaly of anomalies) {
        raised.push(anomaly);
        anomalyEnd[anomaly.kind as AnomalyKind] = Date.parse(anomaly.window.end);
      }
    }
    const newEnds: Partial<Record<AnomalyKind, number>> = {};
    for (const kind of ANOMALY_KINDS) {
      const end = anomalyEnd[kind];
      if (end !== undefined && end !== progress.anomalyEnd[kind]) newEnds[kind] = end;
    }
    const judgedThrough = Math.max(progress.judgedThrough ?? through, through);
    return { service, anomalies: raised, judgedThrough, anomalyEnd: newEnds };
  }

  #judgeBucket(
    service: string,
    progress: ServiceProgress,
    series: ReadonlyMap<number, BucketCounts>,
    bucket: number,
    anomalyEnd: Partial<Record<AnomalyKind, number>>,
    now: number,
  ): Anomaly[] {
    const settings = this.#settings;
    const { bucketMs, baselineBuckets, maxWindowBuckets } = settings;
    const current = series.get(bucket);
    if (!current) return [];
    const count = (start: number, field: keyof BucketCounts["counts"]) =>
      series.get(start)?.counts[field] ?? 0;

    type Best = {
      pValue: number;
      windowStart: number;
      windowBuckets: number;
      observed: number;
      expected: number;
      baselineBuckets: number;
    };
    const best = new Map<AnomalyKind, Best>();
    let ready = false;
    for (let w = 1; w <= maxWindowBuckets; w++) {
      const windowStart = bucket - (w - 1) * bucketMs;
      const baselineFrom = Math.max(windowStart - baselineBuckets * bucketMs, progress.firstBucket);
      const coverage = Math.max(0, (windowStart - baselineFrom) / bucketMs);
      if (coverage < settings.minBaselineBuckets) break;
      let baselineEvents = 0;
      for (let b = baselineFrom; b < windowStart; b += bucketMs) {
        const counts = series.get(b);
        if (counts) baselineEvents += totalEvents(counts);
      }
      if (baselineEvents < settings.minBaselineEvents) break;
      if (w === 1) ready = true;
      for (const kind of ANOMALY_KINDS) {
        const field = KIND_FIELD[kind];
        if (current.counts[field] === 0) continue;
        if (windowStart < (anomalyEnd[kind] ?? Number.NEGATIVE_INFINITY)) continue;
        let observed = 0;
        for (let b = windowStart; b <= bucket; b += bucketMs) observed += count(b, field);
        if (observed < settings.minEvents) continue;
        const baseline: number[] = [];
        for (let b = baselineFrom; b < windowStart; b += bucketMs) baseline.push(count(b, field));
        const estimate = estimateBaseline(baseline);
        // A window starts where the rise starts: a leading bucket at the usual level adds nothing.
        if (w > 1 && count(windowStart, field) <= estimate.rate * settings.minRatio) continue;
        const judgement = judgeCount(observed, w, estimate, settings.minRatio);
        const previous = best.get(kind);
        if (!previous || judgement.pValue < previous.pValue) {
          best.set(kind, {
            pValue: judgement.pValue,
            windowStart,
            windowBuckets: w,
            observed,
            expected: judgement.expected,
            baselineBuckets: coverage,
          });
        }
      }
    }
    this.#ready.set(service, ready);
    if (ready) this.#bucketsJudged++;
    else this.#bucketsLearning++;
    if (!ready) return [];

    const anomalies: Anomaly[] = [];
    for (const kind of ANOMALY_KINDS) {
      const found = best.get(kind);
      const score = found ? surpriseScore(Math.min(1, found.pValue * maxWindowBuckets)) : 0;
      this.#metrics.anomalyScore.set({ service, kind }, score);
      if (!found || score < settings.threshold) continue;
      const windowEnd = bucket + bucketMs;
      const field = KIND_FIELD[kind];
      const samples: string[] = [];
      let newTemplates = 0;
      for (let b = bucket; b >= found.windowStart; b -= bucketMs) {
        const counts = series.get(b);
        if (!counts) continue;
        newTemplates += counts.newTemplates;
        for (const id of counts.samples[field]) {
          if (samples.length < SAMPLE_SIZE) samples.push(id);
        }
      }
      const start = new Date(found.windowStart).toISOString();
      anomalies.push({
        id: anomalyId(service, kind, found.windowStart),
        detectedAt: new Date(now).toISOString(),
        service,
        kind,
        score: round(score, 4),
        window: { start, end: new Date(windowEnd).toISOString() },
        observed: found.observed,
        expected: round(found.expected, 2),
        explanation: explainAnomaly({
          service,
          kind,
          windowStart: found.windowStart,
          windowEnd,
          observed: found.observed,
          expected: found.expected,
          baselineMs: found.baselineBuckets * bucketMs,
          newTemplates,
        }),
        sampleEventIds: samples,
      });
    }
    return anomalies;
  }

  #detection(judgements: ServiceJudgement[]): Detection {
    const anomalies = judgements
      .flatMap((j) => j.anomalies)
      .sort(
        (a, b) =>
          a.window.start.localeCompare(b.window.start) || a.service.localeCompare(b.service),
      );
    let committed = false;
    return {
      anomalies,
      commit: async () => {
        if (committed) return;
        committed = true;
        const now = this.#now();
        for (const j of judgements) {
          await this.#state.commitProgress(j.service, j.judgedThrough, j.anomalyEnd, now);
        }
        for (const anomaly of anomalies) {
          this.#anomalies++;
          this.#metrics.anomalies.inc({ service: anomaly.service, kind: anomaly.kind });
        }
      },
    };
  }

  #ignore(reason: string, count: number): void {
    this.#ignored.set(reason, (this.#ignored.get(reason) ?? 0) + count);
    this.#metrics.detectorEventsIgnored.inc({ reason }, count);
  }
}

/** The result of one detector step: anomalies to hand on, then `commit()` to record them. */
export interface Detection {
  anomalies: Anomaly[];
  /** Records what was judged; call after the anomalies are durably handed on. Idempotent. */
  commit(): Promise<void>;
}

interface ServiceJudgement {
  service: string;
  anomalies: Anomaly[];
  judgedThrough: number;
  anomalyEnd: Partial<Record<AnomalyKind, number>>;
}

/**
 * How long a bucket may still be read: the too-old horizon behind a service's clock, plus the
 * baseline of the oldest bucket that late events can send back for judging. Stores keep counts at
 * least this long.
 */
export function retentionMs(settings: DetectorSettings): number {
  const { bucketMs, baselineBuckets, maxWindowBuckets, allowedLatenessMs } = settings;
  return (2 * baselineBuckets + 2 * maxWindowBuckets + 1) * bucketMs + allowedLatenessMs;
}

/** The same service, kind and window start always give the same id. */
export function anomalyId(service: string, kind: AnomalyKind, windowStartMs: number): string {
  return contentId("anomaly", service, kind, new Date(windowStartMs).toISOString());
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
