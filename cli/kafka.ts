import type { Kafka } from "kafkajs";
import type { Config } from "../core/config/schema.js";
import { createKafka } from "../core/kafka/client.js";
import { DurableProducer } from "../core/kafka/producer.js";
import { ensureTopics } from "../core/kafka/topics.js";
import type { Runtime } from "./runtime.js";
import { stopOnSignals } from "./stopSignal.js";

export { addKafkaOptions } from "./commands/options.js";

export interface KafkaConnection {
  kafka: Kafka;
  producer: DurableProducer;
}

/** A Kafka client and durable producer from configuration (with --brokers over KAFKA_BROKERS), topics ensured. */
export async function connectKafka(runtime: Runtime, brokers?: string): Promise<KafkaConnection> {
  const { config, logger } = runtime;
  const kafka = createKafka(withBrokers(config, brokers), logger);
  await ensureTopics(kafka, config, logger);
  const producer = new DurableProducer(kafka, {
    idempotent: config.KAFKA_IDEMPOTENT,
    maxBatchBytes: config.KAFKA_MAX_BATCH_BYTES,
    logger,
  });
  await producer.connect();
  return { kafka, producer };
}

/** The configuration with `--brokers`, when given, over KAFKA_BROKERS. */
export function withBrokers(config: Config, brokers?: string): Config {
  if (!brokers) return config;
  return {
    ...config,
    KAFKA_BROKERS: brokers
      .split(",")
      .map((b) => b.trim())
      .filter(Boolean),
  };
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(runtime: Runtime): Promise<void> {
  const stop = stopOnSignals(runtime.logger);
  return new Promise((resolve) =>
    stop.signal.addEventListener("abort", () => {
      stop.release();
      resolve();
    }),
  );
}
