import { cloudWatchLogEvent } from "../../core/cloudwatch/logEvent.js";
import {
  decodeCloudWatchLogsEvent,
  subscriptionEvents,
} from "../../core/cloudwatch/subscriptionPayload.js";
import type { LogEvent } from "../../core/events/types.js";
import { KafkaEventSink } from "../../core/ingestion/eventSink.js";
import type { DurableProducer } from "../../core/kafka/producer.js";
import { sharedProducer } from "../../core/kafka/sharedProducer.js";
import type { Logger } from "../../core/logging/logger.js";
import { lambdaEnvironment, withMetrics } from "./lambdaEnvironment.js";

/**
 * The CloudWatch Logs subscription filter's target (subscription filters cannot deliver to MSK):
 * decodes `awslogs.data`, turns each event into a log event with its CloudWatch id, and produces
 * them to `raw-logs` in requests under KAFKA_MAX_BATCH_BYTES. It returns only once Kafka has
 * acknowledged every event; a Kafka failure throws, so the invocation fails and Lambda's
 * asynchronous retries (then the function's on-failure destination) take the whole payload again.
 * Events already acknowledged before the failure are produced again with the same ids, which the
 * pipeline absorbs. A payload that cannot be decoded fails with a SubscriptionPayloadError naming
 * the problem. Control messages (CloudWatch checking the destination) are acknowledged and skipped.
 */

export interface CloudWatchForwarderOptions {
  /** The producer, or how to get it: asked for only when a payload has events to send. */
  producer: DurableProducer | (() => Promise<DurableProducer>);
  topic: string;
  /** The log groups' region: the function's own (AWS_REGION), as subscriptions are regional. */
  region?: string;
  maxMessageBytes: number;
  logger?: Logger;
}

export interface ForwardResult {
  messageType: "DATA_MESSAGE" | "CONTROL_MESSAGE";
  logGroup: string;
  forwarded: number;
}

export type CloudWatchForwarder = (event: unknown) => Promise<ForwardResult>;

export function createCloudWatchForwarder(
  options: CloudWatchForwarderOptions,
): CloudWatchForwarder {
  let sink: KafkaEventSink | undefined;
  return async (event) => {
    const payload = decodeCloudWatchLogsEvent(event);
    if (payload.messageType === "CONTROL_MESSAGE") {
      options.logger?.info(
        { message: payload.logEvents[0]?.message },
        "CloudWatch control message, nothing to forward",
      );
      return { messageType: payload.messageType, logGroup: payload.logGroup, forwarded: 0 };
    }
    const ingestedAt = new Date().toISOString();
    const mapping = {
      account: payload.owner,
      maxMessageBytes: options.maxMessageBytes,
      ...(options.region && { region: options.region }),
    };
    const events: LogEvent[] = subscriptionEvents(payload).map((e) =>
      cloudWatchLogEvent(e, mapping, ingestedAt),
    );
    sink ??= new KafkaEventSink(
      typeof options.producer === "function" ? await options.producer() : options.producer,
      options.topic,
    );
    await sink.write(events);
    options.logger?.debug(
      { logGroup: payload.logGroup, logStream: payload.logStream, forwarded: events.length },
      "forwarded CloudWatch events",
    );
    return {
      messageType: payload.messageType,
      logGroup: payload.logGroup,
      forwarded: events.length,
    };
  };
}

/** The Lambda entry point: configuration from the environment, the shared Lambda producer. */
export function handler(event: unknown): Promise<ForwardResult> {
  return withMetrics("cloudwatch-forwarder", async () => {
    const { config, logger } = await lambdaEnvironment("cloudwatch-forwarder");
    const forward = createCloudWatchForwarder({
      producer: () => sharedProducer(config, logger),
      topic: config.KAFKA_TOPIC_RAW,
      maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES,
      logger,
      ...(config.AWS_REGION && { region: config.AWS_REGION }),
    });
    return forward(event);
  });
}
