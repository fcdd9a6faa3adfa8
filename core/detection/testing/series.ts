import type { Label } from "../../events/types.js";
import type { DetectorEvent } from "../types.js";

/** Test support: classified events from per-bucket counts, and seeded Poisson series. */

export const T0 = Date.parse("2026-01-01T00:00:00.000Z");
export const MINUTE = 60_000;

export interface BucketSpec {
  incident?: number;
  preventive_action?: number;
  normal?: number;
  /** Templates of the incidents, cycled; default one template. */
  incidentTemplates?: string[];
}

/**
 * Events for consecutive one-minute buckets from T0 (or `startMs`), spread evenly inside each
 * bucket and in time order. Ids are `<service>-<bucket>-<label>-<n>`.
 */
export function eventsFor(
  service: string,
  buckets: readonly BucketSpec[],
  startMs = T0,
  bucketMs = MINUTE,
): DetectorEvent[] {
  const out: DetectorEvent[] = [];
  buckets.forEach((spec, index) => {
    const labels: Label[] = [];
    for (const label of ["incident", "preventive_action", "normal"] as const) {
      for (let i = 0; i < (spec[label] ?? 0); i++) labels.push(label);
    }
    const templates = spec.incidentTemplates ?? ["incident-template-0"];
    labels.forEach((label, i) => {
      const at = startMs + index * bucketMs + Math.floor(((i + 0.5) * bucketMs) / labels.length);
      out.push({
        id: `${service}-${index}-${label}-${i}`,
        timestamp: new Date(at).toISOString(),
        service,
        classification: {
          label,
          templateId:
            label === "incident"
              ? (templates[i % templates.length] as string)
              : `${label}-template`,
        },
      });
    });
  });
  return out.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

/** A small seeded PRNG (mulberry32) and Poisson draws, so series are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function poisson(mean: number, random: () => number): number {
  if (mean > 60) {
    const gauss = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let product = random();
  while (product > limit) {
    k++;
    product *= random();
  }
  return k;
}
