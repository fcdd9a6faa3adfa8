import {
  type BucketCounts,
  COUNT_FIELDS,
  type CountField,
  type DeltaEntry,
  SAMPLE_SIZE,
  SAMPLED_FIELDS,
  type SampledField,
} from "./types.js";

/** Start of the bucket holding `ms` (epoch milliseconds; buckets are aligned to the epoch). */
export function bucketOf(ms: number, bucketMs: number): number {
  return Math.floor(ms / bucketMs) * bucketMs;
}

export function emptyBucket(start: number): BucketCounts {
  return {
    start,
    counts: { incident: 0, preventive_action: 0, normal: 0, novel: 0 },
    newTemplates: 0,
    samples: { incident: [], preventive_action: [], novel: [] },
  };
}

export function totalEvents(bucket: BucketCounts): number {
  return bucket.counts.incident + bucket.counts.preventive_action + bucket.counts.normal;
}

/** The counters, new templates and sample ids a list of entries adds up to. */
export interface Tally {
  counts: Record<CountField, number>;
  newTemplates: number;
  samples: Record<SampledField, string[]>;
}

export function tally(entries: readonly DeltaEntry[]): Tally {
  const result = emptyBucket(0);
  for (const entry of entries) {
    result.counts[entry.label]++;
    if (entry.novel) result.counts.novel++;
    if (entry.newTemplate) result.newTemplates++;
    if (entry.label !== "normal") addSample(result.samples[entry.label], entry.id);
    if (entry.novel) addSample(result.samples.novel, entry.id);
  }
  return { counts: result.counts, newTemplates: result.newTemplates, samples: result.samples };
}

/** Adds a tally into a bucket in place, keeping at most SAMPLE_SIZE samples per counter. */
export function addTally(bucket: BucketCounts, add: Tally): void {
  for (const field of COUNT_FIELDS) bucket.counts[field] += add.counts[field];
  bucket.newTemplates += add.newTemplates;
  for (const field of SAMPLED_FIELDS) {
    for (const id of add.samples[field]) addSample(bucket.samples[field], id);
  }
}

function addSample(samples: string[], id: string): void {
  if (samples.length < SAMPLE_SIZE && !samples.includes(id)) samples.push(id);
}
