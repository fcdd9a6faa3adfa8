import { contentId } from "../events/ids.js";
import type { LogEvent } from "../events/types.js";
import type { SyntheticRecord } from "./types.js";

/** A synthetic record as the shared log event contract (for `sentinel produce --to kafka`). */
export function syntheticLogEvent(
  record: SyntheticRecord,
  seed: number,
  index: number,
  ingestedAt: string,
): LogEvent {
  const { timestamp, level, service, message, ...attributes } = record;
  return {
    id: contentId("synthetic", seed, index),
    timestamp,
    ingestedAt,
    source: { provider: "synthetic", seed },
    service,
    level,
    message,
    attributes,
  };
}
