import { TokenBucket } from "../ratelimit/tokenBucket.js";

export interface FloodGuardOptions {
  /** Messages per minute a destination gets in a storm, digests included. */
  ratePerMinute: number;
  /** Messages it may get at once before the rate applies. */
  burst: number;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
}

/** What waited while a destination was flooded, to go out as one digest. */
export interface Folded<T> {
  destination: string;
  items: T[];
}

/**
 * Turns a storm into a digest: each destination (a channel and the route it goes to) has a token
 * bucket; an alert that finds a token goes out on its own, one that finds none is folded into the
 * destination's waiting digest. Once a digest waits, later alerts join it (order is kept), and it
 * goes out as soon as a token is back (`due`) or when the caller must not wait (`drain`).
 */
export class FloodGuard<T> {
  readonly #options: FloodGuardOptions;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #waiting = new Map<string, T[]>();

  constructor(options: FloodGuardOptions) {
    if (!(options.ratePerMinute > 0)) throw new RangeError("ratePerMinute must be above 0");
    if (!(options.burst >= 1)) throw new RangeError("burst must be at least 1");
    this.#options = options;
  }

  /** True: send `item` now on its own. False: it was folded into the destination's digest. */
  admit(destination: string, item: T): boolean {
    const waiting = this.#waiting.get(destination);
    if (waiting) {
      waiting.push(item);
      return false;
    }
    if (this.#bucket(destination).tryTake()) return true;
    this.#waiting.set(destination, [item]);
    return false;
  }

  /** Digests whose destination has a token again (each takes one). */
  due(): Folded<T>[] {
    const ready: Folded<T>[] = [];
    for (const [destination, items] of this.#waiting) {
      if (!this.#bucket(destination).tryTake()) continue;
      this.#waiting.delete(destination);
      ready.push({ destination, items });
    }
    return ready;
  }

  /** Every waiting digest, tokens or not: for the end of a Lambda invocation and for shutdown. */
  drain(): Folded<T>[] {
    const all = [...this.#waiting].map(([destination, items]) => {
      this.#bucket(destination).tryTake();
      return { destination, items };
    });
    this.#waiting.clear();
    return all;
  }

  /** Items waiting in digests, over all destinations. */
  get waiting(): number {
    let count = 0;
    for (const items of this.#waiting.values()) count += items.length;
    return count;
  }

  #bucket(destination: string): TokenBucket {
    let bucket = this.#buckets.get(destination);
    if (!bucket) {
      bucket = new TokenBucket({
        ratePerSecond: this.#options.ratePerMinute / 60,
        capacity: this.#options.burst,
        ...(this.#options.now && { now: this.#options.now }),
      });
      this.#buckets.set(destination, bucket);
    }
    return bucket;
  }
}
