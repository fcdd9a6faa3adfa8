import { join } from "node:path";
import type { Config } from "../config/schema.js";
import { stateDir } from "../config/stateDir.js";
import { FileGroupStore } from "../files/groupStore.js";
import type { Logger } from "../logging/logger.js";
import type { PipelineMetrics } from "../metrics/catalog.js";
import { defaultRoute } from "./createChannels.js";
import { JsonlDeadLetterFile, type NotificationDeadLetterSink } from "./deadLetters.js";
import type { GroupingOptions } from "./grouping/grouping.js";
import type { GroupStore } from "./grouping/groupStore.js";
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

/** The notification groups' timers and limits (ALERT_GROUP_*, DEDUP_WINDOW_MINUTES). */
export function groupingFromConfig(config: Config): GroupingOptions {
  return {
    groupBy: config.ALERT_GROUP_BY,
    settings: {
      waitMs: config.ALERT_GROUP_WAIT_SECONDS * 1000,
      intervalMs: config.ALERT_GROUP_INTERVAL_MINUTES * 60_000,
      repeatMs: config.ALERT_REPEAT_INTERVAL_HOURS * 3_600_000,
      resolveAfterMs: config.ALERT_RESOLVE_AFTER_MINUTES * 60_000,
      sendResolved: config.ALERT_SEND_RESOLVED,
      changeFactor: config.ALERT_GROUP_CHANGE_FACTOR,
      dedupWindowMs: config.DEDUP_WINDOW_MINUTES * 60_000,
      maxItems: config.ALERT_GROUP_MAX_TEMPLATES,
    },
  };
}

/** The flood limit per channel and route (ALERT_FLOOD_*). */
export function floodFromConfig(config: Config): { ratePerMinute: number; burst: number } {
  return { ratePerMinute: config.ALERT_FLOOD_RATE_PER_MINUTE, burst: config.ALERT_FLOOD_BURST };
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
export function embeddedAlertPaths(config: Config): { groups: string; deadLetters: string } {
  const dir = stateDir(config);
  return {
    groups: join(dir, "alert-groups.json"),
    deadLetters: config.SENTINEL_ALERT_DEAD_LETTER_FILE ?? join(dir, "alert-dead-letters.jsonl"),
  };
}

export interface CreateNotifierOptions {
  /** From `createChannels(config, logger)` (core/alerting/createChannels.ts). */
  channels: readonly ChannelSender[];
  logger?: Logger;
  /** Default: the embedded mode's JSON file in the state directory. */
  groups?: GroupStore;
  /** Default: the embedded mode's JSONL file (SENTINEL_ALERT_DEAD_LETTER_FILE). */
  deadLetters?: NotificationDeadLetterSink;
  /** How often due groups are checked without new records: default 1 s; 0 when the caller ticks (Lambda). */
  tickIntervalMs?: number;
  metrics?: PipelineMetrics;
  signal?: AbortSignal;
}

/**
 * A notifier set up from the configuration. Without `groups` and `deadLetters` it is the embedded
 * mode's (`sentinel run`): group state in a JSON file and dead letters in a JSONL file, both in
 * the state directory; the Lambda passes its DynamoDB store and the dead-letter topic.
 *
 * @example
 * const notifier = await createNotifier(config, { channels: createChannels(config, logger), logger });
 * for (const event of classified) await notifier.notifyClassified(event);
 * await notifier.close(); // at shutdown: sends what groups hold, saves the group state
 */
export async function createNotifier(
  config: Config,
  options: CreateNotifierOptions,
): Promise<Notifier> {
  const paths = embeddedAlertPaths(config);
  const groups =
    options.groups ??
    (await FileGroupStore.open({
      path: paths.groups,
      ...(options.logger && { logger: options.logger }),
      ...(options.metrics && { metrics: options.metrics }),
    }));
  const settings: NotifierOptions = {
    channels: options.channels,
    groups,
    deadLetters: options.deadLetters ?? new JsonlDeadLetterFile(paths.deadLetters),
    rules: alertRulesFromConfig(config),
    routing: alertRoutingFromConfig(config),
    grouping: groupingFromConfig(config),
    links: alertLinksFromConfig(config),
    flood: floodFromConfig(config),
    retry: { ...DEFAULT_ALERT_RETRY, maxAttempts: config.ALERT_RETRY_MAX_ATTEMPTS },
    tickIntervalMs: options.tickIntervalMs ?? 1000,
    ...(options.logger && { logger: options.logger }),
    ...(options.metrics && { metrics: options.metrics }),
    ...(options.signal && { signal: options.signal }),
  };
  return new Notifier(settings);
}
