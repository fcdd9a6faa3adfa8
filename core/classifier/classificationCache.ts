import { LRUCache } from "lru-cache";
import type { Verdict } from "./types.js";

export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
}

/**
 * Bounded cache from a classification key (template and level) to a verdict: least recently used
 * entries go first when full, and entries expire after `ttlMs` so a retrained model's view arrives.
 */
export class ClassificationCache {
  readonly #entries: LRUCache<string, Verdict>;
  #hits = 0;
  #misses = 0;

  constructor(options: { maxEntries: number; ttlMs: number }) {
    this.#entries = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
  }

  get(key: string): Verdict | undefined {
    const verdict = this.#entries.get(key);
    if (verdict === undefined) this.#misses++;
    else this.#hits++;
    return verdict;
  }

  /** The verdict without counting a hit or miss or refreshing its recency. */
  peek(key: string): Verdict | undefined {
    return this.#entries.peek(key);
  }

  set(key: string, verdict: Verdict): void {
    this.#entries.set(key, verdict);
  }

  stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, size: this.#entries.size };
  }
}
