import type { LogEvent } from "./types.js";

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
