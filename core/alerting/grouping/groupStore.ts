import { LRUCache } from "lru-cache";
import type { GroupEntry } from "./groupState.js";

/**
 * A decision over one group's entry: what to return, and what to store (`undefined`: no change,
 * `null`: delete the entry). It may run more than once, when a conflicting write came in between.
 */
export type GroupDecision<T> = (entry: GroupEntry | undefined) => {
  result: T;
  next: GroupEntry | null | undefined;
};

/** Every group store: memory for analyze, a JSON file for `sentinel run`, DynamoDB in AWS. */
export interface GroupStore {
  /** Reads the group, decides, and writes the result atomically (compare-and-set where shared). */
  update<T>(groupId: string, decide: GroupDecision<T>): Promise<T>;
  /** Every group with state, for the timer that sends what is due. */
  list(): Promise<GroupEntry[]>;
  close?(): Promise<void>;
}

/**
 * Group state in this process's memory: `sentinel analyze` (through the synchronous `*Now`
 * methods) and the base of the JSON file store.
 */
export class MemoryGroupStore implements GroupStore {
  readonly #entries: LRUCache<string, GroupEntry>;
  /** Called after every change; the file store saves from here. */
  onChange: (() => void) | undefined;

  constructor(options: { maxGroups?: number } = {}) {
    this.#entries = new LRUCache({ max: options.maxGroups ?? 10_000 });
  }

  updateNow<T>(groupId: string, decide: GroupDecision<T>): T {
    const { result, next } = decide(this.#entries.get(groupId));
    if (next === null) {
      this.#entries.delete(groupId);
      this.onChange?.();
    } else if (next !== undefined) {
      this.#entries.set(groupId, next);
      this.onChange?.();
    }
    return result;
  }

  listNow(): GroupEntry[] {
    return [...this.#entries.values()];
  }

  async update<T>(groupId: string, decide: GroupDecision<T>): Promise<T> {
    return this.updateNow(groupId, decide);
  }

  async list(): Promise<GroupEntry[]> {
    return this.listNow();
  }

  /** Every entry, least recently used first (so loading them back keeps the LRU order). */
  entries(): GroupEntry[] {
    const entries: GroupEntry[] = [];
    for (const id of this.#entries.rkeys()) {
      const entry = this.#entries.peek(id);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  load(entries: Iterable<GroupEntry>): void {
    for (const entry of entries) this.#entries.set(entry.id, entry);
  }
}
