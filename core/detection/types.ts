import type { Classification, ClassifiedEvent, Label } from "../events/types.js";

/**
 * What the detector looks for. Each kind judges one counter of a service's buckets:
 * `incident-spike` the incident events, `preventive-spike` the preventive_action events, and
 * `new-templates` the incident events whose template the service had never logged as an incident.
 */
export const ANOMALY_KINDS = ["incident-spike", "preventive-spike", "new-templates"] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** The counters of one bucket: one per label, plus `novel` (incidents of never-seen templates). */
export const COUNT_FIELDS = ["incident", "preventive_action", "normal", "novel"] as const;
export type CountField = (typeof COUNT_FIELDS)[number];

/** Counters that keep sample event ids (the ones an anomaly can be about). */
export const SAMPLED_FIELDS = ["incident", "preventive_action", "novel"] as const;
export type SampledField = (typeof SAMPLED_FIELDS)[number];

export const KIND_FIELD: Readonly<Record<AnomalyKind, SampledField>> = {
  "incident-spike": "incident",
  "preventive-spike": "preventive_action",
  "new-templates": "novel",
};

/** What the detector reads of a classified event. */
export type DetectorEvent = Pick<ClassifiedEvent, "id" | "timestamp" | "service"> & {
  classification: Pick<Classification, "label" | "templateId">;
};

/**
 * Where an event sits in an ordered, re-deliverable stream (a Kafka partition and offset).
 * Stores that support it count each position once, so a re-delivered batch adds nothing.
 */
export interface StreamPosition {
  stream: string;
  sequence: bigint;
}

/** Sample event ids kept per counter, and so per anomaly. */
export const SAMPLE_SIZE = 5;

export interface BucketCounts {
  /** Bucket start, epoch milliseconds. */
  start: number;
  counts: Record<CountField, number>;
  /** Incident templates first seen in this bucket. */
  newTemplates: number;
  samples: Record<SampledField, string[]>;
}

/** One event's contribution to a bucket. */
export interface DeltaEntry {
  id: string;
  label: Label;
  /** An incident whose template was first seen in this bucket. */
  novel: boolean;
  /** The first event of a template first seen in this bucket (counts the template once). */
  newTemplate: boolean;
  sequence?: bigint;
}

/** The events one batch adds to one bucket of one service (from one stream, when positioned). */
export interface CountDelta {
  service: string;
  bucket: number;
  stream?: string;
  /** In stream order when `stream` is set. */
  entries: DeltaEntry[];
}

/** Per-service progress of the detector, kept in the state store. */
export interface ServiceProgress {
  /** Start of the first bucket the service had events in. */
  firstBucket: number;
  /** Largest event time seen for the service (epoch ms): the service's event-time clock. */
  watermark: number;
  /** Start of the last bucket judged, if any. */
  judgedThrough?: number;
  /** End of the last anomaly window emitted, per kind: windows never overlap an earlier one. */
  anomalyEnd: Partial<Record<AnomalyKind, number>>;
}

/** A template's first sighting, as the store keeps it. */
export interface TemplateSighting {
  firstBucket: number;
  /** True when this call recorded it: the template had not been seen before. */
  isNew: boolean;
}

export interface DetectorSettings {
  bucketMs: number;
  baselineBuckets: number;
  minBaselineBuckets: number;
  minBaselineEvents: number;
  minEvents: number;
  allowedLatenessMs: number;
  threshold: number;
  templateMemoryMs: number;
  /** Window sizes tried for each judged bucket: 1..maxWindowBuckets buckets ending there. */
  maxWindowBuckets: number;
  /** Rate changes up to this factor over the baseline are never surprising (drift, seasonality). */
  minRatio: number;
}

/** What the summary reports about the detector. */
export interface DetectorStatus {
  enabled: boolean;
  /** `learning` until some service has a baseline long and full enough to judge. */
  status: "learning" | "ready" | "disabled";
  message: string;
  bucketSeconds: number;
  baselineBuckets: number;
  /** Service buckets judged against a ready baseline, and judged while still learning. */
  bucketsJudged: number;
  bucketsLearning: number;
  servicesReady: number;
  servicesLearning: number;
  eventsCounted: number;
  /** Events not counted, by reason (too_old: older than the baseline horizon). */
  eventsIgnored: Record<string, number>;
  anomalies: number;
}
