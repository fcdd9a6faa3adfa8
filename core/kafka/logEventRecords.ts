import type { z } from "zod";
import { anomalySchema, classifiedEventSchema, logEventSchema } from "../events/schema.js";
import type { Anomaly, ClassifiedEvent, LogEvent } from "../events/types.js";
import type { Decoded } from "./consumer.js";
import type { ConsumedRecord } from "./deadLetter.js";
import type { OutgoingMessage } from "./producer.js";

/** Raw records larger than this are poison: no log event the pipeline produces comes near it. */
export const MAX_RECORD_BYTES = 1_048_576;

/** Events are keyed by service, so one service's events stay ordered in one partition. */
export function eventMessage(event: LogEvent | ClassifiedEvent): OutgoingMessage {
  return { key: event.service, value: JSON.stringify(event) };
}

function decodeWith<T>(schema: z.ZodType<T>, record: ConsumedRecord): Decoded<T> {
  const { value } = record;
  if (value === null || value.length === 0) return { ok: false, reason: "empty value" };
  if (value.length > MAX_RECORD_BYTES)
    return { ok: false, reason: `too large: ${value.length} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(value.toString("utf8"));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message.slice(0, 200)}` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue?.path.join(".") || "(root)";
  return {
    ok: false,
    reason: `does not match the contract: ${path}: ${issue?.message ?? "invalid"}`,
  };
}

export function decodeLogEvent(record: ConsumedRecord): Decoded<LogEvent> {
  return decodeWith(logEventSchema as z.ZodType<LogEvent>, record);
}

export function decodeClassifiedEvent(record: ConsumedRecord): Decoded<ClassifiedEvent> {
  return decodeWith(classifiedEventSchema as z.ZodType<ClassifiedEvent>, record);
}

export function decodeAnomaly(record: ConsumedRecord): Decoded<Anomaly> {
  return decodeWith(anomalySchema as z.ZodType<Anomaly>, record);
}
