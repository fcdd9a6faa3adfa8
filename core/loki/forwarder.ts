import { setTimeout as sleep } from "node:timers/promises";
import { contentId } from "../events/ids.js";
import type { LogEvent } from "../events/types.js";
import type { CheckpointStore } from "../ingestion/checkpoint.js";
import type { EventSink } from "../ingestion/eventSink.js";
import type { Logger } from "../logging/logger.js";
import { TokenBucket } from "../ratelimit/tokenBucket.js";
import {
  fromCheckpoint,
  type LokiCheckpoint,
  LokiForwardReader,
  type LokiPage,
  type LokiPosition,
  positionAfter,
  type RangeQuery,
  toCheckpoint,
} from "./forwardReader.js";
import { entryToEvent, type LokiEntry } from "./streamToEvents.js";

export interface LokiForwarderSettings {
  /** LogQL log query, e.g. {app="api"} |= "error". */
  query: string;
  /** Identifies the Loki server (URL and tenant) in the checkpoint key. */
  source: string;
  /** Entries per query_range request. */
  pageLimit: number;
  /** Most events per sink write; the checkpoint advances after each acknowledged write. */
  batchSize: number;
  /** Events per second at most; 0 turns the limit off. */
  ratePerSecond: number;
  /** Reads stop this far behind now, so entries still being written are not stepped over. */
  lagMs: number;
  /** With `follow`, the wait once caught up. */
  pollIntervalMs: number;
  maxMessageBytes: number;
  maxQueryLimit?: number;
}

export interface LokiForwarderDeps {
  client: RangeQuery;
  store: CheckpointStore<LokiCheckpoint>;
  sink: EventSink;
  logger?: Logger;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
}

export interface ForwardStats {
  /** Entries read from Loki (each counted once). */
  read: number;
  /** Events written to the sink and acknowledged. */
  sent: number;
  /** Entries that could not be events (empty or binary lines), by reason; read = sent + rejected. */
  rejected: Record<string, number>;
  batches: number;
  pages: number;
  /** The checkpoint's timestamp after the run, nanoseconds. */
  positionNs: string;
}

/**
 * Forwards a Loki query to a sink: reads `query_range` forward from the checkpoint in pages,
 * converts entries to log events, and writes them in batches of at most `batchSize`, held to
 * `ratePerSecond` by a token bucket. Each write is awaited (a slow Kafka slows the reading down,
 * the next page is fetched while a page is written, no further), and the checkpoint is saved after
 * each acknowledged write, so a crash re-sends at most the batch in flight, with the same ids.
 */
export class LokiForwarder {
  readonly #settings: LokiForwarderSettings;
  readonly #deps: LokiForwarderDeps;
  readonly #reader: LokiForwardReader;
  readonly #bucket: TokenBucket | undefined = undefined;
  readonly #batchSize: number;
  readonly #now: () => number;
  readonly checkpointKey: string;

  constructor(settings: LokiForwarderSettings, deps: LokiForwarderDeps) {
    this.#settings = settings;
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#reader = new LokiForwardReader(deps.client, {
      query: settings.query,
      pageLimit: settings.pageLimit,
      ...(settings.maxQueryLimit !== undefined && { maxQueryLimit: settings.maxQueryLimit }),
    });
    const rate = settings.ratePerSecond;
    // Batches hold at most a second's worth, so events flow evenly. The bucket holds one batch:
    // the time spent reading and writing between batches counts toward the next one, yet there
    // is never a burst above the rate. It starts empty, so a run does not begin with a burst.
    this.#batchSize =
      rate > 0 ? Math.max(1, Math.min(settings.batchSize, Math.floor(rate))) : settings.batchSize;
    if (rate > 0) {
      this.#bucket = new TokenBucket({ ratePerSecond: rate, capacity: this.#batchSize });
      this.#bucket.tryTake(this.#batchSize);
    }
    this.checkpointKey = lokiCheckpointKey(settings.source, settings.query);
  }

  /**
   * Forwards until caught up with now - lag (or, with `follow`, until `signal` aborts).
   * `startNs` places a first run (no checkpoint yet).
   */
  async run(options: {
    startNs: bigint;
    follow?: boolean;
    signal?: AbortSignal;
  }): Promise<ForwardStats> {
    const { signal } = options;
    const { store, logger } = this.#deps;
    const stored = await store.load(this.checkpointKey);
    let version = stored?.version;
    let position: LokiPosition = stored
      ? fromCheckpoint(stored.value, this.checkpointKey)
      : { ns: options.startNs, seen: new Set() };
    const stats: ForwardStats = {
      read: 0,
      sent: 0,
      rejected: {},
      batches: 0,
      pages: 0,
      positionNs: position.ns.toString(),
    };
    const save = async (next: LokiPosition) => {
      version = await store.save(this.checkpointKey, toCheckpoint(next), version);
      position = next;
      stats.positionNs = next.ns.toString();
    };

    let pending: Promise<LokiPage> | undefined;
    try {
      while (!signal?.aborted) {
        const endNs = this.#endNs();
        if (endNs <= position.ns) {
          if (!options.follow) break;
          await this.#pause(signal);
          continue;
        }
        const start = position;
        const page = await (pending ?? this.#reader.readPage(start, endNs, signal));
        pending = undefined;
        stats.pages++;
        if (!page.complete) {
          // Read ahead while this page is written: its start is already known.
          pending = this.#reader.readPage(page.next, endNs, signal);
          pending.catch(() => {});
        }
        stats.read += page.entries.length;
        for (let i = 0; i < page.entries.length; i += this.#batchSize) {
          const slice = page.entries.slice(i, i + this.#batchSize);
          await this.#send(slice, stats, signal);
          const done = i + slice.length;
          await save(
            done === page.entries.length ? page.next : positionAfter(start, page.entries, done),
          );
        }
        if (page.entries.length === 0 && page.next.ns !== position.ns) await save(page.next);
        if (page.complete) {
          logger?.debug({ positionNs: stats.positionNs, sent: stats.sent }, "caught up with Loki");
          if (!options.follow) break;
          await this.#pause(signal);
        }
      }
    } catch (error) {
      if (!signal?.aborted) throw error;
    }
    return stats;
  }

  async #send(entries: readonly LokiEntry[], stats: ForwardStats, signal?: AbortSignal) {
    const context = {
      ingestedAt: new Date(this.#now()).toISOString(),
      maxMessageBytes: this.#settings.maxMessageBytes,
    };
    const events: LogEvent[] = [];
    for (const entry of entries) {
      const outcome = entryToEvent(entry, context);
      if (outcome.ok) events.push(outcome.event);
      else {
        stats.rejected[outcome.reason] = (stats.rejected[outcome.reason] ?? 0) + 1;
        this.#deps.logger?.debug(
          { id: entry.id, reason: outcome.reason },
          "Loki entry not forwarded",
        );
      }
    }
    if (events.length === 0) return;
    await this.#bucket?.take(events.length, signal);
    await this.#deps.sink.write(events, signal);
    stats.sent += events.length;
    stats.batches++;
  }

  #endNs(): bigint {
    return BigInt(Math.floor(this.#now() - this.#settings.lagMs)) * 1_000_000n;
  }

  async #pause(signal?: AbortSignal): Promise<void> {
    await sleep(this.#settings.pollIntervalMs, undefined, signal ? { signal } : undefined);
  }
}

/** One checkpoint per Loki server and query. */
function lokiCheckpointKey(source: string, query: string): string {
  return `loki/${contentId(source, query).slice(0, 16)}`;
}
