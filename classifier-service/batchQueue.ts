import { QueueFullError } from "./errors.js";

/**
 * Runs batches against the model at most `concurrency` at a time, first come first served.
 *
 * A llama.cpp context evaluates one sequence stream at a time, so the service's default is 1: each
 * batch has the model to itself and batches never interleave. A model that can serve several calls
 * at once (several contexts or sequences) can be given more. When `maxQueued` batches are already
 * waiting, `run` refuses at once with a QueueFullError instead of letting latency grow without end.
 *
 * @example
 * const queue = new BatchQueue({ concurrency: 1, maxQueued: 32 });
 * const classified = await queue.run(() => classifier.classify(events));
 */
export class BatchQueue {
  readonly #concurrency: number;
  readonly #maxQueued: number;
  readonly #waiting: (() => void)[] = [];
  #running = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: { concurrency: number; maxQueued: number }) {
    this.#concurrency = options.concurrency;
    this.#maxQueued = options.maxQueued;
  }

  /** Batches in the model now. */
  get running(): number {
    return this.#running;
  }

  /** Batches waiting for their turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.#concurrency) {
      this.#running++;
    } else {
      if (this.#waiting.length >= this.#maxQueued) throw new QueueFullError(this.#maxQueued);
      // The slot is handed over by the batch that finishes, so `running` is not touched here.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) {
        next();
      } else {
        this.#running--;
        if (this.#running === 0) this.#notifyIdle();
      }
    }
  }

  /** Resolves once nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.#running === 0 && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
