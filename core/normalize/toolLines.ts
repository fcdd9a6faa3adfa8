import type { Level } from "../events/types.js";
import { levelFromName } from "./level.js";
import { parseSyslogLine } from "./syslogLine.js";
import { parseTextLine } from "./textLine.js";
import { isoFromMs, msWithoutYear, timestampAt } from "./timestamp.js";
import type { ParsedLine } from "./types.js";

/**
 * Whole-line shapes of particular tools whose header the generic text rules do not strip:
 * Android logcat, cluster syslog behind a BGL-style prefix, Proxifier, log lines prefixed with the
 * name of the file they came from (OpenStack's collected logs), and two-digit-year Log4j (Spark).
 * Each pattern is sticky and tried at position 0, so a line that is none of them costs a few
 * failed matches.
 */

// 03-17 16:13:38.811  1702  2395 D WindowManager: message (logcat -v threadtime)
const LOGCAT =
  /(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) +(\d{1,10}) +(\d{1,10}) ([VDIWEFA]) ([^:]{0,128}?) ?: /y;
const LOGCAT_LEVEL: Readonly<Record<string, Level>> = {
  V: "trace",
  D: "debug",
  I: "info",
  W: "warn",
  E: "error",
  F: "fatal",
  A: "fatal",
};

// - 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2915]: message (Thunderbird)
const CLUSTER_SYSLOG =
  /(-|[A-Z][A-Z_]{0,31}) \d{10} \d{4}\.\d{2}\.\d{2} \S{1,128} (?=[A-Z][a-z]{2} )/y;

// [10.30 16:49:06] chrome.exe *64 - message (Proxifier: month.day time, program)
const PROGRAM_STAMP = /\[(\d{2})\.(\d{2}) (\d{2}):(\d{2}):(\d{2})\] (\S{1,128}(?: \*\d{1,4})?) - /y;

// nova-api.log.1.2017-05-16_13:53:08 2017-05-16 ... (the collecting file's name, then the line)
const FILE_NAME = /(\S{1,255}\.log(?:\.\S{0,64})?) (?=\d{4}-\d{2}-\d{2})/y;
// nova.compute.manager [req-... - - - - -] message: a dotted logger and its request context
const LOGGER_CONTEXT = /([A-Za-z_][\w$]*(?:\.[\w$]+)+) \[([^\]]{0,512})\] ?/y;

// 17/06/09 20:10:40 INFO executor.Backend: message (Log4j with yy/MM/dd)
const SHORT_YEAR_LOG4J =
  /(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) ([\w$.]{1,256}): /y;

/** The parsed line when `text` has one of the shapes above, else undefined. */
export function parseToolLine(text: string, now?: number): ParsedLine | undefined {
  const c = text.charCodeAt(0);
  if (c >= 48 && c <= 57) return parseLogcat(text, now) ?? parseShortYearLog4j(text);
  if (c === 45 || (c >= 65 && c <= 90)) return parseClusterSyslog(text, now);
  if (c === 91) return parseProgramStamp(text, now);
  return parseFileNamed(text, now);
}

/** The timestamp of a header whose groups 1–5 are month, day, hour, minute, second: no year. */
function setStampWithoutYear(
  line: ParsedLine,
  m: RegExpExecArray,
  millis: number,
  now: number | undefined,
): void {
  const ms = msWithoutYear(
    Number(m[1]) - 1,
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    millis,
    now,
  );
  if (ms !== undefined) line.timestamp = isoFromMs(ms);
}

/** A sticky header pattern's fields and the message after it; undefined without both. */
function matchHeader(
  pattern: RegExp,
  text: string,
): { fields: RegExpExecArray; message: string } | undefined {
  pattern.lastIndex = 0;
  const fields = pattern.exec(text);
  if (fields === null) return undefined;
  const message = text.slice(pattern.lastIndex).trim();
  return message.length === 0 ? undefined : { fields, message };
}

function parseLogcat(text: string, now: number | undefined): ParsedLine | undefined {
  const header = matchHeader(LOGCAT, text);
  if (header === undefined) return undefined;
  const { fields: m, message } = header;
  const line: ParsedLine = {
    message,
    level: LOGCAT_LEVEL[m[9] as string] as Level,
    service: (m[10] as string).trim(),
    attributes: { pid: Number(m[7]), threadId: Number(m[8]) },
  };
  setStampWithoutYear(line, m, Number(m[6]), now);
  return line;
}

function parseShortYearLog4j(text: string): ParsedLine | undefined {
  const header = matchHeader(SHORT_YEAR_LOG4J, text);
  if (header === undefined) return undefined;
  const { fields: m, message } = header;
  const line: ParsedLine = { message, service: m[8] as string, attributes: {} };
  const level = levelFromName(m[7] as string);
  if (level !== undefined) line.level = level;
  const ms = Date.UTC(
    2000 + Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
  );
  if (Number.isFinite(ms)) line.timestamp = isoFromMs(ms);
  return line;
}

function parseClusterSyslog(text: string, now: number | undefined): ParsedLine | undefined {
  CLUSTER_SYSLOG.lastIndex = 0;
  if (!CLUSTER_SYSLOG.test(text)) return undefined;
  const line = parseSyslogLine(text.slice(CLUSTER_SYSLOG.lastIndex), now);
  if (line === undefined) return undefined;
  const alert = text.slice(0, text.indexOf(" "));
  if (alert !== "-") line.attributes.alert = alert;
  return line;
}

function parseProgramStamp(text: string, now: number | undefined): ParsedLine | undefined {
  const header = matchHeader(PROGRAM_STAMP, text);
  if (header === undefined) return undefined;
  const { fields: m, message } = header;
  const line: ParsedLine = { message, service: m[6] as string, attributes: {} };
  setStampWithoutYear(line, m, 0, now);
  return line;
}

function parseFileNamed(text: string, now: number | undefined): ParsedLine | undefined {
  FILE_NAME.lastIndex = 0;
  const m = FILE_NAME.exec(text);
  if (m === null || timestampAt(text, FILE_NAME.lastIndex, now) === undefined) return undefined;
  const line = parseTextLine(text.slice(FILE_NAME.lastIndex), now);
  line.attributes.file = m[1];
  LOGGER_CONTEXT.lastIndex = 0;
  const context = LOGGER_CONTEXT.exec(line.message);
  if (context !== null && line.service === undefined) {
    const message = line.message.slice(LOGGER_CONTEXT.lastIndex).trim();
    if (message.length > 0) {
      line.service = context[1] as string;
      line.attributes.context = context[2];
      line.message = message;
    }
  }
  return line;
}
