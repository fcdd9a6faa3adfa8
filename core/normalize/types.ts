import type { Level } from "../events/types.js";

/** How to read a line: `auto` detects JSON, syslog, logfmt or plain text per line. */
export type InputFormat = "auto" | "json" | "text" | "syslog";

/** The fields parsed out of one line of log text. */
export interface ParsedLine {
  /** The log message proper; never empty. */
  message: string;
  /** ISO-8601 UTC (`toISOString` form), when the line carries a time. */
  timestamp?: string;
  level?: Level;
  service?: string;
  /** The source's own event id, when the line carries one. */
  id?: string;
  /** Everything else worth keeping: other JSON fields, syslog host/pid/facility, logfmt keys. */
  attributes: Record<string, unknown>;
}

export type ParseResult = { ok: true; line: ParsedLine } | { ok: false; reason: string };
