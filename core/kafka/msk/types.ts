/**
 * The Kafka edge of the Lambda handlers: the event an Amazon MSK or self-managed Apache Kafka
 * event source mapping delivers, the record the domain works with, and the partial batch response
 * a handler returns. `mskEvent.ts` converts between the first two; `batchResponse.ts` builds the
 * third.
 */

/** `eventSource` of the event: MSK sends `aws:kafka`, a self-managed cluster `SelfManagedKafka`. */
export const MSK_EVENT_SOURCES = ["aws:kafka", "SelfManagedKafka"] as const;
export type MskEventSource = (typeof MSK_EVENT_SOURCES)[number];

/** Kafka's `TimestampType` names, as Lambda spells them. */
export const TIMESTAMP_TYPES = ["CREATE_TIME", "LOG_APPEND_TIME", "NO_TIMESTAMP_TYPE"] as const;
export type TimestampType = (typeof TIMESTAMP_TYPES)[number];

/**
 * One header as Lambda sends it: a single-key object whose value is the header's bytes as JSON
 * numbers. Lambda serialises Java `byte`s, so bytes above 127 arrive negative (`ë` is `[-61, -85]`).
 */
export type MskHeader = Record<string, number[]>;

/** One record of the event, as Lambda sends it. */
export interface MskRecord {
  topic: string;
  /** A number from AWS; older self-managed examples show a decimal string, which is accepted. */
  partition: number | string;
  /**
   * A number from AWS. The encoder writes a decimal string only for an offset above
   * `Number.MAX_SAFE_INTEGER`, which a JSON number cannot carry exactly.
   */
  offset: number | string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  timestampType: TimestampType;
  /** Base64; absent or null when the record has no key. */
  key?: string | null;
  /** Base64; absent or null for a tombstone. */
  value?: string | null;
  headers: MskHeader[];
}

/**
 * The payload a Kafka event source mapping invokes the function with. `records` groups the batch
 * by `"<topic>-<partition>"`; topics may contain dashes, so the key is never split to find them.
 */
export interface MskEvent {
  eventSource: MskEventSource;
  /** The MSK cluster's ARN; absent for a self-managed cluster. */
  eventSourceArn?: string;
  /** Comma-separated `host:port` list. */
  bootstrapServers?: string;
  records: Record<string, MskRecord[]>;
}

/** What `encodeMskEvent` writes beside the records. Defaults: `aws:kafka`, no ARN, no servers. */
export interface MskEventMeta {
  eventSource?: MskEventSource;
  eventSourceArn?: string;
  bootstrapServers?: string;
}

/**
 * A decoded Kafka record, the same whether it came from Lambda or from a Kafka client.
 *
 * `offset` is a canonical decimal string (no sign, no leading zeros): Kafka offsets are 64-bit, a JS
 * number is exact only to 2^53, and KafkaJS, the client the rest of SentinelLLM uses, hands offsets
 * out as strings too. Compare offsets with `compareOffsets`, never with `<` on the strings.
 */
export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: string;
  /** Milliseconds since the epoch (-1 when the producer set none). */
  timestamp: number;
  timestampType: TimestampType;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values by name, in arrival order; Kafka allows one name more than once. */
  headers: Record<string, Buffer[]>;
}

/**
 * Names one failed record to the event source mapping: the `records` map key it arrived under
 * (`"<topic>-<partition>"`) and its offset. Lambda resumes that partition from this offset.
 */
export interface KafkaItemIdentifier {
  partition: string;
  offset: number;
}

export interface KafkaBatchItemFailure {
  itemIdentifier: KafkaItemIdentifier;
}

/**
 * What a Kafka-triggered handler returns when the mapping has `ReportBatchItemFailures` on.
 * An empty `batchItemFailures` means the whole batch succeeded.
 */
export interface KafkaBatchResponse {
  batchItemFailures: KafkaBatchItemFailure[];
}
