/**
 * The compiled catalogue: every service's templates grouped into weighted label buckets, and the
 * per-service label shares rescaled so the steady mix over all traffic hits the target exactly.
 */

import type { Label } from "../events/types.js";
import type { Rng } from "./prng.js";
import { SERVICE_SPECS } from "./services/index.js";
import type { ServiceSpec } from "./services/spec.js";
import { type CompiledTemplate, compileTemplate, type TemplateSpec } from "./template.js";
import type { TemplateInfo } from "./types.js";

/** Label shares of steady traffic over all services. */
export const STEADY_MIX: Readonly<Record<Label, number>> = {
  normal: 0.9,
  preventive_action: 0.08,
  incident: 0.02,
};

/** Rank-frequency skew inside a bucket: the n-th template weighs 1 / n^ZIPF_EXPONENT. */
const ZIPF_EXPONENT = 1.1;

/** Templates with cumulative weights, for O(log n) weighted picks. */
export interface WeightedBucket {
  templates: readonly CompiledTemplate[];
  cumulative: Float64Array;
  total: number;
}

export interface CatalogService {
  index: number;
  name: string;
  traced: boolean;
  /** Steady shares after rescaling; normal is the rest. */
  preventiveShare: number;
  incidentShare: number;
  hosts: ServiceSpec["hosts"];
  normal: WeightedBucket;
  preventive: WeightedBucket;
  incident: WeightedBucket;
  /** Reserved for new-error-burst. */
  burst: WeightedBucket;
}

export interface Catalog {
  services: readonly CatalogService[];
  /** Cumulative traffic weights, indexed like `services`. */
  trafficCumulative: Float64Array;
  trafficTotal: number;
  /** Every template, reserved ones included, in catalogue order. */
  templates: readonly CompiledTemplate[];
}

export function weightedBucket(
  templates: readonly CompiledTemplate[],
  rankSkew = true,
): WeightedBucket {
  const cumulative = new Float64Array(templates.length);
  let total = 0;
  templates.forEach((template, rank) => {
    total += template.weight / (rankSkew ? (rank + 1) ** ZIPF_EXPONENT : 1);
    cumulative[rank] = total;
  });
  return { templates, cumulative, total };
}

/** Index of the first cumulative weight above `x` (x in [0, total)). */
export function searchCumulative(cumulative: Float64Array, x: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cumulative[mid] as number) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function pickWeighted(bucket: WeightedBucket, rng: Rng): CompiledTemplate {
  return bucket.templates[
    searchCumulative(bucket.cumulative, rng.float() * bucket.total)
  ] as CompiledTemplate;
}

function compileService(
  spec: ServiceSpec,
  index: number,
  preventiveScale: number,
  incidentScale: number,
): CatalogService {
  const compiled = spec.templates.map((t) => compileTemplate(spec.name, t, false));
  const byLabel = (label: Label) => compiled.filter((t) => t.label === label);
  const burst = spec.burst.map((t: TemplateSpec) => {
    if (t.label !== "incident")
      throw new Error(`burst template of ${spec.name} must be an incident`);
    return compileTemplate(spec.name, t, true);
  });
  return {
    index,
    name: spec.name,
    traced: spec.traced,
    preventiveShare: spec.preventiveShare * preventiveScale,
    incidentShare: spec.incidentShare * incidentScale,
    hosts: spec.hosts,
    normal: weightedBucket(byLabel("normal")),
    preventive: weightedBucket(byLabel("preventive_action")),
    incident: weightedBucket(byLabel("incident")),
    burst: weightedBucket(burst),
  };
}

function buildCatalog(): Catalog {
  let traffic = 0;
  let preventive = 0;
  let incident = 0;
  for (const spec of SERVICE_SPECS) {
    traffic += spec.traffic;
    preventive += spec.traffic * spec.preventiveShare;
    incident += spec.traffic * spec.incidentShare;
  }
  const preventiveScale = (STEADY_MIX.preventive_action * traffic) / preventive;
  const incidentScale = (STEADY_MIX.incident * traffic) / incident;
  const services = SERVICE_SPECS.map((spec, i) =>
    compileService(spec, i, preventiveScale, incidentScale),
  );
  const trafficCumulative = new Float64Array(services.length);
  let total = 0;
  SERVICE_SPECS.forEach((spec, i) => {
    total += spec.traffic;
    trafficCumulative[i] = total;
  });
  const templates = services.flatMap((s) => [
    ...s.normal.templates,
    ...s.preventive.templates,
    ...s.incident.templates,
    ...s.burst.templates,
  ]);
  const ids = new Set<string>();
  for (const t of templates) {
    if (ids.has(t.id)) throw new Error(`duplicate template in ${t.service}: ${t.pattern}`);
    ids.add(t.id);
  }
  return { services, trafficCumulative, trafficTotal: total, templates };
}

let catalog: Catalog | undefined;

/** The catalogue, compiled on first use. */
export function getCatalog(): Catalog {
  catalog ??= buildCatalog();
  return catalog;
}

export function serviceByName(name: string): CatalogService | undefined {
  return getCatalog().services.find((s) => s.name === name);
}

/** Every template of the catalogue, reserved ones included. */
export function listTemplates(): TemplateInfo[] {
  return getCatalog().templates.map((t) => ({
    id: t.id,
    service: t.service,
    label: t.label,
    level: t.level,
    pattern: t.pattern,
    reserved: t.reserved,
  }));
}

/** The simulated services' names, busiest first. */
export function listServices(): string[] {
  return SERVICE_SPECS.map((s) => s.name);
}
