import type { Kafka } from "kafkajs";
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
  const settings = brokers
    ? {
        ...config,
        KAFKA_BROKERS: brokers
          .split(",")
          .map((b) => b.trim())
          .filter(Boolean),
      }
    : config;
  const kafka = createKafka(settings, logger);
  await ensureTopics(kafka, config, logger);
  const producer = new DurableProducer(kafka, {
    idempotent: config.KAFKA_IDEMPOTENT,
    maxBatchBytes: config.KAFKA_MAX_BATCH_BYTES,
    logger,
  });
  await producer.connect();
  return { kafka, producer };
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
