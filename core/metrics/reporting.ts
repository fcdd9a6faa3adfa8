import { hostname } from "node:os";
import type { Registry } from "prom-client";
import type { Logger } from "../logging/logger.js";
import { type PipelineMetrics, pipelineMetrics } from "./catalog.js";
import { RemoteWriteClient } from "./remoteWrite/client.js";
import { MetricsPusher, type PusherStats, type PushOptions } from "./remoteWrite/pusher.js";
import { type Readiness, type ScrapeServer, startScrapeServer } from "./scrapeServer.js";
import { type MetricsConfig, remoteWriteSettings } from "./settings.js";

export interface MetricsReportingOptions {
  config: MetricsConfig;
  logger: Logger;
  /** The `job` label of pushed series: what this process is, e.g. "sentinel-run", "detector". */
  job: string;
  /** Default: the process-wide catalog's registry. */
  registry?: Registry;
  /** Where the pusher counts its own pushes and drops; default the process-wide catalog. */
  metrics?: PipelineMetrics;
  /** Serve /metrics on this port (0: a free one); long-running processes pass SENTINEL_METRICS_PORT. */
  scrapePort?: number;
  /** With scrapePort: what the scrape server's `/readyz` answers. */
  readiness?: () => Readiness;
  /**
   * Push every SENTINEL_METRICS_PUSH_INTERVAL_SECONDS. Default: yes, except inside AWS Lambda,
   * where handlers call flush() at the end of each invocation instead.
   */
  pushOnInterval?: boolean;
  /** The `instance` label; default the Lambda log stream (one per container), else host:pid. */
  instance?: string;
}

export interface MetricsReporting {
  /** Pushes a snapshot now; never throws, gives up after `timeoutMs` (default 5 s) keeping the rest. */
  flush(options?: PushOptions): Promise<void>;
  /** Stops pushing (after a last flush) and closes the scrape endpoint. */
  stop(): Promise<void>;
  /** The scrape endpoint, when one was started. */
  readonly scrapeUrl: string | undefined;
  /** Samples sent, dropped and waiting; undefined when nothing is pushed. */
  readonly stats: PusherStats | undefined;
}

/**
 * Starts what a process needs to report its metrics: pushing with remote write when
 * VICTORIA_METRICS_URL or SENTINEL_METRICS_REMOTE_WRITE_URL is set, and a /metrics endpoint when a
 * scrape port is given. A scrape port already in use is logged and skipped: metrics never stop
 * the pipeline. Credentials that do not go together are refused by loadConfig, before this runs.
 *
 * @example
 * const reporting = await startMetricsReporting({ config, logger, job: "sentinel-worker",
 *   scrapePort: config.SENTINEL_METRICS_PORT });
 * // ... on shutdown:
 * await reporting.stop();
 */
export async function startMetricsReporting(
  options: MetricsReportingOptions,
): Promise<MetricsReporting> {
  const { config, logger } = options;
  const metrics = options.metrics ?? pipelineMetrics;
  const registry = options.registry ?? metrics.registry;
  const remoteWrite = remoteWriteSettings(config);
  metrics.anomalyThreshold.set(config.ANOMALY_THRESHOLD);

  let pusher: MetricsPusher | undefined;
  if (remoteWrite) {
    pusher = new MetricsPusher({
      registry,
      client: new RemoteWriteClient(remoteWrite),
      targetLabels: { job: options.job, instance: options.instance ?? defaultInstance() },
      maxBufferedSamples: config.SENTINEL_METRICS_BUFFER_SAMPLES,
      metrics,
      logger,
    });
    const inLambda = process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined;
    if (options.pushOnInterval ?? !inLambda)
      pusher.start(config.SENTINEL_METRICS_PUSH_INTERVAL_SECONDS * 1000);
    // The URL has no credentials (the configuration refuses them), so it is safe to log.
    logger.info({ url: remoteWrite.url, job: options.job }, "pushing metrics with remote write");
  }

  let server: ScrapeServer | undefined;
  if (options.scrapePort !== undefined) {
    try {
      server = await startScrapeServer({
        registry,
        host: config.SENTINEL_METRICS_HOST,
        port: options.scrapePort,
        logger,
        ...(options.readiness && { readiness: options.readiness }),
      });
      logger.info({ url: server.url }, "serving metrics for scraping");
    } catch (error) {
      logger.warn(
        { err: error, port: options.scrapePort },
        "metrics scrape endpoint not started; continuing without it",
      );
    }
  }

  return {
    flush: async (pushOptions) => {
      await pusher?.flush(pushOptions);
    },
    stop: async () => {
      await pusher?.stop();
      await server?.close();
    },
    scrapeUrl: server?.url,
    get stats() {
      return pusher?.stats;
    },
  };
}

function defaultInstance(): string {
  return process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? `${hostname()}:${process.pid}`;
}
