export { batchItemFailure, batchResponse } from "./batchResponse.js";
export { MskEventError, type MskEventIssue } from "./errors.js";
export {
  byPartition,
  compareOffsets,
  consumedRecordOf,
  decodeMskEvent,
  encodeMskEvent,
  partitionKey,
} from "./mskEvent.js";
export type {
  KafkaBatchItemFailure,
  KafkaBatchResponse,
  KafkaItemIdentifier,
  KafkaRecord,
  MskEvent,
  MskEventMeta,
  MskEventSource,
  MskHeader,
  MskRecord,
  TimestampType,
} from "./types.js";
export { MSK_EVENT_SOURCES, TIMESTAMP_TYPES } from "./types.js";
