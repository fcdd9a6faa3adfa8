import { LRUCache } from "lru-cache";

export type Admission =
  | { send: true; suppressedBefore: number; firstSuppressedAt?: number; lastSuppressedAt?: number }
  | { send: false };

interface Entry {
  sentAt: number;
  suppressed: number;
  firstSuppressedAt?: number;
  lastSuppressedAt?: number;
}

/**
 * In-memory alert deduplication on event time: the first alert for a key goes out, the same key
 * inside `windowMs` is suppressed and counted, and the next alert after the window carries the
 * count of what it stood for. Bounded: the least recently seen keys are forgotten first.
 */
export class DedupWindow {
  readonly #windowMs: number;
  readonly #entries: LRUCache<string, Entry>;

  constructor(options: { windowMs: number; maxKeys?: number }) {
    this.#windowMs = options.windowMs;
    this.#entries = new LRUCache({ max: options.maxKeys ?? 100_000 });
  }

  admit(key: string, at: number): Admission {
    const entry = this.#entries.get(key);
    if (entry && at - entry.sentAt < this.#windowMs) {
      entry.suppressed++;
      entry.firstSuppressedAt ??= at;
      entry.lastSuppressedAt = at;
      return { send: false };
    }
    this.#entries.set(key, { sentAt: at, suppressed: 0 });
    if (!entry || entry.suppressed === 0) return { send: true, suppressedBefore: 0 };
    const admission: Admission = { send: true, suppressedBefore: entry.suppressed };
    if (entry.firstSuppressedAt !== undefined)
      admission.firstSuppressedAt = entry.firstSuppressedAt;
    if (entry.lastSuppressedAt !== undefined) admission.lastSuppressedAt = entry.lastSuppressedAt;
    return admission;
  }
}
