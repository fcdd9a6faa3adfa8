import type { Kafka } from "kafkajs";
import type { CachingClassifier } from "../core/classifier/cachingClassifier.js";
import type { Config } from "../core/config/schema.js";
import type { LogEvent } from "../core/events/types.js";
import { AtLeastOnceConsumer } from "../core/kafka/consumer.js";
import { decodeLogEvent, eventMessage } from "../core/kafka/logEventRecords.js";
import type { DurableProducer } from "../core/kafka/producer.js";
import type { Logger } from "../core/logging/logger.js";
import type { PipelineMetrics } from "../core/metrics/catalog.js";

export type WorkerSettings = Pick<
  Config,
  "KAFKA_TOPIC_RAW" | "KAFKA_TOPIC_CLASSIFIED" | "KAFKA_TOPIC_DEAD_LETTER" | "KAFKA_CONSUMER_GROUP"
>;

/**
 * The classifier worker: consumes `raw-logs` as a consumer group, classifies each chunk (template
 * dedup and parallel sequences inside the classifier), produces to `classified-logs`, then commits.
 * Instances share the partitions, so it scales out up to the partition count. The same code runs
 * in the classifier container and in `sentinel worker classify`. Classification metrics come from
 * the classifier; dead letters and consumer lag from the consumer (into `metrics`, default the
 * process-wide catalog).
 */
export function classifierWorker(options: {
  kafka: Kafka;
  settings: WorkerSettings;
  classifier: CachingClassifier;
  producer: DurableProducer;
  logger?: Logger;
  chunkSize?: number;
  metrics?: PipelineMetrics;
}): AtLeastOnceConsumer<LogEvent> {
  const { kafka, settings, classifier, producer, logger } = options;
  return new AtLeastOnceConsumer<LogEvent>({
    kafka,
    groupId: settings.KAFKA_CONSUMER_GROUP,
    topics: [settings.KAFKA_TOPIC_RAW],
    decode: decodeLogEvent,
    process: async (items) => {
      const classified = await classifier.classify(items.map((item) => item.value));
      await producer.send(settings.KAFKA_TOPIC_CLASSIFIED, classified.map(eventMessage));
    },
    deadLetter: { producer, topic: settings.KAFKA_TOPIC_DEAD_LETTER, stage: "classifier-worker" },
    ...(options.chunkSize !== undefined && { chunkSize: options.chunkSize }),
    ...(logger && { logger }),
    ...(options.metrics && { metrics: options.metrics }),
  });
}
