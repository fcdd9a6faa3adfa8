import type { CachingClassifier } from "../../core/classifier/cachingClassifier.js";
import type { ClassifiedEvent, LogEvent } from "../../core/events/types.js";
import type { RawLine } from "../sources/file/lineReader.js";
import type { LineToEvent } from "../sources/file/lineToEvent.js";

export interface Rejection {
  line: number;
  reason: string;
}

/** Where a pipeline's results go; each is called once per batch, in input order. */
export interface PipelineSinks {
  classified?(events: ClassifiedEvent[]): void | Promise<void>;
  rejected?(rejections: Rejection[]): void | Promise<void>;
}

export interface PipelineCounts {
  lines: number;
  accepted: number;
  rejected: number;
}

/**
 * The embedded pipeline: decoded lines in, log events, classification, then the sinks.
 * Every line ends up in exactly one of `classified` and `rejected`, so the counts always add up.
 */
export class Pipeline {
  readonly #lineToEvent: LineToEvent;
  readonly #classifier: CachingClassifier;
  readonly #sinks: PipelineSinks[];
  readonly counts: PipelineCounts = { lines: 0, accepted: 0, rejected: 0 };

  constructor(options: {
    lineToEvent: LineToEvent;
    classifier: CachingClassifier;
    sinks: PipelineSinks[];
  }) {
    this.#lineToEvent = options.lineToEvent;
    this.#classifier = options.classifier;
    this.#sinks = options.sinks;
  }

  async process(lines: readonly RawLine[]): Promise<void> {
    const ingestedAt = new Date().toISOString();
    const events: LogEvent[] = [];
    const rejections: Rejection[] = [];
    for (const line of lines) {
      const outcome = this.#lineToEvent.convert(line, ingestedAt);
      if (outcome.ok) events.push(outcome.event);
      else rejections.push({ line: line.number, reason: outcome.reason });
    }
    const classified = events.length > 0 ? await this.#classifier.classify(events) : [];
    this.counts.lines += lines.length;
    this.counts.accepted += classified.length;
    this.counts.rejected += rejections.length;
    for (const sink of this.#sinks) {
      if (rejections.length > 0) await sink.rejected?.(rejections);
      if (classified.length > 0) await sink.classified?.(classified);
    }
  }
}
