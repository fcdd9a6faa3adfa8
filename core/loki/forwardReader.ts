import type { QueryRangeRequest } from "./queryRange.js";
import { type LokiEntry, type LokiStream, streamsToEntries } from "./streamToEvents.js";

/**
 * Where the forwarder resumes, as stored: the nanosecond timestamp of the last entry sent (a
 * string: nanoseconds do not fit a JS number) and the ids of the entries at exactly that
 * timestamp that were sent, since the next query starts there again (Loki's start is inclusive).
 */
export interface LokiCheckpoint {
  timestampNs: string;
  idsAtTimestamp: string[];
}

export interface LokiPosition {
  ns: bigint;
  /** Ids already sent at exactly `ns`. */
  seen: ReadonlySet<string>;
}

export interface LokiPage {
  /** New entries in forward order (those at the start timestamp already sent are left out). */
  entries: LokiEntry[];
  /** Where the next page starts once all of `entries` are sent. */
  next: LokiPosition;
  /** True when Loki had nothing more before `endNs`: the next page starts at `endNs`. */
  complete: boolean;
}

export interface RangeQuery {
  queryRange(request: QueryRangeRequest, signal?: AbortSignal): Promise<LokiStream[]>;
}

/** Loki's default max_entries_limit_per_query: a larger `limit` is refused. */
const LOKI_MAX_ENTRIES_LIMIT = 5000;

/**
 * Reads a LogQL query forward, a page at a time, from a position.
 *
 * A full page (as many entries as `limit`) may end inside a run of entries sharing one timestamp,
 * so the next page starts again at that timestamp and skips the ids already sent there. The limit
 * grows by the number of those ids, so every page has room for `pageLimit` new entries whatever
 * order Loki returns equal timestamps in; only a single timestamp with more entries than
 * max_entries_limit_per_query cannot be read, and says so.
 */
export class LokiForwardReader {
  readonly #client: RangeQuery;
  readonly #query: string;
  readonly #pageLimit: number;
  readonly #maxLimit: number;

  constructor(
    client: RangeQuery,
    options: { query: string; pageLimit: number; maxQueryLimit?: number },
  ) {
    this.#client = client;
    this.#query = options.query;
    this.#maxLimit = options.maxQueryLimit ?? LOKI_MAX_ENTRIES_LIMIT;
    this.#pageLimit = Math.min(options.pageLimit, this.#maxLimit);
  }

  async readPage(position: LokiPosition, endNs: bigint, signal?: AbortSignal): Promise<LokiPage> {
    const known = position.seen.size;
    if (known >= this.#maxLimit)
      throw new Error(
        `${known} entries share the timestamp ${position.ns} ns: more than Loki returns in one query (max_entries_limit_per_query ${this.#maxLimit}); raise that limit in Loki and the forwarder's maxQueryLimit, or narrow the query`,
      );
    const limit = Math.min(this.#pageLimit + known, this.#maxLimit);
    const streams = await this.#client.queryRange(
      { query: this.#query, startNs: position.ns, endNs, limit, direction: "forward" },
      signal,
    );
    const returned = streamsToEntries(streams);
    const entries = returned.filter(
      (entry) =>
        entry.ns > position.ns || (entry.ns === position.ns && !position.seen.has(entry.id)),
    );
    if (returned.length < limit)
      return { entries, next: { ns: endNs, seen: new Set() }, complete: true };
    const last = returned.at(-1) as LokiEntry;
    const seen = new Set(last.ns === position.ns ? position.seen : []);
    for (const entry of returned) if (entry.ns === last.ns) seen.add(entry.id);
    return { entries, next: { ns: last.ns, seen }, complete: false };
  }
}

/** The position once `count` of a page's entries (read from `start`) have been sent. */
export function positionAfter(
  start: LokiPosition,
  entries: readonly LokiEntry[],
  count: number,
): LokiPosition {
  if (count === 0) return start;
  const last = entries[count - 1] as LokiEntry;
  const seen = new Set(last.ns === start.ns ? start.seen : []);
  for (let i = count - 1; i >= 0 && (entries[i] as LokiEntry).ns === last.ns; i--)
    seen.add((entries[i] as LokiEntry).id);
  return { ns: last.ns, seen };
}

export function toCheckpoint(position: LokiPosition): LokiCheckpoint {
  return { timestampNs: position.ns.toString(), idsAtTimestamp: [...position.seen] };
}

export function fromCheckpoint(checkpoint: LokiCheckpoint, key: string): LokiPosition {
  if (typeof checkpoint.timestampNs !== "string" || !/^\d{1,20}$/.test(checkpoint.timestampNs))
    throw new Error(`checkpoint ${key} has no valid timestampNs; remove it to start over`);
  return { ns: BigInt(checkpoint.timestampNs), seen: new Set(checkpoint.idsAtTimestamp ?? []) };
}
