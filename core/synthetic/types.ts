/** Public types of the synthetic log generator. */

import type { Label, Level } from "../events/types.js";

export const SCENARIOS = ["steady", "incident-spike", "warning-drift", "new-error-burst"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface SyntheticOptions {
  scenario: Scenario;
  /** A safe integer. The same seed and options give byte-identical output. */
  seed: number;
  /** Records per second of event time: timestamps advance by 1/rate on average, with jitter. */
  rate: number;
  /** Number of records; default: the scenario's default duration × rate. */
  count?: number;
  /** Event time of the first record; default 2026-01-01T00:00:00.000Z. */
  start?: Date;
  /**
   * Adds `templateId` (the ground-truth template) after `label`, for evaluating template keys.
   * Off by default: a consumer of plain synthetic logs should not see it.
   */
  includeTemplateId?: boolean;
}

/**
 * One synthetic log record. Keys come in a fixed order: timestamp, level, service, host, message,
 * label, then templateId (when asked for), traceId (traced services), then the service's extra
 * fields in the order its message mentions them (e.g. method, path, status, durationMs).
 */
export interface SyntheticRecord {
  /** ISO-8601 event time, millisecond precision; never decreases. */
  timestamp: string;
  level: Level;
  service: string;
  host: string;
  message: string;
  /** Ground truth. */
  label: Label;
  templateId?: string;
  /** W3C trace id (32 hex); some are shared across services, as one request crosses them. */
  traceId?: string;
  [extra: string]: string | number | undefined;
}

export interface ScenarioDefaults {
  durationMinutes: number;
  /** The rate the CLI should use when the user gives none (records per second). */
  rate: number;
  /** When the effect starts and ends, in minutes after the first record, at the default duration. */
  effectStartMinute: number | null;
  effectEndMinute: number | null;
  /** The services the seed picks the affected one(s) from. */
  candidateServices: readonly string[];
  affectedServiceCount: number;
  summary: string;
}

export type ScenarioEffect = "none" | "incident-spike" | "preventive-drift" | "new-templates";

/** What a run will contain, so tests and benchmarks can check what a detector found. */
export interface ScenarioDescription {
  scenario: Scenario;
  seed: number;
  count: number;
  rate: number;
  /** Event time of the first record. */
  runStart: string;
  /** Nominal end of the run: runStart + count / rate seconds. */
  runEnd: string;
  durationMinutes: number;
  effect: ScenarioEffect;
  /** The services whose behaviour changes; empty for steady. */
  affectedServices: string[];
  /** The first affected service, or null for steady. */
  affectedService: string | null;
  /** The label whose rate grows inside the window, or null for steady. */
  affectedLabel: Label | null;
  /**
   * Event-time window of the effect (start inclusive, end exclusive): the spike, the burst, or
   * the drift's ramp. Windows scale with the run: a run twice the default length has them twice
   * as late and twice as long. Null for steady.
   */
  start: string | null;
  end: string | null;
  startMinute: number | null;
  endMinute: number | null;
  /** Templates that only appear inside the window (new-error-burst); empty otherwise. */
  newTemplateIds: string[];
  summary: string;
}

/** One message template of the catalogue, as tests and benchmarks see it. */
export interface TemplateInfo {
  id: string;
  service: string;
  label: Label;
  level: Level;
  /** The pattern with its placeholders, e.g. `payment {paymentId=ref:pay:16} captured ...`. */
  pattern: string;
  /** True for templates only the new-error-burst scenario emits. */
  reserved: boolean;
}
