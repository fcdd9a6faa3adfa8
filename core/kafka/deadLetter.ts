import type { Logger } from "../logging/logger.js";
import { type PipelineMetrics, pipelineMetrics } from "../metrics/catalog.js";
import type { DecodeReason, Poison } from "./decodeRecord.js";
import type { OutgoingMessage } from "./producer.js";

/** A consumed record, as the consumer hands it on. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  /** Kept as a string: offsets are 64-bit. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
}

/** The value of a dead-letter record: why it failed, where it came from, and its original bytes. */
export interface DeadLetter {
  /** Why, in words with the details ("not JSON: Unexpected token n ..."): a decode failure's `detail`. */
  reason: string;
  /** Which stage rejected it, e.g. "classifier-worker" or "notifier-decode". */
  stage: string;
  source: { topic: string; partition: number; offset: string; timestamp: string };
  /** The original key and value, base64, byte for byte. */
  key: string | null;
  value: string | null;
  failedAt: string;
}

export function deadLetterMessage(
  record: ConsumedRecord,
  reason: string,
  stage: string,
): OutgoingMessage {
  const letter: DeadLetter = {
    reason,
    stage,
    source: {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
    },
    key: record.key?.toString("base64") ?? null,
    value: record.value?.toString("base64") ?? null,
    failedAt: new Date().toISOString(),
  };
  return {
    key: record.key?.toString("utf8") ?? null,
    value: JSON.stringify(letter),
    headers: { "sentinel-reason": reason.slice(0, 200), "sentinel-stage": stage },
  };
}

/**
 * The `reason` label of `sentinel_dead_letters_total` for a Kafka record: why it failed to decode,
 * or, for the local Lambda runner, that its batch kept failing (`retries_exhausted`) or was
 * `dropped` for want of an on-failure destination. A fixed set, so the label stays bounded.
 */
export type DeadLetterReason = DecodeReason | "retries_exhausted" | "dropped";

/** Counts records that reached a dead-letter place, by stage and reason. */
export function countDeadLetters(
  stage: string,
  reasons: readonly DeadLetterReason[],
  metrics: PipelineMetrics = pipelineMetrics,
): void {
  const byReason = new Map<DeadLetterReason, number>();
  for (const reason of reasons) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  for (const [reason, count] of byReason) metrics.deadLetters.inc({ stage, reason }, count);
}

/** Where a consumer's poison records go: the dead-letter topic, under the consumer's stage. */
export interface DeadLetterTarget {
  producer: { send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> };
  topic: string;
  /** Which stage rejected them, e.g. "classifier-worker" or "notifier-decode". */
  stage: string;
}

/**
 * The one dead-letter step of every consumer (the Kafka consumer and the MSK Lambda handlers):
 * sends each poison record to the dead-letter topic with its original bytes and why, then counts
 * them by stage and reason. Throws when the topic cannot be written, and counts nothing then.
 *
 * @example
 * const { good, poison } = decodeAll(records, decodeLogEvent);
 * await deadLetterPoison(poison, { producer, topic: "dead-letter", stage: "classifier-worker" });
 */
export async function deadLetterPoison(
  poison: readonly Poison[],
  target: DeadLetterTarget,
  options: { metrics?: PipelineMetrics; logger?: Logger } = {},
): Promise<void> {
  if (poison.length === 0) return;
  const { stage } = target;
  await target.producer.send(
    target.topic,
    poison.map(({ record, failure }) => deadLetterMessage(record, failure.detail, stage)),
  );
  countDeadLetters(
    stage,
    poison.map(({ failure }) => failure.reason),
    options.metrics,
  );
  options.logger?.warn(
    {
      stage,
      records: poison.length,
      partitions: [...new Set(poison.map(({ record }) => `${record.topic}-${record.partition}`))],
      reasons: [...new Set(poison.map(({ failure }) => failure.reason))],
    },
    "undecodable records sent to the dead-letter topic",
  );
}
