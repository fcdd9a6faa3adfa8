import type { z } from "zod";
import type { ConsumedRecord } from "./deadLetter.js";

/** Raw records larger than this are poison: no log event the pipeline produces comes near it. */
export const MAX_RECORD_BYTES = 1_048_576;

/**
 * Why a record is poison, as the `reason` label of `sentinel_dead_letters_total`: the same few
 * values from every consumer (the Kafka consumer and the MSK Lambda handlers).
 */
export type DecodeReason =
  | "empty_value"
  | "too_large"
  | "not_json"
  | "does_not_match_the_contract"
  /** A record of a topic the consumer does not read (an event source mapping set up wrongly). */
  | "unexpected_topic";

/** A poison record: `reason` is the metric label, `detail` the text its dead letter carries. */
export interface DecodeFailure {
  ok: false;
  reason: DecodeReason;
  /** For a person: the reason in words, then what exactly ("not JSON: Unexpected token n ..."). */
  detail: string;
}

export type Decoded<T> = { ok: true; value: T } | DecodeFailure;

/** A record that failed to decode, and why: what the dead-letter step takes. */
export interface Poison {
  record: ConsumedRecord;
  failure: DecodeFailure;
}

/**
 * A record's value checked against the event contract: the one decoder of every consumer.
 *
 * @example
 * const decoded = decodeRecord(record.value, logEventSchema);
 * if (!decoded.ok) poison.push({ record, failure: decoded }); // decoded.reason === "not_json", ...
 */
export function decodeRecord<T>(value: Buffer | null, schema: z.ZodType<T>): Decoded<T> {
  if (value === null || value.length === 0) return decodeFailure("empty_value", "empty value");
  if (value.length > MAX_RECORD_BYTES)
    return decodeFailure("too_large", `too large: ${value.length} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(value.toString("utf8"));
  } catch (error) {
    return decodeFailure("not_json", `not JSON: ${(error as Error).message.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue?.path.join(".") || "(root)";
  return decodeFailure(
    "does_not_match_the_contract",
    `does not match the contract: ${path}: ${issue?.message ?? "invalid"}`,
  );
}

export function decodeFailure(reason: DecodeReason, detail: string): DecodeFailure {
  return { ok: false, reason, detail };
}

/** Decodes each record: the good ones with their values, in order, and the poison with why. */
export function decodeAll<T>(
  records: Iterable<ConsumedRecord>,
  decode: (record: ConsumedRecord) => Decoded<T>,
): { good: { record: ConsumedRecord; value: T }[]; poison: Poison[] } {
  const good: { record: ConsumedRecord; value: T }[] = [];
  const poison: Poison[] = [];
  for (const record of records) {
    const decoded = decode(record);
    if (decoded.ok) good.push({ record, value: decoded.value });
    else poison.push({ record, failure: decoded });
  }
  return { good, poison };
}
