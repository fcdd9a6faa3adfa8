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
