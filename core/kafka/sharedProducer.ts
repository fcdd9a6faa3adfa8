import type { Config } from "../config/schema.js";
import type { Logger } from "../logging/logger.js";
import { createKafka } from "./client.js";
import { DurableProducer } from "./producer.js";

let shared: Promise<DurableProducer> | undefined;

/**
 * The producer a Lambda function keeps across invocations of one execution environment: created
 * and connected on first use, reused after. Its retries stop well inside a Lambda timeout, so a
 * Kafka outage fails the invocation (and the event source retries it) instead of timing out.
 */
export function sharedProducer(config: Config, logger?: Logger): Promise<DurableProducer> {
  shared ??= (async () => {
    const producer = new DurableProducer(createKafka(config, logger), {
      idempotent: config.KAFKA_IDEMPOTENT,
      maxBatchBytes: config.KAFKA_MAX_BATCH_BYTES,
      maxRetryMs: 60_000,
      ...(logger && { logger }),
    });
    await producer.connect();
    return producer;
  })().catch((error) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

/** Disconnects and forgets the shared producer (tests, and shutdown hooks). */
export async function closeSharedProducer(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current) await (await current).disconnect();
}
