/**
 * The contracts every component shares: the log event, the classified event and the anomaly that
 * travel on the Kafka topics (README, "Output contracts"). Types here are the static view;
 * `schema.ts` holds the runtime validation of the same shapes.
 */

export const LABELS = ["incident", "preventive_action", "normal"] as const;
export type Label = (typeof LABELS)[number];

export const PROVIDERS = ["aws", "azure", "loki", "file", "synthetic", "http"] as const;
export type Provider = (typeof PROVIDERS)[number];

export const LEVELS = ["trace", "debug", "info", "notice", "warn", "error", "fatal"] as const;
export type Level = (typeof LEVELS)[number];

/** Where an event came from: the provider plus whatever fields that provider has. */
export interface EventSource {
  provider: Provider;
  /** Provider fields such as account, region, logGroup, logStream, workspace, table, path, line. */
  [field: string]: unknown;
}

/** A normalised log line: the value of the `raw-logs` topic. */
export interface LogEvent {
  /** Stable: the provider's own id where it has one, otherwise a content hash. */
  id: string;
  /** Event time, ISO-8601. */
  timestamp: string;
  /** When SentinelLLM received it, ISO-8601. */
  ingestedAt: string;
  source: EventSource;
  service: string;
  level?: Level;
  /** Bounded in size; when cut, `truncated` says so and `originalBytes` gives the full size. */
  message: string;
  truncated?: boolean;
  originalBytes?: number;
  attributes: Record<string, unknown>;
}

export interface Classification {
  label: Label;
  /** 0..1, normalised over the three labels. */
  confidence: number;
  templateId: string;
  template: string;
  /** Which model produced the label: "baseline" for the rule classifier, else the model's name. */
  model: string;
  /** True when the label came from the template cache rather than a fresh classification. */
  cached: boolean;
  /** A short, actionable fix; only for `preventive_action`. */
  suggestion?: string;
  classifiedAt: string;
}

/** The value of the `classified-logs` topic. */
export interface ClassifiedEvent extends LogEvent {
  classification: Classification;
}

/** The value of the `anomalies` topic. */
export interface Anomaly {
  id: string;
  detectedAt: string;
  service: string;
  kind: string;
  /** 0..1: how surprising the observation is given the baseline. */
  score: number;
  window: { start: string; end: string };
  observed: number;
  expected: number;
  explanation: string;
  sampleEventIds: string[];
}
