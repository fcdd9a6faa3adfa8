import { type PipelineMetrics, pipelineMetrics } from "../metrics/catalog.js";
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
  reason: string;
  /** Which stage rejected it, e.g. "decode" or "classifier-worker". */
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
 * A bounded metric label for a reason: its words before the first ":" or "(", letters only, in
 * snake_case ("not JSON: Unexpected token" -> "not_json", "too large: 2000000 bytes" -> "too_large").
 * Reasons keep their variable details after a colon, so the category stays one of a few.
 */
export function deadLetterReasonCategory(reason: string): string {
  const head = reason.split(/[:(]/, 1)[0] ?? "";
  const words = head.toLowerCase().match(/[a-z]+/g) ?? [];
  return words.join("_").slice(0, 48).replace(/_+$/, "") || "other";
}

/** Counts records that reached a dead-letter place, by stage and reason category. */
export function countDeadLetters(
  stage: string,
  reasons: readonly string[],
  metrics: PipelineMetrics = pipelineMetrics,
): void {
  const byCategory = new Map<string, number>();
  for (const reason of reasons) {
    const category = deadLetterReasonCategory(reason);
    byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
  }
  for (const [reason, count] of byCategory) metrics.deadLetters.inc({ stage, reason }, count);
}
