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

  /** Keys of the alerts the delivered notifications named, in delivery order, groups flattened. */
  deliveredKeys(): string[] {
    return this.delivered.flatMap(({ notification }) =>
      notification.alerts.map((alert) => alert.key),
    );
  }
}
