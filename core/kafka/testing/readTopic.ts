import { setTimeout as sleep } from "node:timers/promises";
import type { ConsumerConfig, Kafka } from "kafkajs";
import type { LogEvent } from "../../events/types.js";
import type { ConsumedRecord } from "../deadLetter.js";
import { decodeLogEvent } from "../logEventRecords.js";

let readers = 0;

/**
 * Reads `topic` from the beginning, in a consumer group of its own, until `count` records arrived
 * or `timeoutMs` passed; returns what arrived, in arrival order.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  options: { timeoutMs?: number; consumer?: Partial<ConsumerConfig> } = {},
): Promise<ConsumedRecord[]> {
  const consumer = kafka.consumer({
    groupId: `reader-${process.pid}-${++readers}`,
    maxWaitTimeInMs: 100,
    ...options.consumer,
  });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          timestamp: message.timestamp,
        });
      },
    });
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    while (records.length < count && Date.now() < deadline) await sleep(50);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** The JSON values of `records`. */
export function jsonValues<T>(records: ConsumedRecord[]): T[] {
  return records.map((record) => JSON.parse(String(record.value)) as T);
}

/** The log events in `records`, decoded as a consumer decodes them; throws on one that is not. */
export function logEvents(records: ConsumedRecord[]): LogEvent[] {
  return records.map((record) => {
    const decoded = decodeLogEvent(record);
    if (!decoded.ok) throw new Error(`offset ${record.offset}: ${decoded.detail}`);
    return decoded.value;
  });
}
