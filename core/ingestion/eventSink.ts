import type { LogEvent } from "../events/types.js";
import { eventMessage } from "../kafka/logEventRecords.js";
import type { DurableProducer } from "../kafka/producer.js";
import { pipelineMetrics } from "../metrics/catalog.js";

/**
 * Where ingested log events go. `write` resolves only once the events are durably accepted
 * (acknowledged by Kafka, or processed by the embedded pipeline): a source saves its checkpoint
 * after that, never before, so a crash in between re-reads rather than skips.
 */
export interface EventSink {
  write(events: readonly LogEvent[], signal?: AbortSignal): Promise<void>;
}

/** Produces events to `raw-logs` keyed by service. */
export class KafkaEventSink implements EventSink {
  readonly #producer: DurableProducer;
  readonly #topic: string;

  constructor(producer: DurableProducer, topic: string) {
    this.#producer = producer;
    this.#topic = topic;
  }

  async write(events: readonly LogEvent[], signal?: AbortSignal): Promise<void> {
    if (events.length === 0) return;
    await this.#producer.send(this.#topic, events.map(eventMessage), signal);
    countIngested(events);
  }
}

/** Hands events to a function, such as the embedded pipeline's. */
export class CallbackEventSink implements EventSink {
  readonly #write: (events: readonly LogEvent[]) => Promise<void> | void;

  constructor(write: (events: readonly LogEvent[]) => Promise<void> | void) {
    this.#write = write;
  }

  async write(events: readonly LogEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.#write(events);
    countIngested(events);
  }
}

function countIngested(events: readonly LogEvent[]): void {
  const byProvider = new Map<string, number>();
  for (const event of events)
    byProvider.set(event.source.provider, (byProvider.get(event.source.provider) ?? 0) + 1);
  for (const [provider, count] of byProvider)
    pipelineMetrics.eventsIngested.inc({ provider }, count);
}
