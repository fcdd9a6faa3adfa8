import type { Registry } from "prom-client";
import type { Logger } from "../../logging/logger.js";
import { type RetryPolicy, withRetry } from "../../retry/backoff.js";
import { type PipelineMetrics, pipelineMetrics } from "../catalog.js";
import { RemoteWriteError } from "./client.js";
import { snapshotToSeries } from "./registrySnapshot.js";
import type { TimeSeries } from "./writeRequest.js";

export interface MetricsPusherOptions {
  /** The registry whose snapshots are pushed. */
  registry: Registry;
  client: { write(series: readonly TimeSeries[], signal?: AbortSignal): Promise<void> };
  /** Added to every series, e.g. `{ job: "sentinel-worker", instance: "host:1234" }`. */
  targetLabels?: Readonly<Record<string, string>>;
  /** Samples kept while the store is unreachable; the oldest are dropped (and counted) beyond it. */
  maxBufferedSamples: number;
  /** Samples per remote-write request; default 10,000. */
  maxSamplesPerRequest?: number;
  /** Retries within one push; default 3 attempts, 0.5 s doubling to 5 s, with jitter. */
  retry?: RetryPolicy;
  /** Where the pusher counts its own pushes and drops; default the process-wide catalog. */
  metrics?: PipelineMetrics;
  logger?: Logger;
  /** For tests: the clock that stamps snapshots. */
  now?: () => number;
}

export interface PushOptions {
  /** Gives up (keeping what is unsent) after this long; default 5 s. */
  timeoutMs?: number;
}

/** What happened to the samples so far. */
export interface PusherStats {
  sentSamples: number;
  droppedSamples: number;
  bufferedSamples: number;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 5_000 };

/**
 * Pushes registry snapshots with remote write: a snapshot is taken on every tick (or `flush()`),
 * buffered, and sent in requests of bounded size, retried with the project's backoff. While the
 * store is down, snapshots wait in a bounded buffer; beyond it the oldest samples are dropped and
 * counted in `sentinel_metrics_dropped_samples_total`. Counters are cumulative, so a dropped sample
 * costs resolution, not totals. Nothing here throws into the caller or blocks the pipeline: every
 * failure is logged (once per outage) and counted.
 *
 * @example
 * const pusher = new MetricsPusher({ registry, client, maxBufferedSamples: 100_000 });
 * pusher.start(15_000);
 * await pusher.flush(); // at the end of a Lambda invocation
 */
export class MetricsPusher {
  readonly #registry: Registry;
  readonly #client: MetricsPusherOptions["client"];
  readonly #targetLabels: Readonly<Record<string, string>>;
  readonly #maxBuffered: number;
  readonly #maxPerRequest: number;
  readonly #retry: RetryPolicy;
  readonly #metrics: PipelineMetrics;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  /** Each series carries one sample, oldest first. */
  #buffer: TimeSeries[] = [];
  #inFlight = 0;
  #sending: Promise<void> | undefined;
  #failing = false;
  #timer: NodeJS.Timeout | undefined;
  #sentSamples = 0;
  #droppedSamples = 0;

  constructor(options: MetricsPusherOptions) {
    this.#registry = options.registry;
    this.#client = options.client;
    this.#targetLabels = options.targetLabels ?? {};
    this.#maxBuffered = options.maxBufferedSamples;
    this.#maxPerRequest = options.maxSamplesPerRequest ?? 10_000;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#metrics = options.metrics ?? pipelineMetrics;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  get stats(): PusherStats {
    return {
      sentSamples: this.#sentSamples,
      droppedSamples: this.#droppedSamples,
      bufferedSamples: this.#buffer.length + this.#inFlight,
    };
  }

  /** Snapshots and pushes every `intervalMs`; a tick never waits for the previous push. */
  start(intervalMs: number): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.#tick(intervalMs), intervalMs);
    this.#timer.unref();
  }

  /** Takes a snapshot now and pushes everything buffered; resolves when done or timed out. */
  async flush(options: PushOptions = {}): Promise<PusherStats> {
    await this.collect();
    await this.push(options);
    return this.stats;
  }

  /** Stops the ticks, then flushes once more. */
  async stop(options: PushOptions = {}): Promise<PusherStats> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    return this.flush(options);
  }

  /** Adds a snapshot of the registry to the buffer. */
  async collect(): Promise<void> {
    try {
      const snapshot = await this.#registry.getMetricsAsJSON();
      const series = snapshotToSeries(snapshot, this.#now(), this.#targetLabels);
      for (const one of series) this.#buffer.push(one);
      this.#dropBeyondBound();
    } catch (error) {
      this.#logger?.warn({ err: error }, "metrics snapshot failed");
    }
  }

  /** Sends what is buffered, after any push in flight. */
  async push(options: PushOptions = {}): Promise<void> {
    const signal = AbortSignal.timeout(options.timeoutMs ?? 5_000);
    while (this.#sending) await this.#sending;
    this.#sending = this.#sendBuffered(signal).finally(() => {
      this.#sending = undefined;
    });
    await this.#sending;
  }

  async #tick(intervalMs: number): Promise<void> {
    await this.collect();
    // A push still retrying from the last tick will take this snapshot along.
    if (this.#sending) return;
    await this.push({ timeoutMs: Math.max(intervalMs, 1_000) });
  }

  async #sendBuffered(signal: AbortSignal): Promise<void> {
    while (this.#buffer.length > 0 && !signal.aborted) {
      const batch = this.#buffer.splice(0, this.#maxPerRequest);
      this.#inFlight = batch.length;
      try {
        await withRetry(() => this.#client.write(batch, signal), this.#retry, {
          isRetryable: (error) => error instanceof RemoteWriteError && error.retryable,
          retryAfterMs: (error) => (error as RemoteWriteError).retryAfterMs,
          signal,
        });
        this.#sentSamples += batch.length;
        this.#metrics.metricsPushes.inc({ outcome: "sent" });
        if (this.#failing) {
          this.#failing = false;
          this.#logger?.info({ buffered: this.#buffer.length }, "metrics push recovered");
        }
      } catch (error) {
        if (isWorthKeeping(error)) {
          this.#buffer = batch.concat(this.#buffer);
          this.#metrics.metricsPushes.inc({ outcome: "failed" });
          if (!this.#failing) {
            this.#failing = true;
            this.#logger?.warn(
              { err: error, buffered: this.#buffer.length },
              "metrics push failing: samples kept in the buffer",
            );
          }
          return;
        }
        // The store refuses these samples for good (e.g. 400): sending them again cannot help.
        this.#drop(batch.length, error instanceof RemoteWriteError ? "rejected" : "invalid");
        this.#logger?.error({ err: error, samples: batch.length }, "metrics samples rejected");
      } finally {
        this.#inFlight = 0;
        this.#dropBeyondBound();
      }
    }
  }

  #dropBeyondBound(): void {
    const excess = this.#buffer.length + this.#inFlight - this.#maxBuffered;
    if (excess > 0) {
      const dropped = this.#buffer.splice(0, excess).length;
      this.#drop(dropped, "buffer_full");
    }
    this.#metrics.metricsBufferedSamples.set(this.#buffer.length + this.#inFlight);
  }

  #drop(samples: number, reason: "buffer_full" | "rejected" | "invalid"): void {
    if (samples === 0) return;
    this.#droppedSamples += samples;
    this.#metrics.metricsDroppedSamples.inc({ reason }, samples);
  }
}

/** Retryable store errors and our own timeout: the samples may still get through later. */
function isWorthKeeping(error: unknown): boolean {
  if (error instanceof RemoteWriteError) return error.retryable;
  return (error as Error)?.name === "AbortError" || (error as Error)?.name === "TimeoutError";
}
