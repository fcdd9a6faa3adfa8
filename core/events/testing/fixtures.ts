import type { Anomaly, ClassifiedEvent, Label, LogEvent } from "../types.js";

/** A minimal valid log event for tests; fields can be overridden. */
export function logEvent(message: string, overrides: Partial<LogEvent> = {}): LogEvent {
  return {
    id: message,
    timestamp: "2026-01-01T00:00:00.000Z",
    ingestedAt: "2026-01-01T00:00:00.000Z",
    source: { provider: "file" },
    service: "api",
    message,
    attributes: {},
    ...overrides,
  };
}

/** A classified event for tests: `at` is minutes after 2026-01-01T00:00Z. */
export function classifiedEvent(
  options: {
    label?: Label;
    service?: string;
    templateId?: string;
    at?: number;
    id?: string;
    confidence?: number;
    message?: string;
    source?: ClassifiedEvent["source"];
  } = {},
): ClassifiedEvent {
  const label = options.label ?? "incident";
  const templateId = options.templateId ?? "t1";
  const timestamp = new Date(Date.UTC(2026, 0, 1) + (options.at ?? 0) * 60_000).toISOString();
  const message = options.message ?? `${label} in ${templateId}`;
  return {
    ...logEvent(message, {
      id: options.id ?? `${templateId}-${timestamp}`,
      timestamp,
      service: options.service ?? "api",
      ...(options.source && { source: options.source }),
    }),
    classification: {
      label,
      confidence: options.confidence ?? 0.9,
      templateId,
      template: `${label} in <*>`,
      model: "baseline",
      cached: false,
      classifiedAt: timestamp,
    },
  };
}

/** An anomaly for tests, its window ending `at` minutes after 2026-01-01T00:00Z. */
export function anomaly(overrides: Partial<Anomaly> & { at?: number } = {}): Anomaly {
  const { at = 0, ...rest } = overrides;
  const end = Date.UTC(2026, 0, 1) + at * 60_000;
  return {
    id: `anomaly-${at}`,
    detectedAt: new Date(end).toISOString(),
    service: "api",
    kind: "incident_rate",
    score: 0.95,
    window: { start: new Date(end - 60_000).toISOString(), end: new Date(end).toISOString() },
    observed: 40,
    expected: 2,
    explanation: "40 incidents a minute, 2 expected",
    sampleEventIds: ["e1"],
    ...rest,
  };
}
