import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { AzureQueryError } from "../../core/azure/errors.js";
import {
  azureCredential,
  azurePollerSettings,
  workspaceQuery,
} from "../../core/azure/fromConfig.js";
import { type AzureCheckpoint, AzureLogPoller } from "../../core/azure/poller.js";
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
import { sinceOption } from "./options.js";

interface IngestAzureOptions extends IngestTargetOptions {
  since: number;
  follow?: boolean;
  workspace?: string;
  query?: string;
  checkpointDir?: string;
}

/**
 * `sentinel ingest azure`: the timer function's poller, run from the command line: KQL over a
 * Log Analytics workspace in time windows from a checkpoint file, into the embedded pipeline or
 * Kafka; once (until caught up), or every AZURE_POLL_INTERVAL_SECONDS with --follow.
 */
export function registerIngestAzure(ingest: Command): void {
  const command = ingest
    .command("azure")
    .description(
      "read an Azure Monitor Log Analytics workspace (KQL, AZURE_QUERY) from a checkpoint: a backfill, or --follow",
    )
    .addOption(sinceOption())
    .option("--follow", "keep polling every AZURE_POLL_INTERVAL_SECONDS until Ctrl-C or SIGTERM")
    .option("--workspace <id>", "Log Analytics workspace id (default: AZURE_WORKSPACE_ID)")
    .option("--query <kql>", "KQL to run per window, without a time filter (default: AZURE_QUERY)");
  addIngestTargetOptions(command).action(ingestAzure);
}

async function ingestAzure(options: IngestAzureOptions): Promise<void> {
  const runtime = startRuntime();
  const { logger } = runtime;
  const config = {
    ...runtime.config,
    ...(options.workspace && { AZURE_WORKSPACE_ID: options.workspace }),
    ...(options.query && { AZURE_QUERY: options.query }),
  };
  const settings = azurePollerSettings(config);
  const source = workspaceQuery(config, azureCredential(config), logger);

  const stop = stopOnSignals(logger, "the window in flight");

  const target = await openIngestTarget(runtime, options);
  const poller = new AzureLogPoller(settings, {
    source,
    store: checkpointStore<AzureCheckpoint>(runtime, options.checkpointDir),
    sink: target.sink,
    logger,
  });
  const startAt = Date.now() - options.since;
  try {
    while (!stop.signal.aborted) {
      const summary = await poller.poll({ signal: stop.signal, startAt });
      logger.info({ workspace: settings.workspaceId, ...summary }, "Log Analytics windows read");
      if (!summary.caughtUp) continue;
      if (!options.follow) break;
      await sleep(config.AZURE_POLL_INTERVAL_SECONDS * 1000, undefined, {
        signal: stop.signal,
      }).catch(() => undefined);
    }
  } catch (error) {
    if (stop.signal.aborted && (error as Error).name === "AbortError") return;
    if (error instanceof AzureQueryError) throw new UsageError(error.message);
    if (stoppedByCheckpointConflict(error, logger)) return;
    throw error;
  } finally {
    stop.release();
    await target.close();
  }
}
