import { setTimeout as sleep } from "node:timers/promises";

export interface TokenBucketOptions {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Most tokens held at once (the burst); defaults to one second's worth. */
  capacity?: number;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
}

/**
 * A token bucket: `ratePerSecond` tokens drip in continuously up to `capacity`. Used to hold a
 * forwarder to an events/s limit (`take`, which waits) and to notice floods (`tryTake`, which
 * never waits).
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #capacity: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError("ratePerSecond must be above 0");
    this.#rate = options.ratePerSecond;
    this.#capacity = options.capacity ?? Math.max(1, options.ratePerSecond);
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = this.#capacity;
    this.#updatedAt = this.#now();
  }

  /** Tokens available now. */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Takes `count` tokens if they are there; never waits. */
  tryTake(count = 1): boolean {
    this.#refill();
    if (this.#tokens < count) return false;
    this.#tokens -= count;
    return true;
  }

  /**
   * Takes `count` tokens, waiting until they have dripped in. A count above the capacity is
   * allowed and simply waits longer (the bucket goes into debt), so a big batch is never stuck.
   */
  async take(count = 1, signal?: AbortSignal): Promise<void> {
    this.#refill();
    this.#tokens -= count;
    if (this.#tokens >= 0) return;
    await sleep((-this.#tokens / this.#rate) * 1000, undefined, signal ? { signal } : undefined);
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = now - this.#updatedAt;
    this.#updatedAt = now;
    if (elapsed > 0)
      this.#tokens = Math.min(this.#capacity, this.#tokens + (elapsed / 1000) * this.#rate);
  }
}
