import {
  type BucketSpec,
  eventsFor,
  poisson,
  seededRandom,
} from "../../../core/detection/testing/series.js";
import type { DetectorEvent } from "../../../core/detection/types.js";
import { logEvent } from "../../../core/events/testing/fixtures.js";
import type { ClassifiedEvent } from "../../../core/events/types.js";
import type { KafkaRecord } from "../../../core/kafka/msk/index.js";

/** Test support for the anomaly detector Lambda: its input, as the event source mapping hands it. */

export const SOURCE = "classified-logs";
export const NOW = Date.parse("2026-03-01T00:00:00.000Z");

export function classified(event: DetectorEvent): ClassifiedEvent {
  return {
    ...logEvent(`message of ${event.id}`, { id: event.id, timestamp: event.timestamp }),
    service: event.service,
    classification: {
      ...event.classification,
      confidence: 0.9,
      template: event.classification.templateId,
      model: "baseline",
      cached: true,
      classifiedAt: event.timestamp,
    },
  };
}

/** Kafka records of `classified-logs` partition `partition`, offsets from `firstOffset`. */
export function records(
  values: (string | ClassifiedEvent)[],
  partition = 0,
  firstOffset = 0,
): KafkaRecord[] {
  return values.map((value, i) => ({
    topic: SOURCE,
    partition,
    offset: String(firstOffset + i),
    timestamp: NOW,
    timestampType: "CREATE_TIME",
    key: Buffer.from(typeof value === "string" ? "?" : value.service),
    value: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)),
    headers: {},
  }));
}

/** 80 minutes of one service's traffic with an incident spike in minute 70. */
export function spikeTraffic(service: string): ClassifiedEvent[] {
  const random = seededRandom(31);
  const buckets: BucketSpec[] = Array.from({ length: 80 }, () => ({
    incident: poisson(2, random),
    normal: poisson(5, random),
  }));
  buckets[70] = { ...buckets[70], incident: 30 };
  return eventsFor(service, buckets).map(classified);
}
