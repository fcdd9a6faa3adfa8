import type { InvocationContext, Timer } from "@azure/functions";
import { BlobCheckpointStore } from "../../core/azure/blobCheckpointStore.js";
import {
  azureCredential,
  azurePollerSettings,
  checkpointContainer,
  workspaceQuery,
} from "../../core/azure/fromConfig.js";
import { type AzureCheckpoint, AzureLogPoller, type PollSummary } from "../../core/azure/poller.js";
import type { Config } from "../../core/config/schema.js";
import { CheckpointConflictError } from "../../core/ingestion/checkpoint.js";
import { KafkaEventSink } from "../../core/ingestion/eventSink.js";
import { sharedProducer } from "../../core/kafka/sharedProducer.js";
import type { Logger } from "../../core/logging/logger.js";

export interface PollLogAnalyticsDeps {
  poller(): Promise<Pick<AzureLogPoller, "poll">>;
  /** Real time a run may spend starting new windows; keep it under host.json's functionTimeout. */
  budgetMs: number;
}

/**
 * One timer run: read the Log Analytics windows that are due, send them to Kafka, checkpoint.
 * A timer that fell behind (`isPastDue`: the app was stopped, or a run overran) catches up over
 * several runs, at most AZURE_MAX_WINDOWS_PER_RUN windows each. A run that finds its checkpoint
 * advanced by an overlapping run stops quietly; any other failure fails the invocation, and the
 * next run reads again from the checkpoint.
 */
export async function pollLogAnalytics(
  timer: Timer,
  context: InvocationContext,
  deps: PollLogAnalyticsDeps,
): Promise<PollSummary | undefined> {
  if (timer.isPastDue)
    context.warn(
      `timer is past due (last run ${timer.scheduleStatus?.last || "unknown"}): catching up from the checkpoint in bounded windows`,
    );
  const poller = await deps.poller();
  try {
    const summary = await poller.poll({ budgetMs: deps.budgetMs });
    context.log(
      `read ${summary.windows} window(s) up to ${summary.windowEnd}: ${summary.rows} rows, ${summary.sent} sent, ${summary.duplicates} already sent, ${summary.splits} split(s)`,
    );
    if (!summary.caughtUp)
      context.warn(`behind: stopped at ${summary.windowEnd}; the next run goes on from there`);
    return summary;
  } catch (error) {
    if (error instanceof CheckpointConflictError) {
      context.warn(`${error.message} (an overlapping run got there first)`);
      return undefined;
    }
    throw error;
  }
}

let shared: Promise<AzureLogPoller> | undefined;

/**
 * The poller a function app instance keeps across invocations: the Log Analytics client with the
 * Azure credential, the blob checkpoint, and a Kafka producer (MSK, or Event Hubs' Kafka endpoint).
 */
export function sharedPoller(config: Config, logger: Logger): Promise<AzureLogPoller> {
  shared ??= (async () => {
    const credential = azureCredential(config);
    const producer = await sharedProducer(config, logger);
    return new AzureLogPoller(azurePollerSettings(config), {
      source: workspaceQuery(config, credential, logger),
      store: new BlobCheckpointStore<AzureCheckpoint>(checkpointContainer(config, credential)),
      sink: new KafkaEventSink(producer, config.KAFKA_TOPIC_RAW),
      logger,
    });
  })().catch((error) => {
    shared = undefined;
    throw error;
  });
  return shared;
}
