import type {
  AnomalyKind,
  BucketCounts,
  CountDelta,
  ServiceProgress,
  TemplateSighting,
} from "./types.js";

/**
 * Where the detector keeps what it has counted and decided. The in-memory store serves the
 * embedded mode (optionally saved to a file between runs); the DynamoDB store serves the Lambda.
 * Every method takes `nowMs` (wall clock) for stores whose items expire.
 */
export interface DetectorState {
  /**
   * Adds each delta's entries to its bucket. Positioned deltas (`stream` set, entries carrying
   * `sequence`) count each position at most once, so a re-delivered batch adds nothing. Returns
   * the deltas that changed something.
   */
  addCounts(deltas: readonly CountDelta[], nowMs: number): Promise<CountDelta[]>;

  /**
   * Looks up incident templates of one service, recording the unknown ones as first seen in the
   * bucket given. Known templates keep their first bucket (and their memory is refreshed).
   */
  sightTemplates(
    service: string,
    firstBuckets: ReadonlyMap<string, number>,
    nowMs: number,
  ): Promise<Map<string, TemplateSighting>>;

  /**
   * Moves a service's clock: its first bucket down to `bucket` and its watermark up to
   * `eventMs` when they extend them. Returns the progress before (undefined for a new service)
   * and after the change.
   */
  touchService(
    service: string,
    bucket: number,
    eventMs: number,
    nowMs: number,
  ): Promise<{ before: ServiceProgress | undefined; after: ServiceProgress }>;

  /** A service's progress, or undefined when the store does not know it. */
  readProgress(service: string, nowMs: number): Promise<ServiceProgress | undefined>;

  /** Buckets of a service that have counts, with start in [from, to). */
  readBuckets(service: string, from: number, to: number, nowMs: number): Promise<BucketCounts[]>;

  /**
   * Records what was judged: `judgedThrough` and each kind's anomaly end only ever move forward,
   * so two writers racing end with the later values.
   */
  commitProgress(
    service: string,
    judgedThrough: number,
    anomalyEnd: Partial<Record<AnomalyKind, number>>,
    nowMs: number,
  ): Promise<void>;
}
