import { contentId } from "../events/ids.js";
import type { LogEvent } from "../events/types.js";
import type { CheckpointStore, StoredCheckpoint } from "../ingestion/checkpoint.js";
import type { EventSink } from "../ingestion/eventSink.js";
import type { Logger } from "../logging/logger.js";
import { type RetryPolicy, withRetry } from "../retry/backoff.js";
import { PartialResultError } from "./errors.js";
import type { LogAnalyticsQuery, QueryErrorInfo, TimeWindow } from "./logAnalyticsQuery.js";
import { tableToEvents } from "./rowToEvent.js";

/**
 * Where the poller resumes: the end of the last window read completely, and the ids of the rows
 * it has already sent from the overlap the next query re-reads.
 */
export interface AzureCheckpoint {
  windowEnd: string;
  overlapIds: string[];
  /** Where the first run started: overlaps never reach before it. */
  origin: string;
}

export interface AzurePollerSettings {
  workspaceId: string;
  /** Identifies the query in the checkpoint key: another query keeps its own position. */
  query: string;
  /** Windows end this far behind now (data becomes queryable minutes late). */
  lagMs: number;
  /** Each query starts this far before the previous window's end, for rows that arrived late. */
  overlapMs: number;
  /** Most new time one query reads (it re-reads the overlap besides). */
  maxWindowMs: number;
  /** Windows read per run at most. */
  maxWindowsPerRun: number;
  /** Where a run without a checkpoint starts, before now. */
  startLookbackMs: number;
  maxMessageBytes: number;
  /** A truncated window is halved down to this size; a window this small that is still cut fails. */
  minWindowMs?: number;
  /** Ids kept for the overlap at most (the newest); beyond it a late re-read may send a duplicate. */
  maxOverlapIds?: number;
  /** Events per sink write; a window's events go out in writes this big before its checkpoint. */
  sinkBatchSize?: number;
  /** How a result that is partial for another reason than its size is asked again. */
  partialRetry?: RetryPolicy;
}

export interface AzurePollerDeps {
  source: LogAnalyticsQuery;
  store: CheckpointStore<AzureCheckpoint>;
  sink: EventSink;
  logger?: Logger;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
}

export interface PollSummary {
  /** Windows read completely (each followed by a checkpoint). */
  windows: number;
  /** Rows the queries returned, re-read overlap included. */
  rows: number;
  /** Events sent to the sink. */
  sent: number;
  /** Rows already sent by an earlier window (the overlap), not sent again. */
  duplicates: number;
  /** Queries cut short (too many rows or bytes) and split in two. */
  splits: number;
  /** The checkpoint's window end after the run. */
  windowEnd: string;
  /** False when the run stopped at maxWindowsPerRun with more to read. */
  caughtUp: boolean;
}

const RESULT_ROW_LIMIT = 500_000;

/**
 * Polls a Log Analytics workspace in time windows: [last end - overlap, now - lag], at most
 * maxWindowMs each. Every window's rows become events, rows sent before (by id) are dropped, the
 * rest go to the sink, and only then is the checkpoint saved, with the store's version check: a
 * crash in between re-reads the window, and a second run that read the same checkpoint cannot
 * also advance it (CheckpointConflictError stops it).
 *
 * A window whose result comes back cut (the API's 500,000-row / ~100 MB limit) is split in two and
 * each half read again; other partial results are asked again, then fail the run.
 */
export class AzureLogPoller {
  readonly #settings: Required<AzurePollerSettings>;
  readonly #deps: AzurePollerDeps;
  readonly #now: () => number;
  readonly checkpointKey: string;

  constructor(settings: AzurePollerSettings, deps: AzurePollerDeps) {
    this.#settings = {
      minWindowMs: 1000,
      maxOverlapIds: 100_000,
      sinkBatchSize: 5000,
      partialRetry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000 },
      ...settings,
    };
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.checkpointKey = azureCheckpointKey(settings.workspaceId, settings.query);
  }

  /**
   * Reads every complete window up to now - lag (at most maxWindowsPerRun of them).
   * `startAt` places a first run (no checkpoint yet) instead of startLookbackMs; `budgetMs` stops
   * starting new windows once that much real time has passed (a function's timeout).
   */
  async poll(
    options: { signal?: AbortSignal; startAt?: number; budgetMs?: number } = {},
  ): Promise<PollSummary> {
    const { signal } = options;
    const started = performance.now();
    const settings = this.#settings;
    const { store, sink, logger } = this.#deps;
    let stored: StoredCheckpoint<AzureCheckpoint> | undefined = await store.load(
      this.checkpointKey,
    );
    const target = this.#now() - settings.lagMs;
    let windowEnd = stored
      ? Date.parse(stored.value.windowEnd)
      : (options.startAt ?? target - settings.startLookbackMs);
    if (Number.isNaN(windowEnd))
      throw new Error(
        `checkpoint ${this.checkpointKey} has no valid windowEnd; remove it to start over`,
      );
    const origin = stored ? Date.parse(stored.value.origin ?? "") || windowEnd : windowEnd;
    let seen = new Set(stored?.value.overlapIds ?? []);
    const summary: PollSummary = {
      windows: 0,
      rows: 0,
      sent: 0,
      duplicates: 0,
      splits: 0,
      windowEnd: new Date(windowEnd).toISOString(),
      caughtUp: true,
    };

    while (windowEnd < target) {
      const outOfTime =
        options.budgetMs !== undefined && performance.now() - started > options.budgetMs;
      if (summary.windows >= settings.maxWindowsPerRun || outOfTime) {
        summary.caughtUp = false;
        break;
      }
      signal?.throwIfAborted();
      const start = Math.max(origin, windowEnd - settings.overlapMs);
      const end = Math.min(windowEnd + settings.maxWindowMs, target);
      const events = await this.#readWindow(
        { start: new Date(start), end: new Date(end) },
        summary,
        signal,
      );
      const fresh = events.filter((event) => !seen.has(event.id));
      summary.rows += events.length;
      summary.duplicates += events.length - fresh.length;
      for (let i = 0; i < fresh.length; i += settings.sinkBatchSize)
        await sink.write(fresh.slice(i, i + settings.sinkBatchSize), signal);
      summary.sent += fresh.length;

      const value: AzureCheckpoint = {
        windowEnd: new Date(end).toISOString(),
        overlapIds: overlapIds(events, end - settings.overlapMs, settings.maxOverlapIds),
        origin: new Date(origin).toISOString(),
      };
      const version = await store.save(this.checkpointKey, value, stored?.version);
      stored = { value, version };
      seen = new Set(value.overlapIds);
      windowEnd = end;
      summary.windows++;
      summary.windowEnd = value.windowEnd;
      logger?.debug(
        {
          start: new Date(start).toISOString(),
          end: value.windowEnd,
          rows: events.length,
          sent: fresh.length,
        },
        "read Log Analytics window",
      );
    }
    return summary;
  }

  /** The window's events, each once; cut results are split until every part is complete. */
  async #readWindow(
    window: TimeWindow,
    summary: PollSummary,
    signal?: AbortSignal,
  ): Promise<LogEvent[]> {
    const { source, logger } = this.#deps;
    const outcome = await withRetry(
      async () => {
        const result = await source.run(window, signal);
        if (result.partialError && !isTruncation(result.partialError, result.tables))
          throw new PartialResultError(isoWindow(window), describe(result.partialError));
        return result;
      },
      this.#settings.partialRetry,
      { isRetryable: (error) => error instanceof PartialResultError, ...(signal && { signal }) },
    );
    const rowCount = outcome.tables.reduce((sum, table) => sum + table.rows.length, 0);
    if (outcome.partialError || rowCount >= RESULT_ROW_LIMIT) {
      const span = window.end.getTime() - window.start.getTime();
      if (span <= this.#settings.minWindowMs)
        throw new PartialResultError(
          isoWindow(window),
          `still cut at ${span} ms (${rowCount} rows): ${outcome.partialError ? describe(outcome.partialError) : "row limit reached"}`,
        );
      summary.splits++;
      const middle = new Date(window.start.getTime() + Math.floor(span / 2));
      logger?.info(
        { ...isoWindow(window), rows: rowCount },
        "query result cut short; splitting the window",
      );
      const left = await this.#readWindow({ start: window.start, end: middle }, summary, signal);
      const right = await this.#readWindow({ start: middle, end: window.end }, summary, signal);
      return uniqueById([...left, ...right]);
    }
    const context = {
      workspace: this.#settings.workspaceId,
      ingestedAt: new Date(this.#now()).toISOString(),
      maxMessageBytes: this.#settings.maxMessageBytes,
      fallbackTimestamp: window.end.toISOString(),
    };
    return uniqueById(outcome.tables.flatMap((table) => tableToEvents(table, context)));
  }
}

/** One checkpoint per workspace and query: where the poller keeps it (a blob `<key>.json`). */
export function azureCheckpointKey(workspaceId: string, query: string): string {
  return `azure/${workspaceId}/${contentId(query).slice(0, 16)}`;
}

/** Ids of the events at or after `from` (the next query re-reads them), the newest `max` of them. */
function overlapIds(events: readonly LogEvent[], from: number, max: number): string[] {
  const inOverlap = events.filter((event) => Date.parse(event.timestamp) >= from);
  if (inOverlap.length > max)
    inOverlap.sort((a, b) => b.timestamp.localeCompare(a.timestamp)).length = max;
  return inOverlap.map((event) => event.id);
}

/** Splitting halves share their boundary instant, so a row on it comes back twice. */
function uniqueById(events: readonly LogEvent[]): LogEvent[] {
  const ids = new Set<string>();
  return events.filter((event) => !ids.has(event.id) && ids.add(event.id));
}

const TRUNCATION_CODES =
  /E_QUERY_RESULT_SET_TOO_LARGE|ResultSetTooLarge|exceed(ed|s)? the (set|internal)/i;

function isTruncation(
  error: QueryErrorInfo,
  tables: readonly { rows: readonly unknown[] }[],
): boolean {
  const rows = tables.reduce((sum, table) => sum + table.rows.length, 0);
  return (
    rows >= RESULT_ROW_LIMIT ||
    TRUNCATION_CODES.test(`${error.message} ${JSON.stringify(error.raw ?? "")}`)
  );
}

function describe(error: QueryErrorInfo): string {
  return `${error.code}: ${error.message}`;
}

function isoWindow(window: TimeWindow): { start: string; end: string } {
  return { start: window.start.toISOString(), end: window.end.toISOString() };
}
