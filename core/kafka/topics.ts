import type { Admin, Kafka } from "kafkajs";
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

/** A topic as it should be: at least `partitions` partitions; `replicationFactor` when created. */
export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
}

/** The admin calls topics are made with: KafkaJS's Admin, or a stand-in in tests. */
export type TopicAdmin = Pick<
  Admin,
  "listTopics" | "fetchTopicMetadata" | "createTopics" | "createPartitions"
>;

/** What `applyTopics` did, and what it left as it was. */
export interface TopicChanges {
  created: string[];
  /** Topics given more partitions. */
  grown: { name: string; from: number; to: number }[];
  /** Topics with more partitions than asked: partitions are never removed. */
  kept: { name: string; partitions: number; asked: number }[];
  unchanged: string[];
}

/**
 * What makes the cluster hold `specs`, from each existing topic's partition count: create the
 * missing ones, grow (when `grow`) those with fewer partitions, never shrink one. Pure.
 */
export function planTopics(
  existing: ReadonlyMap<string, number>,
  specs: readonly TopicSpec[],
  options: { grow: boolean },
): TopicChanges & { toCreate: TopicSpec[] } {
  const plan: TopicChanges & { toCreate: TopicSpec[] } = {
    created: [],
    grown: [],
    kept: [],
    unchanged: [],
    toCreate: [],
  };
  for (const spec of specs) {
    const partitions = existing.get(spec.name);
    if (partitions === undefined) {
      plan.toCreate.push(spec);
      plan.created.push(spec.name);
    } else if (partitions < spec.partitions && options.grow)
      plan.grown.push({ name: spec.name, from: partitions, to: spec.partitions });
    else if (partitions > spec.partitions)
      plan.kept.push({ name: spec.name, partitions, asked: spec.partitions });
    else plan.unchanged.push(spec.name);
  }
  return plan;
}

/**
 * Makes the cluster hold `specs`: creates the topics that do not exist, and with `grow` adds
 * partitions to those that have fewer than asked (which moves keys to other partitions from then
 * on, so it is for deliberate changes such as a deployment's). A topic with more partitions than
 * asked keeps them (Kafka cannot remove partitions; a log line says so); topics not in `specs`
 * are not touched. Idempotent: a second run finds nothing to do.
 */
export async function applyTopics(
  admin: TopicAdmin,
  specs: readonly TopicSpec[],
  options: { grow: boolean; logger?: Logger },
): Promise<TopicChanges> {
  const { logger } = options;
  const names = new Set(await admin.listTopics());
  const present = specs.filter((spec) => names.has(spec.name)).map((spec) => spec.name);
  const existing = new Map<string, number>();
  if (present.length > 0) {
    const { topics } = await admin.fetchTopicMetadata({ topics: present });
    for (const topic of topics) existing.set(topic.name, topic.partitions.length);
  }
  const { toCreate, ...changes } = planTopics(existing, specs, options);
  if (toCreate.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: toCreate.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor,
      })),
    });
    logger?.info(
      { topics: toCreate.map(({ name, partitions }) => ({ name, partitions })) },
      "created topics",
    );
  }
  if (changes.grown.length > 0) {
    await admin.createPartitions({
      topicPartitions: changes.grown.map(({ name, to }) => ({ topic: name, count: to })),
    });
    logger?.info({ topics: changes.grown }, "added partitions to topics");
  }
  for (const kept of changes.kept)
    logger?.warn(
      kept,
      "topic has more partitions than asked; partitions are never removed, so it keeps them",
    );
  return changes;
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
    const specs = topicNames(settings).map((name) => ({
      name,
      partitions: settings.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: settings.KAFKA_REPLICATION_FACTOR,
    }));
    const { created } = await applyTopics(admin, specs, {
      grow: false,
      ...(logger && { logger }),
    });
    return created;
  } finally {
    await admin.disconnect();
  }
}
