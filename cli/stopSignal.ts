import type { Logger } from "../core/logging/logger.js";

export interface StopSignal {
  /** Aborted on the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** Stops as a signal would, e.g. when the work cannot go on. */
  abort(): void;
  /** Stops listening (in a finally), so a later command is not stopped by this one's handler. */
  release(): void;
}

/**
 * SIGINT or SIGTERM ask a long-running command to finish what is in flight (`inFlight`, for the
 * log line) and stop; the command watches `signal`.
 */
export function stopOnSignals(logger: Logger, inFlight = "the batch in flight"): StopSignal {
  const controller = new AbortController();
  const onSignal = (signal: string) => {
    logger.info({ signal }, `stopping: finishing ${inFlight}`);
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    abort: () => controller.abort(),
    release() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
