import type { Command } from "commander";
import { createKafka } from "../../core/kafka/client.js";
import {
  applyTopics,
  type TopicAdmin,
  type TopicChanges,
  topicNames,
} from "../../core/kafka/topics.js";
import { addKafkaOptions, withBrokers } from "../kafka.js";
import { type Runtime, startRuntime } from "../runtime.js";

interface KafkaTopicsOptions {
  brokers?: string;
}

/** What the command reaches outside itself for; tests replace them. */
export interface KafkaTopicsDependencies {
  runtime?: Runtime;
  /** A connected admin; KafkaJS's for the configured brokers by default. */
  admin?: (
    runtime: Runtime,
    brokers?: string,
  ) => Promise<TopicAdmin & { disconnect(): Promise<void> }>;
  write?: (line: string) => void;
}

export function registerKafka(program: Command): void {
  const kafka = program.command("kafka").description("manage the pipeline's Kafka topics");
  addKafkaOptions(
    kafka
      .command("topics")
      .description(
        "create the pipeline's topics (KAFKA_TOPIC_RAW, _CLASSIFIED, _ANOMALIES, _DEAD_LETTER) with " +
          "KAFKA_TOPIC_PARTITIONS partitions and KAFKA_REPLICATION_FACTOR replicas, and add " +
          "partitions to those with fewer; partitions are never removed",
      ),
  ).action((options: KafkaTopicsOptions) => runKafkaTopics(options).then(() => undefined));
}

const kafkaAdmin = async (runtime: Runtime, brokers?: string) => {
  const admin = createKafka(withBrokers(runtime.config, brokers), runtime.logger).admin();
  await admin.connect();
  return admin;
};

/**
 * `sentinel kafka topics`: makes the cluster hold the pipeline's topics as configured, one line
 * per topic on stdout. Run once before the workers (the compose file's `topic-init`), so they
 * do not race to create topics with whatever partition count the broker defaults to.
 */
export async function runKafkaTopics(
  options: KafkaTopicsOptions,
  dependencies: KafkaTopicsDependencies = {},
): Promise<TopicChanges> {
  const runtime = dependencies.runtime ?? startRuntime();
  const { config, logger } = runtime;
  const write = dependencies.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const specs = topicNames(config).map((name) => ({
    name,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
  }));
  const admin = await (dependencies.admin ?? kafkaAdmin)(runtime, options.brokers);
  try {
    const changes = await applyTopics(admin, specs, { grow: true, logger });
    const partitions = config.KAFKA_TOPIC_PARTITIONS;
    for (const name of changes.created) write(`${name}: created with ${partitions} partitions`);
    for (const { name, from, to } of changes.grown)
      write(`${name}: grown from ${from} to ${to} partitions`);
    for (const { name, partitions: kept } of changes.kept)
      write(`${name}: kept its ${kept} partitions (more than ${partitions}; never removed)`);
    for (const name of changes.unchanged) write(`${name}: in place`);
    return changes;
  } finally {
    await admin.disconnect();
  }
}
