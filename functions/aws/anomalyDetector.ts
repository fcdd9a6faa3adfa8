import { join } from "node:path";
import { stateDir } from "../../core/config/stateDir.js";
import { AnomalyDetector, retentionMs } from "../../core/detection/detector.js";
import type { DetectorState } from "../../core/detection/detectorState.js";
import { MemoryDetectorState } from "../../core/detection/memoryDetectorState.js";
import { detectorSettings } from "../../core/detection/settings.js";
import type {
  DetectorEvent,
  DetectorSettings,
  StreamPosition,
} from "../../core/detection/types.js";
import { createDynamoClient } from "../../core/dynamodb/client.js";
import { DynamoDetectorState } from "../../core/dynamodb/detectorState.js";
import { FileBackedDetectorState } from "../../core/files/detectorState.js";
import { deadLetterPoison } from "../../core/kafka/deadLetter.js";
import { decodeAll } from "../../core/kafka/decodeRecord.js";
import { decodeClassifiedEvent } from "../../core/kafka/logEventRecords.js";
import {
  batchResponse,
  byPartition,
  consumedRecordOf,
  decodeMskEvent,
  type KafkaBatchResponse,
  type KafkaRecord,
  partitionKey,
} from "../../core/kafka/msk/index.js";
import type { OutgoingMessage } from "../../core/kafka/producer.js";
import { sharedProducer } from "../../core/kafka/sharedProducer.js";
import type { Logger } from "../../core/logging/logger.js";
import { type PipelineMetrics, pipelineMetrics } from "../../core/metrics/catalog.js";
import { lambdaEnvironment, lazyHandler } from "./lambdaEnvironment.js";

/**
 * The anomaly detector Lambda: an MSK event source mapping on `classified-logs` (with
 * ReportBatchItemFailures on), its state in the DynamoDB state table, its output on `anomalies`
 * keyed by service.
 *
 * Each partition of the batch is handled on its own: its records are decoded (a record that is not
 * a classified event goes to the dead-letter topic with the reason), counted by the detector with
 * their partition and offset (so a re-delivered record is never counted twice), the anomalies the
 * batch closes are produced, and only then is the detector's progress committed. If any step fails
 * for a partition, its first record is reported as a batch item failure and Lambda delivers the
 * partition again from there; counting is idempotent and anomaly ids are deterministic, so the
 * retry neither double-counts nor raises a second anomaly for a window.
 *
 * A service's buckets are judged on its own event time, when its later events arrive: a service
 * that stops logging has its last buckets judged when it logs again.
 */

export interface AnomalyDetectorHandlerOptions {
  state: DetectorState;
  settings: DetectorSettings;
  producer: { send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> };
  topics: { anomalies: string; deadLetter: string };
  logger?: Logger;
  metrics?: PipelineMetrics;
  now?: () => number;
}

export type AnomalyDetectorHandler = (event: unknown) => Promise<KafkaBatchResponse>;

const STAGE = "anomaly-detector-decode";

export function createAnomalyDetectorHandler(
  options: AnomalyDetectorHandlerOptions,
): AnomalyDetectorHandler {
  const { producer, topics, logger } = options;
  const metrics = options.metrics ?? pipelineMetrics;
  return async (event) => {
    const records = decodeMskEvent(event);
    const detector = new AnomalyDetector({
      state: options.state,
      settings: options.settings,
      metrics,
      ...(options.now && { now: options.now }),
    });
    const failed: KafkaRecord[] = [];
    for (const partition of byPartition(records)) {
      const stream = partitionKey(partition[0].topic, partition[0].partition);
      try {
        const { good, poison } = decodeAll(partition.map(consumedRecordOf), decodeClassifiedEvent);
        const events: DetectorEvent[] = good.map(({ value }) => value);
        const positions: StreamPosition[] = good.map(({ record }) => ({
          stream,
          sequence: BigInt(record.offset),
        }));
        const detection = await detector.observe(events, positions);
        if (detection.anomalies.length > 0) {
          await producer.send(
            topics.anomalies,
            detection.anomalies.map((anomaly) => ({
              key: anomaly.service,
              value: JSON.stringify(anomaly),
            })),
          );
          logger?.info(
            {
              anomalies: detection.anomalies.map(({ id, service, kind, score }) => ({
                id,
                service,
                kind,
                score,
              })),
            },
            "anomalies produced",
          );
        }
        await detection.commit();
        await deadLetterPoison(
          poison,
          { producer, topic: topics.deadLetter, stage: STAGE },
          { metrics, logger },
        );
      } catch (error) {
        logger?.error(
          { stream, from: partition[0].offset, error: (error as Error).message },
          "partition to be redelivered",
        );
        failed.push(partition[0]);
      }
    }
    return batchResponse(failed);
  };
}

/**
 * The Lambda entry point. Configuration, the DynamoDB client and the Kafka producer are made on
 * the first invocation and kept for the execution environment.
 */
export const handler = lazyHandler("anomaly-detector", buildHandler);

async function buildHandler(): Promise<AnomalyDetectorHandler> {
  const { config, logger } = await lambdaEnvironment("anomaly-detector");
  const settings = detectorSettings(config);
  const stateOptions = {
    retainMs: retentionMs(settings),
    templateMemoryMs: settings.templateMemoryMs,
  };
  return createAnomalyDetectorHandler({
    state:
      config.SENTINEL_STATE_BACKEND === "file"
        ? await FileBackedDetectorState.open(
            join(stateDir(config), "detector-lambda-state.json"),
            new MemoryDetectorState(stateOptions),
            { logger },
          )
        : new DynamoDetectorState({
            client: createDynamoClient(config.AWS_REGION ? { region: config.AWS_REGION } : {}),
            tableName: config.SENTINEL_STATE_TABLE,
            ...stateOptions,
          }),
    settings,
    producer: await sharedProducer(config, logger),
    topics: { anomalies: config.KAFKA_TOPIC_ANOMALIES, deadLetter: config.KAFKA_TOPIC_DEAD_LETTER },
    logger,
  });
}
