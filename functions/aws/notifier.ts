import { createChannels } from "../../core/alerting/createChannels.js";
import { createNotifier } from "../../core/alerting/createNotifier.js";
import { KafkaDeadLetterSink } from "../../core/alerting/deadLetters.js";
import type { Notifier, NotifyResult } from "../../core/alerting/notifier.js";
import { createDynamoClient } from "../../core/dynamodb/client.js";
import { DynamoDedupStore } from "../../core/dynamodb/dedupStore.js";
import { deadLetterMessage } from "../../core/kafka/deadLetter.js";
import { decodeAnomaly, decodeClassifiedEvent } from "../../core/kafka/logEventRecords.js";
import {
  batchResponse,
  consumedRecordOf,
  decodeMskEvent,
  type KafkaBatchResponse,
  type KafkaRecord,
} from "../../core/kafka/msk/index.js";
import type { OutgoingMessage } from "../../core/kafka/producer.js";
import { sharedProducer } from "../../core/kafka/sharedProducer.js";
import type { Logger } from "../../core/logging/logger.js";
import { type PipelineMetrics, pipelineMetrics } from "../../core/metrics/catalog.js";
import { lambdaEnvironment, lazyHandler } from "./lambdaEnvironment.js";

/**
 * The notifier Lambda: an MSK event source mapping on `classified-logs` and `anomalies` (with
 * ReportBatchItemFailures on). Each record is decoded against the shared contract and handed to
 * the notifier (rules, DynamoDB dedup, flood guard, channels); waiting digests are sent before the
 * invocation returns. A record that cannot be decoded goes to the dead-letter topic with the
 * reason; a notification that could not be delivered goes there too (by the notifier). A record is
 * reported failed, so the mapping delivers it again, only when the dedup state or the dead-letter
 * topic could not be written; its redelivery is then sent, not suppressed.
 */

export interface NotifierHandlerOptions {
  notifier: Notifier;
  topics: { classified: string; anomalies: string };
  /** Where undecodable records go: the dead-letter topic. */
  deadLetters: {
    producer: { send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> };
    topic: string;
  };
  logger?: Logger;
  metrics?: PipelineMetrics;
}

export type NotifierHandler = (event: unknown) => Promise<KafkaBatchResponse>;

export function createNotifierHandler(options: NotifierHandlerOptions): NotifierHandler {
  const { notifier, topics, logger } = options;
  const metrics = options.metrics ?? pipelineMetrics;
  return async (event) => {
    const records = decodeMskEvent(event);
    const poison: OutgoingMessage[] = [];
    const pending: { record: KafkaRecord; done: Promise<NotifyResult> }[] = [];
    const failed: KafkaRecord[] = [];
    for (const record of records) {
      const consumed = consumedRecordOf(record);
      try {
        if (record.topic === topics.classified) {
          const decoded = decodeClassifiedEvent(consumed);
          if (decoded.ok)
            pending.push({ record, done: (await notifier.notifyClassified(decoded.value)).done });
          else poison.push(deadLetterMessage(consumed, decoded.reason, "notifier-decode"));
        } else if (record.topic === topics.anomalies) {
          const decoded = decodeAnomaly(consumed);
          if (decoded.ok)
            pending.push({ record, done: (await notifier.notifyAnomaly(decoded.value)).done });
          else poison.push(deadLetterMessage(consumed, decoded.reason, "notifier-decode"));
        } else {
          poison.push(
            deadLetterMessage(consumed, `unexpected topic ${record.topic}`, "notifier-decode"),
          );
        }
      } catch (error) {
        logger?.error(
          {
            topic: record.topic,
            partition: record.partition,
            offset: record.offset,
            error: (error as Error).message,
          },
          "record could not be handed to the notifier",
        );
        failed.push(record);
      }
    }
    if (poison.length > 0) {
      // Throws when the topic cannot be written: the whole batch comes again, which dedup absorbs.
      await options.deadLetters.producer.send(options.deadLetters.topic, poison);
      metrics.deadLetters.inc({ stage: "notifier-decode", reason: "decode" }, poison.length);
      logger?.warn({ records: poison.length }, "undecodable records sent to the dead-letter topic");
    }
    await notifier.flush();
    const settled = await Promise.allSettled(pending.map((p) => p.done));
    settled.forEach((outcome, i) => {
      if (outcome.status === "rejected")
        failed.push((pending[i] as { record: KafkaRecord }).record);
    });
    if (failed.length > 0)
      logger?.warn({ failed: failed.length, records: records.length }, "records to be redelivered");
    return batchResponse(failed);
  };
}

/**
 * The Lambda entry point. The notifier (channels, DynamoDB dedup store, flood guard state) and the
 * Kafka producer are made on the first invocation and kept for the execution environment.
 */
export const handler = lazyHandler("notifier", buildHandler);

async function buildHandler(): Promise<NotifierHandler> {
  const { config, logger } = lambdaEnvironment("notifier");
  const producer = await sharedProducer(config, logger);
  const notifier = await createNotifier(config, {
    channels: createChannels(config, logger),
    logger,
    // With the file backend, createNotifier keeps dedup state in SENTINEL_STATE_DIR.
    ...(config.SENTINEL_STATE_BACKEND === "dynamodb" && {
      dedup: new DynamoDedupStore({
        client: createDynamoClient(config.AWS_REGION ? { region: config.AWS_REGION } : {}),
        tableName: config.SENTINEL_STATE_TABLE,
        windowMs: config.DEDUP_WINDOW_MINUTES * 60_000,
      }),
    }),
    deadLetters: new KafkaDeadLetterSink(producer, config.KAFKA_TOPIC_DEAD_LETTER),
    digestCheckIntervalMs: 0,
  });
  return createNotifierHandler({
    notifier,
    topics: { classified: config.KAFKA_TOPIC_CLASSIFIED, anomalies: config.KAFKA_TOPIC_ANOMALIES },
    deadLetters: { producer, topic: config.KAFKA_TOPIC_DEAD_LETTER },
    logger,
  });
}
