import { contentId } from "../events/ids.js";
import { cutToBytes, markCut } from "../events/truncate.js";
import type { Level, LogEvent } from "../events/types.js";
import { setAttribute } from "../normalize/attributes.js";
import { parseLine } from "../normalize/index.js";
import { levelFromName } from "../normalize/level.js";
import { cleanLine } from "../normalize/lineHygiene.js";

/** One stream of a `query_range` answer: its labels and its `[ns, line]` (or `[ns, line, metadata]`) values. */
export interface LokiStream {
  stream: Record<string, string>;
  values: readonly (
    | readonly [string, string]
    | readonly [string, string, Record<string, string>]
  )[];
}

/** One log entry, with the nanosecond timestamp kept exact (Loki's own ordering key). */
export interface LokiEntry {
  ns: bigint;
  /** contentId of the stream's labels, the timestamp and the line: a re-read gives the same id. */
  id: string;
  labels: Record<string, string>;
  line: string;
  /** Structured metadata (Loki 3), when the answer carries it. */
  metadata?: Record<string, string>;
}

/** The entries of a query answer, in Loki's forward order: by timestamp, ties by stream then line. */
export function streamsToEntries(streams: readonly LokiStream[]): LokiEntry[] {
  const entries: LokiEntry[] = [];
  for (const { stream, values } of streams) {
    const streamKey = labelKey(stream);
    for (const value of values) {
      const [nsText, line, metadata] = value;
      if (!/^\d{1,20}$/.test(nsText))
        throw new Error(
          `Loki answered a timestamp that is not nanoseconds: ${JSON.stringify(nsText)}`,
        );
      const ns = BigInt(nsText);
      const entry: LokiEntry = {
        ns,
        id: contentId("loki", streamKey, nsText, line),
        labels: stream,
        line,
      };
      if (metadata && Object.keys(metadata).length > 0) entry.metadata = metadata;
      entries.push(entry);
    }
  }
  return entries.sort(compareEntries);
}

function compareEntries(a: LokiEntry, b: LokiEntry): number {
  if (a.ns !== b.ns) return a.ns < b.ns ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** `{a="1", b="2"}` with keys sorted: the stream's identity. */
export function labelKey(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return `{${keys.map((key) => `${key}=${JSON.stringify(labels[key])}`).join(", ")}}`;
}

export type EntryOutcome = { ok: true; event: LogEvent } | { ok: false; reason: string };

export interface EntryContext {
  ingestedAt: string;
  maxMessageBytes: number;
}

const SERVICE_LABELS = ["service_name", "app", "service", "job", "container"] as const;
const LEVEL_LABELS = ["level", "detected_level", "severity", "lvl"] as const;

/**
 * One entry as a log event: the line is parsed like any log line (JSON, logfmt, syslog or text)
 * for its message, level and fields; the time is Loki's; the labels become `source.labels`, and
 * name the service (service_name, app, service, job, container) and level when they carry one.
 * Empty and binary lines are refused with a reason.
 */
export function entryToEvent(entry: LokiEntry, context: EntryContext): EntryOutcome {
  // Multi-line entries (stack traces) keep their line breaks; other control characters go.
  const hygiene = cleanLine(entry.line.replace(/\r?\n/g, " "));
  if (!hygiene.ok) return hygiene;
  const text = hygiene.cleaned ? hygiene.text : entry.line;
  const parsed = parseLine(text, "auto");
  if (!parsed.ok) return parsed;
  const { message, level: parsedLevel, service: parsedService, attributes } = parsed.line;

  const service = firstLabel(entry.labels, SERVICE_LABELS) ?? parsedService ?? "unknown";
  const labelLevel = firstLabel(entry.labels, LEVEL_LABELS);
  const level: Level | undefined = (labelLevel && levelFromName(labelLevel)) || parsedLevel;
  if (entry.metadata) setAttribute(attributes, "structuredMetadata", entry.metadata);

  const bounded = cutToBytes(message, context.maxMessageBytes);
  const event: LogEvent = {
    id: entry.id,
    timestamp: new Date(Number(entry.ns / 1_000_000n)).toISOString(),
    ingestedAt: context.ingestedAt,
    source: { provider: "loki", labels: entry.labels },
    service: service.slice(0, 512),
    message: bounded.text,
    attributes,
  };
  if (level) event.level = level;
  markCut(event, bounded);
  return { ok: true, event };
}

function firstLabel(labels: Record<string, string>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = labels[name];
    if (value) return value;
  }
  return undefined;
}
