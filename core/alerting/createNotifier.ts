import { join } from "node:path";
import type { Config } from "../config/schema.js";
import { stateDir } from "../config/stateDir.js";
import { FileDedupStore } from "../files/dedupStore.js";
import type { Logger } from "../logging/logger.js";
import type { PipelineMetrics } from "../metrics/catalog.js";
import { defaultRoute } from "./createChannels.js";
import { JsonlDeadLetterFile, type NotificationDeadLetterSink } from "./deadLetters.js";
import type { DedupStore } from "./dedupWindow.js";
import type { AlertLinkOptions } from "./links.js";
import { DEFAULT_ALERT_RETRY, Notifier, type NotifierOptions } from "./notifier.js";
import type { AlertRouting, AlertRules } from "./rules.js";
import type { ChannelSender } from "./types.js";

/** The alert rules the configuration sets (also what `sentinel analyze` should pass its summary). */
export function alertRulesFromConfig(config: Config): AlertRules {
  return {
    sendPreventiveEmails: config.SEND_PREVENTIVE_EMAILS,
    minConfidence: config.ALERT_MIN_CONFIDENCE,
    anomalyThreshold: config.ANOMALY_THRESHOLD,
  };
}

/** EMAIL_RECIPIENTS and TEAMS_WEBHOOK_URL, with ALERT_ROUTES per service over them. */
export function alertRoutingFromConfig(config: Config): AlertRouting {
  return { defaultRoute: defaultRoute(config), services: config.ALERT_ROUTES ?? {} };
}

function alertLinksFromConfig(config: Config): AlertLinkOptions {
  return {
    ...(config.GRAFANA_URL && { grafanaUrl: config.GRAFANA_URL }),
    lokiDatasourceUid: config.ALERT_LOKI_DATASOURCE_UID,
    ...(config.AWS_REGION && { awsRegion: config.AWS_REGION }),
    ...(config.ALERT_AZURE_WORKSPACE_RESOURCE_ID && {
      azureWorkspaceResourceId: config.ALERT_AZURE_WORKSPACE_RESOURCE_ID,
    }),
    ...(config.ALERT_RUNBOOK_URL_TEMPLATE && {
      runbookUrlTemplate: config.ALERT_RUNBOOK_URL_TEMPLATE,
    }),
  };
}

/** Where the embedded mode keeps alert state and dead letters. */
export function embeddedAlertPaths(config: Config): { dedup: string; deadLetters: string } {
  const dir = stateDir(config);
  return {
    dedup: join(dir, "alert-dedup.json"),
    deadLetters: config.SENTINEL_ALERT_DEAD_LETTER_FILE ?? join(dir, "alert-dead-letters.jsonl"),
  };
}

export interface CreateNotifierOptions {
  /** From `createChannels(config, logger)` (core/alerting/createChannels.ts). */
  channels: readonly ChannelSender[];
  logger?: Logger;
  /** Default: the embedded mode's JSON file in the state directory. */
  dedup?: DedupStore;
  /** Default: the embedded mode's JSONL file (SENTINEL_ALERT_DEAD_LETTER_FILE). */
  deadLetters?: NotificationDeadLetterSink;
  /** Default 5 s, for a long-running process; 0 when the caller flushes (Lambda). */
  digestCheckIntervalMs?: number;
  metrics?: PipelineMetrics;
  signal?: AbortSignal;
}

/**
 * A notifier set up from the configuration. Without `dedup` and `deadLetters` it is the embedded
 * mode's (`sentinel run`): dedup state in a JSON file and dead letters in a JSONL file, both in
 * the state directory; the Lambda passes its DynamoDB store and the dead-letter topic.
 *
 * @example
 * const notifier = await createNotifier(config, { channels: createChannels(config, logger), logger });
 * for (const event of classified) await notifier.notifyClassified(event);
 * await notifier.close(); // at shutdown: sends waiting digests, saves the dedup state
 */
export async function createNotifier(
  config: Config,
  options: CreateNotifierOptions,
): Promise<Notifier> {
  const paths = embeddedAlertPaths(config);
  const windowMs = config.DEDUP_WINDOW_MINUTES * 60_000;
  const dedup =
    options.dedup ??
    (await FileDedupStore.open({
      path: paths.dedup,
      windowMs,
      ...(options.logger && { logger: options.logger }),
      ...(options.metrics && { metrics: options.metrics }),
    }));
  const settings: NotifierOptions = {
    channels: options.channels,
    dedup,
    deadLetters: options.deadLetters ?? new JsonlDeadLetterFile(paths.deadLetters),
    rules: alertRulesFromConfig(config),
    routing: alertRoutingFromConfig(config),
    links: alertLinksFromConfig(config),
    flood: { ratePerMinute: config.ALERT_FLOOD_RATE_PER_MINUTE, burst: config.ALERT_FLOOD_BURST },
    retry: { ...DEFAULT_ALERT_RETRY, maxAttempts: config.ALERT_RETRY_MAX_ATTEMPTS },
    digestCheckIntervalMs: options.digestCheckIntervalMs ?? 5000,
    ...(options.logger && { logger: options.logger }),
    ...(options.metrics && { metrics: options.metrics }),
    ...(options.signal && { signal: options.signal }),
  };
  return new Notifier(settings);
}
