import type { z } from "zod";
import { anomalySchema, classifiedEventSchema, logEventSchema } from "../events/schema.js";
import type { Anomaly, ClassifiedEvent, LogEvent } from "../events/types.js";
import type { ConsumedRecord } from "./deadLetter.js";
import { type Decoded, decodeRecord } from "./decodeRecord.js";
import type { OutgoingMessage } from "./producer.js";

/** Events are keyed by service, so one service's events stay ordered in one partition. */
export function eventMessage(event: LogEvent | ClassifiedEvent): OutgoingMessage {
  return { key: event.service, value: JSON.stringify(event) };
}

export function decodeLogEvent(record: ConsumedRecord): Decoded<LogEvent> {
  return decodeRecord(record.value, logEventSchema as z.ZodType<LogEvent>);
}

export function decodeClassifiedEvent(record: ConsumedRecord): Decoded<ClassifiedEvent> {
  return decodeRecord(record.value, classifiedEventSchema as z.ZodType<ClassifiedEvent>);
}

export function decodeAnomaly(record: ConsumedRecord): Decoded<Anomaly> {
  return decodeRecord(record.value, anomalySchema as z.ZodType<Anomaly>);
}
