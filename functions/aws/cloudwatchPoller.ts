import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createCloudWatchLogsClient, sdkFilterLogEvents } from "../../core/cloudwatch/client.js";
import {
  CloudWatchPoller,
  type CloudWatchPollerOptions,
  type PollResult,
} from "../../core/cloudwatch/poller.js";
import { ConfigError } from "../../core/config/load.js";
import { DynamoCheckpointStore } from "../../core/dynamodb/checkpointStore.js";
import { createDynamoClient } from "../../core/dynamodb/client.js";
import { KafkaEventSink } from "../../core/ingestion/eventSink.js";
import { sharedProducer } from "../../core/kafka/sharedProducer.js";
import { lambdaEnvironment, withMetrics } from "./lambdaEnvironment.js";

/**
 * The scheduled CloudWatch poller (EventBridge schedule, e.g. every AWS_POLL_INTERVAL_SECONDS),
 * for log groups whose two subscription filter slots are taken: reads each of AWS_LOG_GROUPS
 * with FilterLogEvents from its DynamoDB checkpoint and produces to `raw-logs`. It stops starting
 * new pages shortly before the function's timeout, so the checkpoint always matches what Kafka
 * has; the next run goes on from there. A log group that fails does not stop the others; the
 * invocation then fails naming each one, so the error is seen (metrics, alarms). An overlapping
 * run on the same log group loses the checkpoint race and leaves it to the other (`conflict`).
 */

/** The part of the Lambda context the poller reads. */
export interface PollerContext {
  invokedFunctionArn?: string;
  getRemainingTimeInMillis?(): number;
}

export interface CloudWatchPollerLambdaOptions extends Omit<CloudWatchPollerOptions, "mapping"> {
  logGroups: readonly string[];
  region?: string;
  maxMessageBytes: number;
  /** Time kept back before the function's timeout for the page in flight (default 20 s). */
  safetyMarginMs?: number;
}

export interface PollSummary {
  results: PollResult[];
}

export class LogGroupsFailedError extends Error {
  override name = "LogGroupsFailedError";
}

export function createCloudWatchPollerHandler(
  options: CloudWatchPollerLambdaOptions,
): (event: unknown, context?: PollerContext) => Promise<PollSummary> {
  const { logGroups, region, maxMessageBytes, safetyMarginMs = 20_000, ...pollerOptions } = options;
  return async (_event, context) => {
    const account = context?.invokedFunctionArn?.split(":")[4];
    const poller = new CloudWatchPoller({
      ...pollerOptions,
      mapping: {
        maxMessageBytes,
        ...(region && { region }),
        ...(account && { account }),
      },
    });
    const remaining = context?.getRemainingTimeInMillis?.();
    const signal =
      remaining === undefined
        ? undefined
        : AbortSignal.timeout(Math.max(1_000, remaining - safetyMarginMs));
    const results: PollResult[] = [];
    const failures: string[] = [];
    for (const logGroup of logGroups) {
      if (signal?.aborted) break;
      try {
        const result = await poller.poll(logGroup, signal);
        results.push(result);
        options.logger?.info(
          { logGroup, outcome: result.outcome, events: result.events, pages: result.pages },
          "log group polled",
        );
      } catch (error) {
        const reason = `${(error as Error).name}: ${(error as Error).message}`;
        failures.push(`${logGroup} (${reason})`);
        options.logger?.error({ logGroup, error: reason }, "log group poll failed");
      }
    }
    if (failures.length > 0) {
      throw new LogGroupsFailedError(
        `CloudWatch poll failed for ${failures.length} of ${logGroups.length} log groups: ${failures.join("; ")}`,
      );
    }
    return { results };
  };
}

let clients: { logs: CloudWatchLogsClient; dynamo: DynamoDBClient } | undefined;

/** The Lambda entry point: configuration from the environment, DynamoDB checkpoints, Kafka. */
export function handler(event: unknown, context?: PollerContext): Promise<PollSummary> {
  return withMetrics("cloudwatch-poller", () => pollLogGroups(event, context));
}

async function pollLogGroups(event: unknown, context?: PollerContext): Promise<PollSummary> {
  const { config, logger } = await lambdaEnvironment("cloudwatch-poller");
  if (config.AWS_LOG_GROUPS.length === 0) {
    throw new ConfigError([
      { variable: "AWS_LOG_GROUPS", message: "required: the log groups this poller reads" },
    ]);
  }
  const region = config.AWS_REGION;
  clients ??= {
    logs: createCloudWatchLogsClient(region ? { region } : {}),
    dynamo: createDynamoClient(region ? { region } : {}),
  };
  const producer = await sharedProducer(config, logger);
  const poll = createCloudWatchPollerHandler({
    filterLogEvents: sdkFilterLogEvents(clients.logs),
    checkpoints: new DynamoCheckpointStore(clients.dynamo, config.SENTINEL_STATE_TABLE),
    sink: new KafkaEventSink(producer, config.KAFKA_TOPIC_RAW),
    logGroups: config.AWS_LOG_GROUPS,
    maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES,
    backfillMs: config.AWS_BACKFILL_SINCE,
    ingestionDelayMs: config.AWS_QUERY_LAG_SECONDS * 1000,
    logger,
    ...(region && { region }),
    ...(config.AWS_FILTER_PATTERN && { filterPattern: config.AWS_FILTER_PATTERN }),
  });
  return poll(event, context);
}
