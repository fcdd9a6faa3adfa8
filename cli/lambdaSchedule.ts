import { setTimeout as sleep } from "node:timers/promises";
import {
  type ScheduledEvent,
  type ScheduledEventOptions,
  scheduledEvent,
} from "../core/eventbridge/scheduledEvent.js";
import type { Logger } from "../core/logging/logger.js";

export interface LambdaScheduleOptions extends ScheduledEventOptions {
  everyMs: number;
  /** One invocation of the handler; the next tick waits until it returned. */
  invoke: (event: ScheduledEvent) => Promise<unknown>;
  logger?: Logger;
}

/**
 * An EventBridge schedule for the local runner: the handler is invoked with a scheduled event
 * every `everyMs`, never while its previous tick still runs (a tick that would overlap is
 * skipped, as a slow minute's flush makes up for the missed one), and a failed invocation is
 * logged, not retried (the rule's retryAttempts is 0: the next tick comes soon).
 */
export class LambdaSchedule {
  readonly #options: LambdaScheduleOptions;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  readonly counts = { invocations: 0, failedInvocations: 0 };

  constructor(options: LambdaScheduleOptions) {
    this.#options = options;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops ticking; resolves once a tick in progress has returned. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { everyMs } = this.#options;
    const { signal } = this.#stop;
    let due = Date.now() + everyMs;
    while (!signal.aborted) {
      try {
        await sleep(Math.max(0, due - Date.now()), undefined, { signal });
      } catch {
        return;
      }
      await this.#tick(new Date(due));
      const now = Date.now();
      due += everyMs;
      if (due <= now) due += Math.ceil((now - due + 1) / everyMs) * everyMs;
    }
  }

  async #tick(at: Date): Promise<void> {
    const { invoke, logger, everyMs: _everyMs, ...eventOptions } = this.#options;
    this.counts.invocations++;
    try {
      await invoke(scheduledEvent(at, eventOptions));
    } catch (error) {
      this.counts.failedInvocations++;
      logger?.warn(
        { error: (error as Error).message, scheduledAt: at.toISOString() },
        "scheduled invocation failed; the next tick tries again",
      );
    }
  }
}
