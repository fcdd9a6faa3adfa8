import * as z from "zod";
import type { ConsumedRecord } from "../deadLetter.js";
import { MskEventError, type MskEventIssue } from "./errors.js";
import {
  type KafkaRecord,
  MSK_EVENT_SOURCES,
  type MskEvent,
  type MskEventMeta,
  type MskHeader,
  type MskRecord,
  TIMESTAMP_TYPES,
} from "./types.js";

/**
 * Decoding and encoding of the payload a Kafka event source mapping (Amazon MSK or self-managed
 * Apache Kafka) invokes a Lambda function with. Pure functions: the handlers decode with them in
 * AWS, and the local runner that emulates the event source mapping encodes with them.
 */

const MAX_PARTITION = 2 ** 31 - 1;
const MAX_OFFSET = 2n ** 63n - 1n;

/** The `records` map key Lambda files a record under, and the `partition` of a batch failure. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * Records grouped by topic and partition, each group in the order given (offset order, as
 * `decodeMskEvent` returns them), groups in the order first seen. A handler that must stop at a
 * partition's first failure (and report it as the batch item failure) handles the groups apart.
 */
export function byPartition(records: readonly KafkaRecord[]): [KafkaRecord, ...KafkaRecord[]][] {
  const groups = new Map<string, [KafkaRecord, ...KafkaRecord[]]>();
  for (const record of records) {
    const key = partitionKey(record.topic, record.partition);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return [...groups.values()];
}

/** Orders two offsets (canonical decimal strings) numerically: negative, zero or positive. */
export function compareOffsets(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An int32 partition; AWS sends a number, an older self-managed example a decimal string. */
const partitionSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const partition = typeof value === "string" && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof partition === "number" && Number.isInteger(partition)) {
    if (partition >= 0 && partition <= MAX_PARTITION) return partition;
  }
  ctx.addIssue({ code: "custom", message: "expected a partition number (0 to 2^31-1)" });
  return z.NEVER;
});

/** A 64-bit offset to a canonical decimal string. A number past 2^53 was rounded by JSON: refused. */
const offsetSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= 0) return String(value);
    ctx.addIssue({
      code: "custom",
      message: Number.isInteger(value)
        ? "expected an offset; a number above 2^53 cannot be exact, send it as a decimal string"
        : "expected a non-negative integer offset",
    });
    return z.NEVER;
  }
  if (/^\d{1,19}$/.test(value) && BigInt(value) <= MAX_OFFSET) return BigInt(value).toString();
  ctx.addIssue({ code: "custom", message: "expected a non-negative 64-bit integer offset" });
  return z.NEVER;
});

/**
 * Headers: single-key objects of byte arrays. Checked by hand rather than with `z.record`, which
 * would drop a header named `__proto__`; the values pass through untouched for `decodeHeaders`.
 */
const headersSchema = z.array(z.unknown()).superRefine((headers, ctx) => {
  headers.forEach((header, index) => {
    if (typeof header !== "object" || header === null || Array.isArray(header)) {
      ctx.addIssue({ code: "custom", message: "expected a header object", path: [index] });
      return;
    }
    for (const [name, bytes] of Object.entries(header)) {
      if (!Array.isArray(bytes)) {
        ctx.addIssue({
          code: "custom",
          message: "expected an array of bytes",
          path: [index, name],
        });
        continue;
      }
      const bad = bytes.findIndex((byte) => !Number.isInteger(byte) || byte < -128 || byte > 255);
      if (bad !== -1) {
        ctx.addIssue({
          code: "custom",
          message: "expected a byte (-128 to 255)",
          path: [index, name, bad],
        });
      }
    }
  });
});

const recordSchema = z.object({
  topic: z.string().min(1),
  partition: partitionSchema,
  offset: offsetSchema,
  timestamp: z.number().int().min(-1),
  timestampType: z.enum(TIMESTAMP_TYPES),
  key: z.base64().nullish(),
  value: z.base64().nullish(),
  /** Absent in events from before Lambda passed headers on. */
  headers: headersSchema.optional(),
});

const eventSchema = z.object({
  /** `aws:SelfManagedKafka` appears in older third-party examples of the self-managed event. */
  eventSource: z.enum([...MSK_EVENT_SOURCES, "aws:SelfManagedKafka"]),
  records: z.record(z.string(), z.array(recordSchema)),
});

type ParsedRecord = z.output<typeof recordSchema>;

/**
 * Validates a Kafka event source mapping payload and returns its records ordered by topic,
 * partition and offset. Throws an `MskEventError` naming the path of each problem.
 *
 * @example
 * export const handler = async (event: unknown) => {
 *   const records = decodeMskEvent(event);
 *   const events = records.map((record) => JSON.parse(record.value?.toString("utf8") ?? "null"));
 * };
 */
export function decodeMskEvent(event: unknown): KafkaRecord[] {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    throw new MskEventError(
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: issue.message,
      })),
    );
  }
  const issues: MskEventIssue[] = [];
  const groups: KafkaRecord[][] = [];
  for (const [groupKey, rawRecords] of Object.entries(parsed.data.records)) {
    const group = rawRecords.map(decodeRecord);
    group.forEach((record, index) => {
      const expected = partitionKey(record.topic, record.partition);
      if (expected !== groupKey) {
        issues.push({
          path: formatPath(["records", groupKey, index]),
          message: `a record of ${expected} filed under ${groupKey}`,
        });
      }
    });
    // Lambda delivers each partition in offset order; sort only when it did not.
    if (!isInOffsetOrder(group)) group.sort((a, b) => compareOffsets(a.offset, b.offset));
    if (group.length > 0) groups.push(group);
  }
  if (issues.length > 0) throw new MskEventError(issues);
  groups.sort((a, b) => compareTopicPartition(a[0] as KafkaRecord, b[0] as KafkaRecord));
  return groups.flat();
}

/**
 * The event a Kafka event source mapping would deliver for these records: grouped under
 * `"<topic>-<partition>"` keys in the order first seen, key and value in base64, headers as byte
 * arrays. `decodeMskEvent(encodeMskEvent(records))` deep-equals `records` when they are in topic,
 * partition, offset order.
 *
 * @example
 * const event = encodeMskEvent(batch, { eventSource: "SelfManagedKafka" });
 * await handler(event);
 */
export function encodeMskEvent(records: readonly KafkaRecord[], meta: MskEventMeta = {}): MskEvent {
  const groups = new Map<string, MskRecord[]>();
  for (const record of records) {
    const key = partitionKey(record.topic, record.partition);
    let group = groups.get(key);
    if (group === undefined) {
      group = [];
      groups.set(key, group);
    }
    group.push(encodeRecord(record));
  }
  return {
    eventSource: meta.eventSource ?? "aws:kafka",
    ...(meta.eventSourceArn !== undefined && { eventSourceArn: meta.eventSourceArn }),
    ...(meta.bootstrapServers !== undefined && { bootstrapServers: meta.bootstrapServers }),
    records: Object.fromEntries(groups),
  };
}

function decodeRecord(raw: ParsedRecord): KafkaRecord {
  return {
    topic: raw.topic,
    partition: raw.partition,
    offset: raw.offset,
    timestamp: raw.timestamp,
    timestampType: raw.timestampType,
    key: raw.key == null ? null : Buffer.from(raw.key, "base64"),
    value: raw.value == null ? null : Buffer.from(raw.value, "base64"),
    headers: decodeHeaders((raw.headers ?? []) as MskHeader[]),
  };
}

function encodeRecord(record: KafkaRecord): MskRecord {
  // Fields in the order AWS writes them.
  return {
    topic: record.topic,
    partition: record.partition,
    offset: encodeOffset(record.offset),
    timestamp: record.timestamp,
    timestampType: record.timestampType,
    ...(record.key !== null && { key: record.key.toString("base64") }),
    ...(record.value !== null && { value: record.value.toString("base64") }),
    headers: encodeHeaders(record.headers),
  };
}

/** `Buffer.from` keeps the low 8 bits, so Java's signed bytes (-61) come back unsigned (0xc3). */
function decodeHeaders(raw: MskHeader[]): Record<string, Buffer[]> {
  const headers: Record<string, Buffer[]> = {};
  for (const header of raw) {
    for (const [name, bytes] of Object.entries(header)) {
      let values = Object.hasOwn(headers, name) ? headers[name] : undefined;
      if (values === undefined) {
        values = [];
        // defineProperty, so a header named `__proto__` is a header and not a prototype.
        Object.defineProperty(headers, name, {
          value: values,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      values.push(Buffer.from(bytes));
    }
  }
  return headers;
}

/** One single-key object per value, bytes signed as Lambda (Java) writes them. */
function encodeHeaders(headers: Record<string, Buffer[]>): MskHeader[] {
  const raw: MskHeader[] = [];
  for (const [name, values] of Object.entries(headers)) {
    for (const value of values) {
      raw.push({ [name]: Array.from(new Int8Array(value.buffer, value.byteOffset, value.length)) });
    }
  }
  return raw;
}

/** A JSON number as AWS sends it, or a decimal string past 2^53, where a number would round. */
function encodeOffset(offset: string): number | string {
  if (!/^(0|[1-9]\d{0,18})$/.test(offset) || BigInt(offset) > MAX_OFFSET) {
    throw new RangeError(`not a Kafka offset: ${JSON.stringify(offset)}`);
  }
  const number = Number(offset);
  return Number.isSafeInteger(number) ? number : offset;
}

function isInOffsetOrder(records: KafkaRecord[]): boolean {
  for (let i = 1; i < records.length; i++) {
    if (
      compareOffsets((records[i - 1] as KafkaRecord).offset, (records[i] as KafkaRecord).offset) > 0
    )
      return false;
  }
  return true;
}

function compareTopicPartition(a: KafkaRecord, b: KafkaRecord): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

/** `records["raw-logs-0"][1].headers[0]["content-type"][3]`, as a reader would write it. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) {
      out += out === "" ? part : `.${part}`;
    } else out += `[${JSON.stringify(String(part))}]`;
  }
  return out === "" ? "(event)" : out;
}

/** A record of an MSK event as the consumer side (decoders, dead letters) sees records. */
export function consumedRecordOf(record: KafkaRecord): ConsumedRecord {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key,
    value: record.value,
    timestamp: String(record.timestamp),
  };
}
