import { createChannels } from "../../core/alerting/createChannels.js";
import { createNotifier } from "../../core/alerting/createNotifier.js";
import { KafkaDeadLetterSink } from "../../core/alerting/deadLetters.js";
import type { Notifier, NotifyResult } from "../../core/alerting/notifier.js";
import { createDynamoClient } from "../../core/dynamodb/client.js";
import { DynamoGroupStore } from "../../core/dynamodb/groupStore.js";
import { isScheduledEvent } from "../../core/eventbridge/scheduledEvent.js";
import type { Anomaly, ClassifiedEvent } from "../../core/events/types.js";
import {
  type ConsumedRecord,
  type DeadLetterTarget,
  deadLetterPoison,
} from "../../core/kafka/deadLetter.js";
import { type Decoded, decodeAll, decodeFailure } from "../../core/kafka/decodeRecord.js";
import { decodeAnomaly, decodeClassifiedEvent } from "../../core/kafka/logEventRecords.js";
import {
  batchResponse,
  consumedRecordOf,
  decodeMskEvent,
  type KafkaBatchResponse,
} from "../../core/kafka/msk/index.js";
import { sharedProducer } from "../../core/kafka/sharedProducer.js";
import type { Logger } from "../../core/logging/logger.js";
import { type PipelineMetrics, pipelineMetrics } from "../../core/metrics/catalog.js";
import { lambdaEnvironment, lazyHandler } from "./lambdaEnvironment.js";

/**
 * The notifier Lambda: an MSK event source mapping on `classified-logs` and `anomalies` (with
 * ReportBatchItemFailures on), and an EventBridge schedule every minute. Each record is decoded
 * against the shared contract and handed to the notifier (rules, notification groups in the
 * DynamoDB state table, flood limit, channels); groups that are due go out before the invocation
 * returns, and the scheduled invocation sends those whose wait or interval ended meanwhile. Two
 * notifiers racing for a group send its notification once (conditional writes). A record that
 * cannot be decoded goes to the dead-letter topic with the reason; a notification that could not
 * be delivered goes there too (by the notifier). A record is reported failed, so the mapping
 * delivers it again, only when the group state or the dead-letter topic could not be written; a
 * redelivered alert is not counted twice.
 */

export interface NotifierHandlerOptions {
  notifier: Notifier;
  topics: { classified: string; anomalies: string };
  /** Where undecodable records go: the dead-letter topic. */
  deadLetters: Omit<DeadLetterTarget, "stage">;
  logger?: Logger;
  metrics?: PipelineMetrics;
}

export type NotifierHandler = (event: unknown) => Promise<KafkaBatchResponse>;

/** A decoded record: a classified event or an anomaly, by the topic it came from. */
type NotifierInput =
  | { topic: "classified"; event: ClassifiedEvent }
  | { topic: "anomalies"; anomaly: Anomaly };

const STAGE = "notifier-decode";

export function createNotifierHandler(options: NotifierHandlerOptions): NotifierHandler {
  const { notifier, topics, logger } = options;
  const metrics = options.metrics ?? pipelineMetrics;
  const decode = (record: ConsumedRecord): Decoded<NotifierInput> => {
    if (record.topic === topics.classified) {
      const decoded = decodeClassifiedEvent(record);
      return decoded.ok
        ? { ok: true, value: { topic: "classified", event: decoded.value } }
        : decoded;
    }
    if (record.topic === topics.anomalies) {
      const decoded = decodeAnomaly(record);
      return decoded.ok
        ? { ok: true, value: { topic: "anomalies", anomaly: decoded.value } }
        : decoded;
    }
    return decodeFailure("unexpected_topic", `unexpected topic: ${record.topic}`);
  };
  return async (event) => {
    // The EventBridge schedule (every minute): groups whose wait or interval ended go out even
    // when no record comes.
    if (isScheduledEvent(event)) {
      await notifier.flush();
      return batchResponse([]);
    }
    const records = decodeMskEvent(event);
    const { good, poison } = decodeAll(records.map(consumedRecordOf), decode);
    const pending: { record: ConsumedRecord; done: Promise<NotifyResult> }[] = [];
    const failed: ConsumedRecord[] = [];
    for (const { record, value } of good) {
      try {
        const handed =
          value.topic === "classified"
            ? await notifier.notifyClassified(value.event)
            : await notifier.notifyAnomaly(value.anomaly);
        pending.push({ record, done: handed.done });
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
    // Throws when the topic cannot be written: the whole batch comes again, and groups know its alerts.
    await deadLetterPoison(poison, { ...options.deadLetters, stage: STAGE }, { metrics, logger });
    await notifier.flush();
    const settled = await Promise.allSettled(pending.map((p) => p.done));
    settled.forEach((outcome, i) => {
      if (outcome.status === "rejected")
        failed.push((pending[i] as { record: ConsumedRecord }).record);
    });
    if (failed.length > 0)
      logger?.warn({ failed: failed.length, records: records.length }, "records to be redelivered");
    return batchResponse(failed);
  };
}

/**
 * The Lambda entry point. The notifier (channels, DynamoDB group store, flood limit state) and the
 * Kafka producer are made on the first invocation and kept for the execution environment.
 */
export const handler = lazyHandler("notifier", buildHandler);

async function buildHandler(): Promise<NotifierHandler> {
  const { config, logger } = await lambdaEnvironment("notifier");
  const producer = await sharedProducer(config, logger);
  const notifier = await createNotifier(config, {
    channels: createChannels(config, logger),
    logger,
    // With the file backend, createNotifier keeps group state in SENTINEL_STATE_DIR.
    ...(config.SENTINEL_STATE_BACKEND === "dynamodb" && {
      groups: new DynamoGroupStore({
        client: createDynamoClient(config.AWS_REGION ? { region: config.AWS_REGION } : {}),
        tableName: config.SENTINEL_STATE_TABLE,
      }),
    }),
    deadLetters: new KafkaDeadLetterSink(producer, config.KAFKA_TOPIC_DEAD_LETTER),
    tickIntervalMs: 0,
  });
  return createNotifierHandler({
    notifier,
    topics: { classified: config.KAFKA_TOPIC_CLASSIFIED, anomalies: config.KAFKA_TOPIC_ANOMALIES },
    deadLetters: { producer, topic: config.KAFKA_TOPIC_DEAD_LETTER },
    logger,
  });
}
