/**
 * Scenarios: what changes during a run, where and when. `planRun` turns options into a plan the
 * generator follows; `describeScenario` exposes the same plan so tests and benchmarks can check
 * what a detector should find. Everything is in event time and follows from the seed alone.
 */

import type { Label } from "../events/types.js";
import {
  type CatalogService,
  getCatalog,
  serviceByName,
  type WeightedBucket,
  weightedBucket,
} from "./catalog.js";
import { SyntheticOptionsError } from "./errors.js";
import { deriveSeed, Rng } from "./prng.js";
import type { CompiledTemplate } from "./template.js";
import {
  SCENARIOS,
  type Scenario,
  type ScenarioDefaults,
  type ScenarioDescription,
  type ScenarioEffect,
  type SyntheticOptions,
} from "./types.js";

/** Event time of the first record when the caller gives none. */
export const DEFAULT_START = new Date("2026-01-01T00:00:00.000Z");
const MIN_START_MS = Date.UTC(1970, 0, 1);
/** Far enough from year 10000 that no run reaches it: ISO years stay four digits. */
const MAX_START_MS = Date.UTC(9000, 0, 1);

const DEFAULTS: Readonly<Record<Scenario, ScenarioDefaults>> = {
  steady: {
    durationMinutes: 60,
    rate: 50,
    effectStartMinute: null,
    effectEndMinute: null,
    candidateServices: [],
    affectedServiceCount: 0,
    summary: "steady traffic: about 90% normal, 8% preventive_action, 2% incident",
  },
  "incident-spike": {
    durationMinutes: 90,
    rate: 50,
    effectStartMinute: 70,
    effectEndMinute: 75,
    candidateServices: ["payment", "auth", "database", "inventory", "search", "queue-worker"],
    affectedServiceCount: 1,
    summary:
      "steady, then one service's incident share rises about twelvefold for five minutes, mostly from a few outage templates on one host, then recovers",
  },
  "warning-drift": {
    durationMinutes: 120,
    rate: 50,
    effectStartMinute: 10,
    effectEndMinute: 120,
    candidateServices: ["database", "cache", "queue-worker", "search", "web-api", "storage"],
    affectedServiceCount: 2,
    summary:
      "the preventive_action share of two services climbs linearly from its steady level to 30%",
  },
  "new-error-burst": {
    durationMinutes: 90,
    rate: 50,
    effectStartMinute: 65,
    effectEndMinute: 70,
    candidateServices: ["payment", "inventory", "queue-worker", "notification", "auth", "search"],
    affectedServiceCount: 1,
    summary:
      "steady, then one service emits a burst of incident templates never seen before in the run",
  },
};

/** Incident share of the affected service inside a spike. */
const SPIKE_INCIDENT_MULTIPLIER = 12;
const SPIKE_MAX_INCIDENT_SHARE = 0.5;
/** Share of spike incidents drawn from the few outage templates, and from the one bad host. */
const SPIKE_FOCUS_SHARE = 0.85;
const SPIKE_HOT_HOST_SHARE = 0.7;
/** After a spike, retries and warnings stay elevated for this long (default-length minutes). */
const SPIKE_RECOVERY_MINUTES = 3;
/** Where the drift ends up, and how much of it comes from a few themed warning templates. */
const DRIFT_TARGET_SHARE = 0.3;
const DRIFT_FOCUS_SHARE = 0.6;
/** Incident share inside a burst, and how much of it is the never-seen templates. */
const BURST_INCIDENT_SHARE = 0.25;
const BURST_NEW_TEMPLATE_SHARE = 0.9;

export function scenarioDefaults(scenario: Scenario): ScenarioDefaults {
  const defaults = DEFAULTS[scenario];
  if (defaults === undefined) throw new SyntheticOptionsError(`unknown scenario "${scenario}"`);
  return { ...defaults, candidateServices: [...defaults.candidateServices] };
}

/** How one service behaves differently during a run; times are epoch milliseconds. */
export type ServiceEffect =
  | {
      kind: "spike";
      fromMs: number;
      toMs: number;
      recoveryToMs: number;
      incidentShare: number;
      outageTemplates: readonly CompiledTemplate[];
      hotHost: number;
    }
  | {
      kind: "drift";
      fromMs: number;
      toMs: number;
      fromShare: number;
      toShare: number;
      themed: WeightedBucket;
    }
  | { kind: "burst"; fromMs: number; toMs: number; newTemplates: WeightedBucket };

export const EFFECT_TUNING = {
  spikeFocusShare: SPIKE_FOCUS_SHARE,
  spikeHotHostShare: SPIKE_HOT_HOST_SHARE,
  driftFocusShare: DRIFT_FOCUS_SHARE,
  burstIncidentShare: BURST_INCIDENT_SHARE,
  burstNewTemplateShare: BURST_NEW_TEMPLATE_SHARE,
} as const;

export interface RunPlan {
  seed: number;
  count: number;
  startMs: number;
  /** Mean gap between records, milliseconds. */
  intervalMs: number;
  includeTemplateId: boolean;
  /** Indexed like the catalogue's services; null where a service behaves as in steady state. */
  effects: readonly (ServiceEffect | null)[];
  description: ScenarioDescription;
}

function validate(options: SyntheticOptions): void {
  if (!(SCENARIOS as readonly string[]).includes(options.scenario))
    throw new SyntheticOptionsError(
      `unknown scenario "${options.scenario}"; expected one of ${SCENARIOS.join(", ")}`,
    );
  if (!Number.isSafeInteger(options.seed))
    throw new SyntheticOptionsError(`seed must be a safe integer, got ${options.seed}`);
  if (!Number.isFinite(options.rate) || options.rate <= 0 || options.rate > 10_000_000)
    throw new SyntheticOptionsError(
      `rate must be in (0, 1e7] records per second, got ${options.rate}`,
    );
  if (options.count !== undefined && (!Number.isSafeInteger(options.count) || options.count < 0))
    throw new SyntheticOptionsError(`count must be a non-negative integer, got ${options.count}`);
  if (
    options.start !== undefined &&
    !(options.start.getTime() >= MIN_START_MS && options.start.getTime() <= MAX_START_MS)
  )
    throw new SyntheticOptionsError("start must be a valid Date between 1970 and 9000");
}

/** Picks `n` distinct elements, in a seed-determined order. */
function pickDistinct<T>(rng: Rng, items: readonly T[], n: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length > 0)
    out.push(pool.splice(rng.int(0, pool.length - 1), 1)[0] as T);
  return out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function planRun(options: SyntheticOptions): RunPlan {
  validate(options);
  const defaults = DEFAULTS[options.scenario];
  const count =
    options.count ?? Math.max(1, Math.round(defaults.durationMinutes * 60 * options.rate));
  const startMs = (options.start ?? DEFAULT_START).getTime();
  const intervalMs = 1000 / options.rate;
  const durationMs = count * intervalMs;
  /** Default-length minutes to epoch ms, stretched to this run's length. */
  const scale = durationMs / (defaults.durationMinutes * 60_000);
  const at = (minute: number) => startMs + minute * 60_000 * scale;

  const catalog = getCatalog();
  const effects: (ServiceEffect | null)[] = catalog.services.map(() => null);
  const rng = new Rng(deriveSeed(options.seed, `scenario:${options.scenario}`));
  const affected: CatalogService[] = pickDistinct(
    rng,
    defaults.candidateServices,
    defaults.affectedServiceCount,
  ).map((name) => serviceByName(name) as CatalogService);

  let effect: ScenarioEffect = "none";
  let affectedLabel: Label | null = null;
  let newTemplateIds: string[] = [];
  const fromMs = defaults.effectStartMinute === null ? null : at(defaults.effectStartMinute);
  const toMs = defaults.effectEndMinute === null ? null : at(defaults.effectEndMinute);

  if (fromMs !== null && toMs !== null) {
    for (const service of affected) {
      if (options.scenario === "incident-spike") {
        effect = "incident-spike";
        affectedLabel = "incident";
        const hostCount = service.hosts(new Rng(0)).length;
        effects[service.index] = {
          kind: "spike",
          fromMs,
          toMs,
          recoveryToMs: toMs + SPIKE_RECOVERY_MINUTES * 60_000 * scale,
          incidentShare: Math.min(
            SPIKE_MAX_INCIDENT_SHARE,
            service.incidentShare * SPIKE_INCIDENT_MULTIPLIER,
          ),
          outageTemplates: pickDistinct(rng, service.incident.templates, 3),
          hotHost: rng.int(0, hostCount - 1),
        };
      } else if (options.scenario === "warning-drift") {
        effect = "preventive-drift";
        affectedLabel = "preventive_action";
        effects[service.index] = {
          kind: "drift",
          fromMs,
          toMs,
          fromShare: service.preventiveShare,
          toShare: DRIFT_TARGET_SHARE,
          themed: weightedBucket(pickDistinct(rng, service.preventive.templates, 3), false),
        };
      } else if (options.scenario === "new-error-burst") {
        effect = "new-templates";
        affectedLabel = "incident";
        newTemplateIds = service.burst.templates.map((t) => t.id);
        effects[service.index] = { kind: "burst", fromMs, toMs, newTemplates: service.burst };
      }
    }
  }

  const affectedServices = affected.map((s) => s.name);
  const description: ScenarioDescription = {
    scenario: options.scenario,
    seed: options.seed,
    count,
    rate: options.rate,
    runStart: iso(startMs),
    runEnd: iso(startMs + durationMs),
    durationMinutes: durationMs / 60_000,
    effect,
    affectedServices,
    affectedService: affectedServices[0] ?? null,
    affectedLabel,
    start: fromMs === null ? null : iso(fromMs),
    end: toMs === null ? null : iso(toMs),
    startMinute: fromMs === null ? null : (fromMs - startMs) / 60_000,
    endMinute: toMs === null ? null : (toMs - startMs) / 60_000,
    newTemplateIds,
    summary:
      affectedServices.length === 0
        ? defaults.summary
        : `${defaults.summary} (affected: ${affectedServices.join(", ")})`,
  };
  return {
    seed: options.seed,
    count,
    startMs,
    intervalMs,
    includeTemplateId: options.includeTemplateId === true,
    effects,
    description,
  };
}

/**
 * What a run with these options will contain: the affected services and the event-time window.
 *
 * @example
 * const d = describeScenario({ scenario: "incident-spike", seed: 7, rate: 50 });
 * // d.affectedService === "payment" (say), d.start === "2026-01-01T01:10:00.000Z", d.end === "...01:15..."
 */
export function describeScenario(options: SyntheticOptions): ScenarioDescription {
  return planRun(options).description;
}
