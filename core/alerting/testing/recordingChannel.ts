import { logEvent } from "../../events/fixtures.js";
import type { Anomaly, ClassifiedEvent, Label } from "../../events/types.js";
import type { Channel, ChannelSender, Notification, Route } from "../types.js";

/**
 * A channel for tests and benchmarks: records what it was asked to deliver, and fails when told
 * to (a DeliveryError with retryable / retryAfterMs, as the real channels throw).
 */
export class RecordingChannel implements ChannelSender {
  readonly delivered: { notification: Notification; route: Route; at: number }[] = [];
  /** Every call, failed ones included, with the time it was made. */
  readonly attempts: { notification: Notification; at: number }[] = [];
  readonly #failures: Error[] = [];
  #failAlways: Error | undefined;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;

  constructor(readonly channel: Channel) {}

  /** The next calls fail with these errors, in order. */
  failNext(...errors: Error[]): this {
    this.#failures.push(...errors);
    return this;
  }

  /** Every call fails with `error` until `recover()`. */
  failAlways(error: Error): this {
    this.#failAlways = error;
    return this;
  }

  /** Calls wait (as on a hung connection) until `release()`. */
  hold(): this {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
    return this;
  }

  release(): this {
    this.#open?.();
    this.#gate = undefined;
    return this;
  }

  recover(): this {
    this.#failAlways = undefined;
    this.#failures.length = 0;
    return this;
  }

  async send(notification: Notification, route: Route): Promise<void> {
    const at = performance.now();
    this.attempts.push({ notification, at });
    if (this.#gate) await this.#gate;
    const failure = this.#failures.shift() ?? this.#failAlways;
    if (failure) throw failure;
    this.delivered.push({ notification, route, at });
  }

  /** Keys of the alerts delivered, digests flattened. */
  deliveredKeys(): string[] {
    return this.delivered.flatMap(({ notification }) =>
      notification.type === "alert"
        ? [notification.alert.key]
        : notification.alerts.map((alert) => alert.key),
    );
  }
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
