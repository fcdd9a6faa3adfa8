import { contentId } from "../../../core/events/ids.js";
import { cutToBytes } from "../../../core/events/truncate.js";
import type { EventSource, LogEvent } from "../../../core/events/types.js";
import { type InputFormat, parseLine } from "../../../core/normalize/index.js";
import { cleanLine } from "../../../core/normalize/lineHygiene.js";
import type { RawLine } from "./lineReader.js";

export type LineOutcome = { ok: true; event: LogEvent } | { ok: false; reason: string };

export interface LineToEventOptions {
  format: InputFormat;
  /** Provider fields for every event; `line` is added per event. */
  source: EventSource;
  /** Service for lines that do not name one. */
  defaultService: string;
  maxMessageBytes: number;
  now?: () => Date;
}

/**
 * Turns decoded input lines into log events, or says why a line cannot be one.
 * Stateful in one way: a line without a timestamp (a stack-trace continuation, say) takes the
 * timestamp of the line before it, so a file's timeline replays the same on every run.
 */
export class LineToEvent {
  readonly #options: LineToEventOptions;
  readonly #streamId: string;
  #lastTimestamp: string | undefined;

  constructor(options: LineToEventOptions) {
    this.#options = options;
    this.#streamId = `${options.source.provider}:${String(options.source.path ?? "")}`;
  }

  convert(line: RawLine, ingestedAt: string): LineOutcome {
    const clean = cleanLine(line.text);
    if (!clean.ok) return clean;
    const parsed = parseLine(clean.text, this.#options.format);
    if (!parsed.ok) return parsed;
    const { message, timestamp, level, service, id, attributes } = parsed.line;

    const bounded = cutToBytes(message, this.#options.maxMessageBytes);
    const timestampOrCarried = timestamp ?? this.#lastTimestamp ?? ingestedAt;
    if (timestamp !== undefined) this.#lastTimestamp = timestamp;

    const event: LogEvent = {
      id: id ?? contentId(this.#streamId, line.number, line.text),
      timestamp: timestampOrCarried,
      ingestedAt,
      source: Object.assign({}, this.#options.source, { line: line.number }),
      service: service ?? this.#options.defaultService,
      message: bounded.text,
      attributes,
    };
    if (level !== undefined) event.level = level;
    if (bounded.cut || line.cut) {
      event.truncated = true;
      event.originalBytes = line.cut
        ? line.byteLength
        : bounded.cut
          ? bounded.originalBytes
          : line.byteLength;
    }
    if (line.repairedUtf8 || clean.cleaned) {
      event.attributes = {
        ...attributes,
        "sentinel.repaired": line.repairedUtf8 ? "invalid-utf8" : "control-characters",
      };
    }
    return { ok: true, event };
  }
}
