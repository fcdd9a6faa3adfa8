/**
 * One channel's work: jobs run in order of arrival, at most `concurrency` at once, so a channel
 * that is slow or failing (retrying with backoff) holds up only its own queue. `push` waits while
 * `maxBacklog` jobs are queued, which slows the producer down instead of growing without bound.
 */
export class DeliveryQueue {
  readonly #concurrency: number;
  readonly #maxBacklog: number;
  readonly #queue: (() => Promise<void>)[] = [];
  #active = 0;
  #roomWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];

  constructor(options: { concurrency: number; maxBacklog: number }) {
    this.#concurrency = Math.max(1, options.concurrency);
    this.#maxBacklog = Math.max(1, options.maxBacklog);
  }

  /** Queues a job once there is room. Jobs handle their own errors; a thrown one is ignored. */
  async push(job: () => Promise<void>): Promise<void> {
    while (this.#queue.length >= this.#maxBacklog) {
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    }
    this.pushNow(job);
  }

  /** Queues a job whatever the backlog (digests, which must not wait behind the queue's cap). */
  pushNow(job: () => Promise<void>): void {
    this.#queue.push(job);
    this.#pump();
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (this.#active === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  get size(): number {
    return this.#active + this.#queue.length;
  }

  #pump(): void {
    while (this.#active < this.#concurrency && this.#queue.length > 0) {
      const job = this.#queue.shift() as () => Promise<void>;
      this.#active++;
      this.#wake("room");
      job()
        .catch(() => undefined)
        .finally(() => {
          this.#active--;
          this.#pump();
          if (this.#active === 0 && this.#queue.length === 0) this.#wake("idle");
        });
    }
  }

  #wake(which: "room" | "idle"): void {
    const waiters = which === "room" ? this.#roomWaiters : this.#idleWaiters;
    if (which === "room") this.#roomWaiters = [];
    else this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
