import { type Command, InvalidArgumentError } from "commander";
import { LokiForwarder } from "../../core/loki/forwarder.js";
import type { LokiCheckpoint } from "../../core/loki/forwardReader.js";
import { lokiClient, lokiForwarderSettings } from "../../core/loki/fromConfig.js";
import { LokiQueryError } from "../../core/loki/queryRange.js";
import {
  addIngestTargetOptions,
  checkpointStore,
  type IngestTargetOptions,
  openIngestTarget,
  stoppedByCheckpointConflict,
} from "../ingestTarget.js";
import { UsageError } from "../io.js";
import { startRuntime } from "../runtime.js";
import { stopOnSignals } from "../stopSignal.js";
import { parsePositiveInt, sinceOption } from "./options.js";

interface IngestLokiOptions extends IngestTargetOptions {
  query?: string;
  url?: string;
  since: number;
  follow?: boolean;
  rate?: number;
  batchSize?: number;
  checkpointDir?: string;
}

/**
 * `sentinel ingest loki`: the Loki forwarder. Reads a LogQL query forward from a checkpoint file
 * (query_range, nanosecond positions) into the embedded pipeline or Kafka, in rate-limited batches,
 * checkpointing after each acknowledged batch; until caught up, or with --follow until stopped
 * (the compose `loki` profile runs it so, with --to kafka).
 */
export function registerIngestLoki(ingest: Command): void {
  const command = ingest
    .command("loki")
    .description("forward a Loki query (query_range) from a checkpoint: a backfill, or --follow")
    .option("-q, --query <logql>", 'LogQL log query, e.g. {app="api"} (default: LOKI_QUERY)')
    .option("--url <url>", "Loki's base URL (default: LOKI_URL)")
    .addOption(sinceOption())
    .option("--follow", "keep reading new entries until Ctrl-C or SIGTERM")
    .option(
      "--rate <events>",
      "events per second at most, 0 for no limit (default: LOKI_RATE_LIMIT)",
      parseRate,
    )
    .option(
      "--batch-size <n>",
      "most events per batch (default: LOKI_BATCH_SIZE)",
      parsePositiveInt,
    );
  addIngestTargetOptions(command).action(ingestLoki);
}

function parseRate(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0)
    throw new InvalidArgumentError("expected events per second, 0 or more (0: no limit)");
  return parsed;
}

async function ingestLoki(options: IngestLokiOptions): Promise<void> {
  const runtime = startRuntime();
  const { config, logger } = runtime;
  if (options.url !== undefined && !/^https?:\/\/[^/]/.test(options.url))
    throw new UsageError(`--url expects an http(s) URL, got ${JSON.stringify(options.url)}`);
  const settings = lokiForwarderSettings(config, {
    ...(options.query !== undefined && { query: options.query }),
    ...(options.url !== undefined && { url: options.url }),
    ...(options.rate !== undefined && { ratePerSecond: options.rate }),
    ...(options.batchSize !== undefined && { batchSize: options.batchSize }),
  });
  const client = lokiClient(config, logger, options.url);

  const stop = stopOnSignals(logger);

  const target = await openIngestTarget(runtime, options);
  const forwarder = new LokiForwarder(settings, {
    client,
    store: checkpointStore<LokiCheckpoint>(runtime, options.checkpointDir),
    sink: target.sink,
    logger,
  });
  try {
    const stats = await forwarder.run({
      startNs: BigInt(Date.now() - options.since) * 1_000_000n,
      follow: options.follow ?? false,
      signal: stop.signal,
    });
    logger.info({ query: settings.query, ...stats }, "Loki entries forwarded");
  } catch (error) {
    if (error instanceof LokiQueryError) throw new UsageError(error.message);
    if (stoppedByCheckpointConflict(error, logger)) return;
    throw error;
  } finally {
    stop.release();
    await target.close();
  }
}
