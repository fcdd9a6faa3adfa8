import { jsonObjectOf, lineFromJsonObject, parseJsonLine } from "./jsonLine.js";
import { parseLogfmtLine } from "./logfmt.js";
import { parseSyslogLine } from "./syslogLine.js";
import { parseTextLine } from "./textLine.js";
import type { InputFormat, ParsedLine, ParseResult } from "./types.js";

export { DEPTH_LIMIT_MARKER, MAX_ATTRIBUTE_DEPTH } from "./attributes.js";
export type { InputFormat, ParsedLine, ParseResult } from "./types.js";

/**
 * Parses one decoded line of log text into message, time, level, service, id and attributes.
 * Pure and synchronous; no line makes it throw.
 *
 * - `auto`: a JSON object line, a `<PRI>` or /var/log/syslog line, a logfmt line, else text.
 * - `json`: the line must be a JSON object; anything else is `{ ok: false, reason }`.
 * - `syslog`: syslog rules, falling back to text rules for lines that are not syslog.
 * - `text`: text rules only.
 *
 * Lines that are empty or only white space are rejected in every format.
 *
 * @example
 * parseLine('<34>Oct 11 22:14:15 web-1 su[230]: auth failed', "auto");
 * // { ok: true, line: { message: "auth failed", level: "fatal", service: "su",
 * //   timestamp: "<this year, or last if that is ahead>-10-11T22:14:15.000Z",
 * //   attributes: { host: "web-1", pid: 230, facility: "auth" } } }
 */
export function parseLine(text: string, format: InputFormat): ParseResult {
  const line = text.trim();
  if (line.length === 0) return { ok: false, reason: "empty line" };
  switch (format) {
    case "auto":
      return { ok: true, line: parseAuto(line) };
    case "json":
      return parseJsonLine(line);
    case "syslog":
      return { ok: true, line: parseSyslogLine(line) ?? parseTextLine(line) };
    case "text":
      return { ok: true, line: parseTextLine(line) };
    default:
      return { ok: false, reason: `unknown input format: ${String(format)}` };
  }
}

function parseAuto(line: string): ParsedLine {
  const first = line.charCodeAt(0);
  if (first === 123) {
    // {
    const record = jsonObjectOf(line);
    if (record !== undefined) return lineFromJsonObject(record);
    return parseTextLine(line);
  }
  if (first === 60 || (first >= 65 && first <= 90) || (first >= 48 && first <= 57)) {
    // <PRI>, "Mar  1 ...", "2024-03-01T..."
    const syslog = parseSyslogLine(line);
    if (syslog !== undefined) return syslog;
  }
  return parseLogfmtLine(line) ?? parseTextLine(line);
}
