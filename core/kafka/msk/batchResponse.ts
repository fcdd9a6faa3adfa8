import { partitionKey } from "./mskEvent.js";
import type { KafkaBatchItemFailure, KafkaBatchResponse, KafkaRecord } from "./types.js";

/**
 * The partial batch response of a Kafka event source mapping (MSK or self-managed) with
 * `ReportBatchItemFailures` on. Unlike SQS, Kinesis and DynamoDB, whose `itemIdentifier` is a
 * string, Kafka's is an object: the `records` key the record came under and its offset, e.g.
 * `{ "batchItemFailures": [{ "itemIdentifier": { "partition": "raw-logs-0", "offset": 16 } }] }`.
 * Lambda resumes each named partition from the offset given; records before it count as done.
 */

type RecordPosition = Pick<KafkaRecord, "topic" | "partition" | "offset">;

/**
 * The failure entry for one record. Throws a RangeError for an offset above 2^53, which a JSON
 * number cannot carry exactly; a rounded offset would name the wrong record.
 *
 * @example
 * batchItemFailure({ topic: "raw-logs", partition: 0, offset: "16" });
 * // { itemIdentifier: { partition: "raw-logs-0", offset: 16 } }
 */
export function batchItemFailure(record: RecordPosition): KafkaBatchItemFailure {
  const offset = Number(record.offset);
  if (!Number.isSafeInteger(offset) || offset < 0 || String(offset) !== record.offset) {
    throw new RangeError(`offset ${record.offset} cannot be reported exactly as a JSON number`);
  }
  return { itemIdentifier: { partition: partitionKey(record.topic, record.partition), offset } };
}

/**
 * The handler's return value: one failure entry per failed record; none means the batch succeeded.
 *
 * @example
 * const failed = records.filter((record) => !handled(record));
 * return batchResponse(failed);
 */
export function batchResponse(failed: Iterable<RecordPosition>): KafkaBatchResponse {
  return { batchItemFailures: Array.from(failed, batchItemFailure) };
}
