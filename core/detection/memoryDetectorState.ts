import { addTally, emptyBucket, tally } from "./buckets.js";
import type { DetectorState } from "./detectorState.js";
import type {
  AnomalyKind,
  BucketCounts,
  CountDelta,
  ServiceProgress,
  TemplateSighting,
} from "./types.js";

interface StoredBucket extends BucketCounts {
  /** Highest sequence counted per stream. */
  marks: Map<string, bigint>;
}

interface StoredTemplate {
  firstBucket: number;
  lastSeenBucket: number;
}

interface ServiceRecord {
  progress: ServiceProgress;
  buckets: Map<number, StoredBucket>;
  templates: Map<string, StoredTemplate>;
  prunedAt: number;
}

export interface MemoryStateOptions {
  /** Buckets older than the service's watermark minus this are dropped. */
  retainMs: number;
  /** Templates not seen for this long (event time) are forgotten. */
  templateMemoryMs: number;
}

/** The JSON form of the in-memory state (`sentinel run` saves it between runs). */
export interface MemoryStateSnapshot {
  version: 1;
  services: {
    service: string;
    progress: ServiceProgress;
    buckets: (BucketCounts & { marks?: Record<string, string> })[];
    templates: [templateId: string, firstBucket: number, lastSeenBucket: number][];
  }[];
}

/**
 * The embedded mode's detector state: plain maps, pruned on event time. Positioned deltas are
 * counted once per stream position, as in the DynamoDB store.
 */
export class MemoryDetectorState implements DetectorState {
  readonly #options: MemoryStateOptions;
  readonly #services = new Map<string, ServiceRecord>();

  constructor(options: MemoryStateOptions) {
    this.#options = options;
  }

  /** Services known to the store. */
  services(): string[] {
    return [...this.#services.keys()];
  }

  async addCounts(deltas: readonly CountDelta[]): Promise<CountDelta[]> {
    const applied: CountDelta[] = [];
    for (const delta of deltas) {
      const record = this.#record(delta.service, delta.bucket);
      let bucket = record.buckets.get(delta.bucket);
      if (!bucket) {
        bucket = { ...emptyBucket(delta.bucket), marks: new Map() };
        record.buckets.set(delta.bucket, bucket);
      }
      let entries = delta.entries;
      if (delta.stream !== undefined) {
        const mark = bucket.marks.get(delta.stream);
        if (mark !== undefined) entries = entries.filter((e) => (e.sequence ?? -1n) > mark);
        const last = entries.at(-1)?.sequence;
        if (last !== undefined) bucket.marks.set(delta.stream, last);
      }
      if (entries.length === 0) continue;
      addTally(bucket, tally(entries));
      applied.push(entries === delta.entries ? delta : { ...delta, entries });
    }
    return applied;
  }

  async sightTemplates(
    service: string,
    firstBuckets: ReadonlyMap<string, number>,
  ): Promise<Map<string, TemplateSighting>> {
    let earliest = Number.POSITIVE_INFINITY;
    for (const bucket of firstBuckets.values()) earliest = Math.min(earliest, bucket);
    const record = this.#record(service, earliest);
    const result = new Map<string, TemplateSighting>();
    for (const [templateId, bucket] of firstBuckets) {
      const known = record.templates.get(templateId);
      if (known) {
        known.lastSeenBucket = Math.max(known.lastSeenBucket, bucket);
        result.set(templateId, { firstBucket: known.firstBucket, isNew: false });
      } else {
        record.templates.set(templateId, { firstBucket: bucket, lastSeenBucket: bucket });
        result.set(templateId, { firstBucket: bucket, isNew: true });
      }
    }
    return result;
  }

  async touchService(
    service: string,
    bucket: number,
    eventMs: number,
  ): Promise<{ before: ServiceProgress | undefined; after: ServiceProgress }> {
    const existing = this.#services.get(service);
    const before = existing ? cloneProgress(existing.progress) : undefined;
    const record = existing ?? this.#record(service, bucket);
    const { progress } = record;
    progress.firstBucket = Math.min(progress.firstBucket, bucket);
    if (eventMs > progress.watermark) {
      progress.watermark = eventMs;
      this.#prune(record);
    }
    return { before, after: cloneProgress(progress) };
  }

  async readProgress(service: string): Promise<ServiceProgress | undefined> {
    const record = this.#services.get(service);
    return record ? cloneProgress(record.progress) : undefined;
  }

  async readBuckets(service: string, from: number, to: number): Promise<BucketCounts[]> {
    const record = this.#services.get(service);
    if (!record) return [];
    const out: BucketCounts[] = [];
    for (const bucket of record.buckets.values()) {
      if (bucket.start >= from && bucket.start < to) out.push(bucket);
    }
    return out;
  }

  async commitProgress(
    service: string,
    judgedThrough: number,
    anomalyEnd: Partial<Record<AnomalyKind, number>>,
  ): Promise<void> {
    const record = this.#services.get(service);
    if (!record) return;
    const { progress } = record;
    progress.judgedThrough = Math.max(progress.judgedThrough ?? judgedThrough, judgedThrough);
    for (const [kind, end] of Object.entries(anomalyEnd) as [AnomalyKind, number][]) {
      progress.anomalyEnd[kind] = Math.max(progress.anomalyEnd[kind] ?? end, end);
    }
  }

  snapshot(): MemoryStateSnapshot {
    return {
      version: 1,
      services: [...this.#services].map(([service, record]) => ({
        service,
        progress: cloneProgress(record.progress),
        buckets: [...record.buckets.values()].map(({ marks, ...bucket }) => ({
          ...bucket,
          marks: Object.fromEntries([...marks].map(([stream, mark]) => [stream, String(mark)])),
        })),
        templates: [...record.templates].map(([id, t]) => [id, t.firstBucket, t.lastSeenBucket]),
      })),
    };
  }

  /** Replaces the state with a snapshot's (already validated) contents. */
  restore(snapshot: MemoryStateSnapshot): void {
    this.#services.clear();
    for (const entry of snapshot.services) {
      this.#services.set(entry.service, {
        progress: cloneProgress(entry.progress),
        buckets: new Map(
          entry.buckets.map(({ marks, ...bucket }) => [
            bucket.start,
            {
              ...bucket,
              marks: new Map(Object.entries(marks ?? {}).map(([s, m]) => [s, BigInt(m)])),
            },
          ]),
        ),
        templates: new Map(
          entry.templates.map(([id, firstBucket, lastSeenBucket]) => [
            id,
            { firstBucket, lastSeenBucket },
          ]),
        ),
        prunedAt: entry.progress.watermark,
      });
    }
  }

  #record(service: string, bucket: number): ServiceRecord {
    let record = this.#services.get(service);
    if (!record) {
      record = {
        progress: { firstBucket: bucket, watermark: Number.NEGATIVE_INFINITY, anomalyEnd: {} },
        buckets: new Map(),
        templates: new Map(),
        prunedAt: Number.NEGATIVE_INFINITY,
      };
      this.#services.set(service, record);
    }
    return record;
  }

  /** Drops what the detector will never read again; at most once per retention period. */
  #prune(record: ServiceRecord): void {
    const { retainMs, templateMemoryMs } = this.#options;
    const watermark = record.progress.watermark;
    if (watermark - record.prunedAt < Math.min(retainMs, templateMemoryMs) / 4) return;
    record.prunedAt = watermark;
    for (const start of record.buckets.keys()) {
      if (start < watermark - retainMs) record.buckets.delete(start);
    }
    for (const [id, template] of record.templates) {
      if (template.lastSeenBucket < watermark - templateMemoryMs) record.templates.delete(id);
    }
  }
}

function cloneProgress(progress: ServiceProgress): ServiceProgress {
  return { ...progress, anomalyEnd: { ...progress.anomalyEnd } };
}
