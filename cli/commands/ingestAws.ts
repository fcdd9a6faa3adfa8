import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import {
  clientRegion,
  createCloudWatchLogsClient,
  sdkFilterLogEvents,
} from "../../core/cloudwatch/client.js";
import { CloudWatchPoller, type PollResult } from "../../core/cloudwatch/poller.js";
import type { CloudWatchPosition } from "../../core/cloudwatch/types.js";
import {
  addIngestTargetOptions,
  checkpointStore,
  type IngestTargetOptions,
  openIngestTarget,
} from "../ingestTarget.js";
import { UsageError } from "../io.js";
import { startRuntime } from "../runtime.js";
import { stopOnSignals } from "../stopSignal.js";
import { parseDuration } from "./options.js";

interface IngestAwsOptions extends IngestTargetOptions {
  logGroup: string[];
  since?: number;
  follow?: boolean;
  filterPattern?: string;
  checkpointDir?: string;
}

/** Errors that no retry or wait fixes: said plainly, exit status 2. */
const CALLER_ERRORS = new Set([
  "ResourceNotFoundException",
  "InvalidParameterException",
  "AccessDeniedException",
  "UnrecognizedClientException",
  "CredentialsProviderError",
  "ExpiredTokenException",
]);

/**
 * `sentinel ingest aws`: reads CloudWatch log groups with FilterLogEvents from a checkpoint (a
 * file per log group under the state directory) into the embedded pipeline or Kafka; once, or
 * every AWS_POLL_INTERVAL_SECONDS with --follow until SIGINT/SIGTERM.
 */
export function registerIngestAws(ingest: Command): void {
  const command = ingest
    .command("aws")
    .description(
      "read AWS CloudWatch log groups (FilterLogEvents) from a checkpoint: a backfill, or --follow",
    )
    .option(
      "-g, --log-group <name>",
      "log group to read; repeat for more (default: AWS_LOG_GROUPS)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      "--since <duration>",
      "a log group without a checkpoint is read from this long ago: 90s, 30m, 2h, 7d (default: AWS_BACKFILL_SINCE)",
      parseDuration,
    )
    .option("--follow", "keep polling every AWS_POLL_INTERVAL_SECONDS until Ctrl-C or SIGTERM")
    .option(
      "--filter-pattern <pattern>",
      "CloudWatch Logs filter pattern, e.g. '?ERROR ?WARN' (default: AWS_FILTER_PATTERN)",
    );
  addIngestTargetOptions(command).action(ingestAws);
}

async function ingestAws(options: IngestAwsOptions): Promise<void> {
  const runtime = startRuntime();
  const { config, logger } = runtime;
  const logGroups = options.logGroup.length > 0 ? options.logGroup : config.AWS_LOG_GROUPS;
  if (logGroups.length === 0)
    throw new UsageError("name the log groups to read: --log-group NAME (or AWS_LOG_GROUPS)");
  const client = createCloudWatchLogsClient(config.AWS_REGION ? { region: config.AWS_REGION } : {});
  const region = await clientRegion(client);
  if (!region)
    throw new UsageError("no AWS region: set AWS_REGION (or a region in your AWS profile)");

  const stop = stopOnSignals(logger, "the page in flight");

  const target = await openIngestTarget(runtime, options);
  const filterPattern = options.filterPattern ?? config.AWS_FILTER_PATTERN;
  const poller = new CloudWatchPoller({
    filterLogEvents: sdkFilterLogEvents(client),
    checkpoints: checkpointStore<CloudWatchPosition>(runtime, options.checkpointDir),
    sink: target.sink,
    mapping: { region, maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES },
    backfillMs: options.since ?? config.AWS_BACKFILL_SINCE,
    ingestionDelayMs: config.AWS_QUERY_LAG_SECONDS * 1000,
    logger,
    ...(filterPattern && { filterPattern }),
  });

  try {
    do {
      for (const logGroup of logGroups) {
        const result = await pollOrExplain(poller, logGroup, stop.signal);
        logger.info(
          { logGroup, outcome: result.outcome, events: result.events, pages: result.pages },
          "log group read",
        );
        if (result.outcome === "conflict") {
          process.exitCode = 1;
          stop.abort();
        }
        if (stop.signal.aborted) break;
      }
      if (options.follow && !stop.signal.aborted) {
        await sleep(config.AWS_POLL_INTERVAL_SECONDS * 1000, undefined, {
          signal: stop.signal,
        }).catch(() => undefined);
      }
    } while (options.follow && !stop.signal.aborted);
  } finally {
    stop.release();
    await target.close();
    client.destroy();
  }
}

async function pollOrExplain(
  poller: CloudWatchPoller,
  logGroup: string,
  signal: AbortSignal,
): Promise<PollResult> {
  try {
    return await poller.poll(logGroup, signal);
  } catch (error) {
    const { name, message } = error as Error;
    if (CALLER_ERRORS.has(name)) throw new UsageError(`${logGroup}: ${name}: ${message}`);
    throw error;
  }
}
