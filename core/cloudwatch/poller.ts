import type { LogEvent } from "../events/types.js";
import { CheckpointConflictError, type CheckpointStore } from "../ingestion/checkpoint.js";
import type { EventSink } from "../ingestion/eventSink.js";
import type { Logger } from "../logging/logger.js";
import { type RetryPolicy, withRetry } from "../retry/backoff.js";
import { type CloudWatchMapping, cloudWatchLogEvent } from "./logEvent.js";
import { advance, samePosition, settle, startingPosition, undelivered } from "./position.js";
import { isRetryableAwsError } from "./retryableError.js";
import type { CloudWatchPosition } from "./types.js";

export interface FilterLogEventsRequest {
  logGroupName: string;
  startTime: number;
  endTime: number;
  filterPattern?: string;
  nextToken?: string;
  limit?: number;
}

export interface FilterLogEventsPage {
  events: { id: string; timestamp: number; message: string; logStream: string }[];
  nextToken?: string;
}

/** One FilterLogEvents call; `sdkFilterLogEvents` (client.ts) makes one from the AWS SDK client. */
export type FilterLogEvents = (
  request: FilterLogEventsRequest,
  signal?: AbortSignal,
) => Promise<FilterLogEventsPage>;

export interface CloudWatchPollerOptions {
  filterLogEvents: FilterLogEvents;
  checkpoints: CheckpointStore<CloudWatchPosition>;
  sink: EventSink;
  /** Region (part of the checkpoint key), account, message size bound. */
  mapping: CloudWatchMapping;
  /** A log group without a checkpoint is read from this long ago (`--since`, AWS_BACKFILL_SINCE). */
  backfillMs: number;
  /**
   * Events younger than this are left for the next poll: CloudWatch can ingest an event seconds
   * after its timestamp, and a query up to "now" would move the checkpoint past it.
   */
  ingestionDelayMs: number;
  filterPattern?: string;
  /** Events per FilterLogEvents page (the service's default and maximum: 10,000). */
  pageLimit?: number;
  retry?: RetryPolicy;
  logger?: Logger;
  now?: () => number;
}

export type PollOutcome =
  /** Read up to the query's end; the checkpoint says so. */
  | "caught-up"
  /** Another run advanced the checkpoint: this one stopped without saving. */
  | "conflict"
  /** The signal fired; what was delivered is checkpointed. */
  | "aborted";

export interface PollResult {
  logGroup: string;
  outcome: PollOutcome;
  /** Events handed to the sink (a page re-read after a crash counts again). */
  events: number;
  pages: number;
  position: CloudWatchPosition;
}

/** Throttling is CloudWatch Logs' normal answer to a busy account: wait and go on, for a while. */
const DEFAULT_POLL_RETRY: RetryPolicy = {
  maxAttempts: 12,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
  maxElapsedMs: 180_000,
};

/** The checkpoint key of a log group: region and name (one DynamoDB item, one file). */
export function checkpointKey(region: string | undefined, logGroup: string): string {
  return `cloudwatch/${region ?? "default-region"}/${logGroup}`;
}

/**
 * Reads a log group with FilterLogEvents from its checkpoint, page by page: each page's new events
 * go to the sink, and only once the sink has them is the checkpoint saved. A crash between the two
 * re-reads that page on restart (same CloudWatch ids, absorbed downstream); a crash never skips
 * one. Throttling and server errors are retried with the project's backoff. A second run on the
 * same log group loses the checkpoint's version race and stops cleanly (`conflict`).
 *
 * Assumes FilterLogEvents returns a query's events in time order, as it does (interleaved).
 */
export class CloudWatchPoller {
  readonly #options: CloudWatchPollerOptions;
  readonly #now: () => number;

  constructor(options: CloudWatchPollerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async poll(logGroup: string, signal?: AbortSignal): Promise<PollResult> {
    const { checkpoints, mapping, logger } = this.#options;
    const key = checkpointKey(mapping.region, logGroup);
    const stored = await checkpoints.load(key);
    let version = stored?.version;
    const from = stored?.value ?? startingPosition(this.#now() - this.#options.backfillMs);
    let position = from;
    let delivered = 0;
    let pages = 0;
    const result = (outcome: PollOutcome): PollResult => ({
      logGroup,
      outcome,
      events: delivered,
      pages,
      position,
    });

    const endTime = this.#now() - this.#options.ingestionDelayMs;
    if (endTime < from.timestamp) return result("caught-up");
    let nextToken: string | undefined;
    do {
      if (signal?.aborted) return result("aborted");
      const request: FilterLogEventsRequest = {
        logGroupName: logGroup,
        startTime: from.timestamp,
        endTime,
      };
      if (this.#options.filterPattern) request.filterPattern = this.#options.filterPattern;
      if (this.#options.pageLimit) request.limit = this.#options.pageLimit;
      if (nextToken) request.nextToken = nextToken;
      let page: FilterLogEventsPage;
      try {
        page = await this.#filter(request, signal);
      } catch (error) {
        if (signal?.aborted) return result("aborted");
        throw error;
      }
      pages++;
      nextToken = page.nextToken;
      const fresh = undelivered(from, page.events);
      let next = advance(position, fresh);
      if (!nextToken) next = settle(next, endTime);
      if (fresh.length > 0) {
        const ingestedAt = new Date(this.#now()).toISOString();
        const events: LogEvent[] = fresh.map((event) =>
          cloudWatchLogEvent({ ...event, logGroup }, mapping, ingestedAt),
        );
        try {
          await this.#options.sink.write(events, signal);
        } catch (error) {
          if (signal?.aborted) return result("aborted");
          throw error;
        }
        delivered += events.length;
      }
      if (!samePosition(position, next) || version === undefined) {
        try {
          version = await checkpoints.save(key, next, version);
        } catch (error) {
          if (!(error instanceof CheckpointConflictError)) throw error;
          logger?.warn({ logGroup, key }, error.message);
          return result("conflict");
        }
        position = next;
      }
    } while (nextToken);
    logger?.debug({ logGroup, events: delivered, pages, position }, "log group read");
    return result("caught-up");
  }

  #filter(request: FilterLogEventsRequest, signal?: AbortSignal): Promise<FilterLogEventsPage> {
    const { logger } = this.#options;
    return withRetry(
      () => this.#options.filterLogEvents(request, signal),
      this.#options.retry ?? DEFAULT_POLL_RETRY,
      {
        isRetryable: isRetryableAwsError,
        onRetry: ({ attempt, delayMs, error }) =>
          logger?.warn(
            {
              logGroup: request.logGroupName,
              attempt,
              retryInMs: delayMs,
              error: (error as Error).name,
            },
            "FilterLogEvents failed, retrying",
          ),
        ...(signal && { signal }),
      },
    );
  }
}
