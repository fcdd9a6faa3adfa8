import type { Kafka } from "kafkajs";
import type { Config } from "../config/schema.js";
import type { Logger } from "../logging/logger.js";

export type TopicSettings = Pick<
  Config,
  | "KAFKA_TOPIC_RAW"
  | "KAFKA_TOPIC_CLASSIFIED"
  | "KAFKA_TOPIC_ANOMALIES"
  | "KAFKA_TOPIC_DEAD_LETTER"
  | "KAFKA_TOPIC_PARTITIONS"
  | "KAFKA_REPLICATION_FACTOR"
>;

export function topicNames(settings: TopicSettings): string[] {
  return [
    settings.KAFKA_TOPIC_RAW,
    settings.KAFKA_TOPIC_CLASSIFIED,
    settings.KAFKA_TOPIC_ANOMALIES,
    settings.KAFKA_TOPIC_DEAD_LETTER,
  ];
}

/** Creates the pipeline's topics that do not exist yet; returns the ones it created. */
export async function ensureTopics(
  kafka: Kafka,
  settings: TopicSettings,
  logger?: Logger,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topicNames(settings).filter((topic) => !existing.has(topic));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: settings.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: settings.KAFKA_REPLICATION_FACTOR,
      })),
    });
    logger?.info({ topics: missing }, "created topics");
    return missing;
  } finally {
    await admin.disconnect();
  }
}
