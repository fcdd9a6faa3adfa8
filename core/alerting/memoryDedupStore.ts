import { randomUUID } from "node:crypto";
import { LRUCache } from "lru-cache";
import {
  type ClaimDecision,
  type ClaimRequest,
  confirmClaim,
  DEFAULT_LEASE_MS,
  type DedupClaim,
  type DedupEntry,
  type DedupStore,
  decideClaim,
  releaseClaim,
} from "./dedupWindow.js";

export interface MemoryDedupOptions {
  windowMs: number;
  leaseMs?: number;
  /** Keys (alert key × channel) kept; the least recently used are forgotten first. */
  maxKeys?: number;
  /** Processing-time clock (ms), for claim leases. */
  now?: () => number;
}

/**
 * Dedup state in this process's memory: `sentinel analyze` (through the synchronous `*Now`
 * methods, which the "would alert" summary uses) and the base of the JSON file store.
 */
export class MemoryDedupStore implements DedupStore {
  readonly #entries: LRUCache<string, DedupEntry>;
  readonly #timing: { windowMs: number; leaseMs: number };
  readonly #now: () => number;
  /** Called after every change; the file store saves from here. */
  onChange: (() => void) | undefined;

  constructor(options: MemoryDedupOptions) {
    this.#timing = { windowMs: options.windowMs, leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS };
    this.#entries = new LRUCache({ max: options.maxKeys ?? 100_000 });
    this.#now = options.now ?? Date.now;
  }

  claimNow(request: ClaimRequest): ClaimDecision {
    const id = entryId(request.key, request.channel);
    const { decision, next } = decideClaim(this.#entries.get(id), request, {
      ...this.#timing,
      now: this.#now(),
      token: randomUUID(),
    });
    if (next && decision.outcome !== "duplicate" && decision.outcome !== "busy")
      this.#set(id, next);
    return decision;
  }

  confirmNow(claim: DedupClaim): void {
    const id = entryId(claim.key, claim.channel);
    const next = confirmClaim(this.#entries.get(id), claim.token, this.#now());
    if (next) this.#set(id, next);
  }

  releaseNow(claim: DedupClaim): void {
    const id = entryId(claim.key, claim.channel);
    const next = releaseClaim(this.#entries.get(id), claim.token, this.#now());
    if (next) this.#set(id, next);
  }

  async claim(request: ClaimRequest): Promise<ClaimDecision> {
    return this.claimNow(request);
  }

  async confirm(claim: DedupClaim): Promise<void> {
    this.confirmNow(claim);
  }

  async release(claim: DedupClaim): Promise<void> {
    this.releaseNow(claim);
  }

  /** Every entry, least recently used first (so loading them back keeps the LRU order). */
  entries(): [string, DedupEntry][] {
    const entries: [string, DedupEntry][] = [];
    for (const id of this.#entries.rkeys()) {
      const entry = this.#entries.peek(id);
      if (entry) entries.push([id, entry]);
    }
    return entries;
  }

  load(entries: Iterable<[string, DedupEntry]>): void {
    for (const [id, entry] of entries) this.#entries.set(id, entry);
  }

  #set(id: string, entry: DedupEntry): void {
    this.#entries.set(id, entry);
    this.onChange?.();
  }
}

function entryId(key: string, channel: string): string {
  return `${channel}\u0000${key}`;
}
