import type { Level } from "../events/types.js";
import { levelFromName, textLevelWord } from "./level.js";
import { fractionToMs, isoFromMs, msWithoutYear, timestampAt } from "./timestamp.js";
import { parseToolLine } from "./toolLines.js";
import type { ParsedLine } from "./types.js";

/**
 * Plain text lines: a leading timestamp, then a header of level, pid, thread and logger in any of
 * the usual orders, then the message. Also a few whole-line shapes with their own layout: glog/klog,
 * Redis, BGL, and web server access logs (whose message stays the whole line).
 *
 * Every pattern here is sticky and tried at one position, and header tokens are scanned by hand
 * with bounded lengths, so a hostile line costs a few linear scans at most.
 */

const TAB = 9;
const SPACE = 32;
const HEADER_TOKENS = 8;
// Java thread names can hold a whole file path and block id: [DataStreamer for file /tmp/... block BP-...]
const MAX_BRACKET = 320;
const MAX_WORD = 256;

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC.
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[A-Za-z]/g;

// I0301 12:00:00.123456    1 controller.go:123] message (glog, klog)
const GLOG =
  /([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6}) +(\d{1,10}) ([^\s:\]]{1,256}):(\d{1,10})\] ?/y;
const GLOG_LEVEL: Readonly<Record<string, Level>> = {
  I: "info",
  W: "warn",
  E: "error",
  F: "fatal",
};

// 1:M 01 Mar 2024 12:00:00.123 * Ready to accept connections (Redis)
const REDIS = /(\d{1,10}):([XCSM]) (?=\d{1,2} [A-Z][a-z]{2} \d{4} )/y;
const REDIS_LEVEL_MARK = / ([.\-*#]) /y;
const REDIS_ROLE: Readonly<Record<string, string>> = {
  X: "sentinel",
  C: "child",
  S: "replica",
  M: "master",
};
const REDIS_LEVEL: Readonly<Record<string, Level>> = {
  ".": "debug",
  "-": "debug",
  "*": "notice",
  "#": "warn",
};

// - 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS
// KERNEL INFO instruction cache parity error corrected (Blue Gene/L)
const BGL =
  /(-|[A-Z][A-Z_]{0,31}) (\d{10}) \d{4}\.\d{2}\.\d{2} (\S{1,128}) \d{4}-\d{2}-\d{2}-\d{2}\.\d{2}\.\d{2}\.(\d{6}) \S{1,128} ([A-Z]{1,16}) ([A-Z_]{1,32}) (INFO|WARNING|SEVERE|ERROR|FATAL|FAILURE) ?/y;
const BGL_LEVEL: Readonly<Record<string, Level>> = {
  INFO: "info",
  WARNING: "warn",
  SEVERE: "error",
  ERROR: "error",
  FATAL: "fatal",
  FAILURE: "fatal",
};

// 127.0.0.1 - frank [01/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 512 (common/combined log)
const ACCESS_PREFIX = /\S{1,255} \S{1,255} (?:"[^"]{0,255}"|\S{1,255}) \[/y;

// 12:00:00.123 with no date (logback's default pattern): kept as an attribute, not a timestamp
const TIME_ONLY = /\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?=[\s\]|]|$)/y;

const PID_TID = /^pid (\d{1,10})(?::tid (\d{1,20}))?$/;
const THREAD_NAME = /^[\w$@#/:.-]*[A-Za-z][\w$@#/:.-]*$/;
// Java thread names may hold spaces ([AsyncDispatcher event handler]); such a bracket counts as a
// thread only when a dotted logger name follows it, so message text in brackets stays message.
const SPACED_THREAD_NAME = /^[\w$@#/:.-]+(?: [\w$@#/:.-]+)+$/;
const LOGGER_AFTER = /\s+[A-Za-z_$][\w$]*(?:\.[\w$]+)+\s*(?::|-\s)/y;
const NGINX_PID_TID = /(\d{1,10})#(\d{1,20}):/y;
const PID_TAG = /\[(\d{1,10})\]:(?=\s|$)/y;
const LEVEL_KEYS = new Set(["level", "lvl", "severity", "loglevel"]);

/** The parsed fields of a plain text line (trimmed, non-empty). Never fails. */
export function parseTextLine(text: string, now?: number): ParsedLine {
  const clean = text.includes("\u001b") ? text.replace(ANSI_ESCAPE, "").trim() || text : text;
  const line: ParsedLine = { message: clean, attributes: {} };
  const afterTimestamp = readLeadingTimestamp(clean, line, now);
  if (afterTimestamp === 0 && parseKnownShape(clean, line, now)) return line;
  const messageStart = readHeader(clean, afterTimestamp, afterTimestamp > 0, line);
  if (messageStart > 0) line.message = clean.slice(messageStart).trim() || clean;
  return line;
}

/**
 * Whether `text` at `start` begins with a level word as text lines write it (`ERROR`, `[warn]`,
 * `<error>`, `Error:`, `level=error`); the level, or undefined. Used on syslog messages.
 */
export function levelAtStart(text: string, start = 0): Level | undefined {
  return levelTokenAt(text, start)?.level;
}

// ---- leading timestamp -------------------------------------------------------------------------

/** Reads a leading timestamp, bare or in brackets, into `line`; the index after it, or 0. */
function readLeadingTimestamp(text: string, line: ParsedLine, now: number | undefined): number {
  const bracketed = text.charCodeAt(0) === 91; // [
  const at = bracketed ? 1 : 0;
  const match = timestampAt(text, at, now);
  let end = match?.end ?? 0;
  if (match === undefined) {
    TIME_ONLY.lastIndex = at;
    if (!TIME_ONLY.test(text)) return 0;
    end = TIME_ONLY.lastIndex;
  }
  if (bracketed) {
    end = skipSpaces(text, end);
    if (text.charCodeAt(end) !== 93) return 0; // "[" opened something else
    end++;
  }
  if (match !== undefined) line.timestamp = isoFromMs(match.ms);
  else line.attributes.time = text.slice(at, TIME_ONLY.lastIndex);
  return end;
}

// ---- header: level, pid, thread, logger ------------------------------------------------------

/** What the header scan has seen so far. */
interface HeaderState {
  /** A timestamp or header token came before, so separators and loggers may follow. */
  consumed: boolean;
  /** The token just read was a thread name. */
  previousWasThread: boolean;
  /** Spring Boot's "---" separator was seen. */
  springDashes: boolean;
}

/**
 * Reads header tokens from `pos` into `line`; the index where the message starts, or 0 when the
 * line has no header at all (nothing consumed).
 */
function readHeader(text: string, pos: number, afterTimestamp: boolean, line: ParsedLine): number {
  const state: HeaderState = {
    consumed: afterTimestamp,
    previousWasThread: false,
    springDashes: false,
  };
  let p = pos;
  for (let round = 0; round < HEADER_TOKENS; round++) {
    let q = skipSpaces(text, p);
    if (state.consumed) {
      if (text.startsWith("--- ", q)) state.springDashes = true;
      q = skipSeparator(text, q);
    }
    if (q >= text.length) break;
    const end = headerTokenAt(text, q, state, line);
    if (end === undefined) break;
    state.consumed = true;
    p = end;
  }
  if (!state.consumed) return 0;
  return skipSeparator(text, skipSpaces(text, p));
}

/** Reads one header token at `p` into `line`; the index after it, or undefined if none is there. */
function headerTokenAt(
  text: string,
  p: number,
  state: HeaderState,
  line: ParsedLine,
): number | undefined {
  const previousWasThread = state.previousWasThread;
  state.previousWasThread = false;
  const level = levelTokenAt(text, p);
  if (level !== undefined) {
    if (line.level !== undefined) return undefined; // a second level word belongs to the message
    line.level = level.level;
    // Python's default format: LEVEL:logger:message
    if (level.colon) {
      const loggerEnd = scanIdentifier(text, level.end);
      if (loggerEnd > level.end && text.charCodeAt(loggerEnd) === 58) {
        line.service = text.slice(level.end, loggerEnd);
        return loggerEnd + 1;
      }
    }
    return level.end;
  }
  const c = text.charCodeAt(p);
  if (c === 91) return bracketTokenAt(text, p, state, previousWasThread, line); // [
  if (c >= 48 && c <= 57) return digitsTokenAt(text, p, line);
  if (isIdentifierStart(c)) return loggerTokenAt(text, p, state.consumed, line);
  return undefined;
}

interface LevelToken {
  level: Level;
  end: number;
  /** The word was followed by ":" (`ERROR:`). */
  colon: boolean;
}

/** A level word at `p` in any of the forms text lines use, without side effects. */
function levelTokenAt(text: string, p: number): LevelToken | undefined {
  const c = text.charCodeAt(p);
  if (c === 91 || c === 60) {
    // [error] / [ INFO ] / <warn>
    const close = boundedIndexOf(text, c === 91 ? 93 : 62, p + 1, 24);
    if (close === -1) return undefined;
    const level = textLevelWord(text.slice(p + 1, close).trim(), true);
    return level === undefined ? undefined : { level, end: close + 1, colon: false };
  }
  if (!isLetter(c)) return undefined;
  let e = p + 1;
  while (e < text.length && e - p <= 14 && isLetter(text.charCodeAt(e))) e++;
  if (isDigit(text.charCodeAt(e)) && !isDigit(text.charCodeAt(e + 1))) e++; // DEBUG1
  const word = text.slice(p, e);
  const next = text.charCodeAt(e);
  if (next === 58) {
    // ERROR: / error:
    const level = textLevelWord(word, true);
    return level === undefined ? undefined : { level, end: e + 1, colon: true };
  }
  if (next === 61) return levelAssignmentAt(text, word, e + 1); // level=error
  if (next === 91) {
    // logrus: INFO[0000]
    const level = textLevelWord(word, false);
    if (level === undefined) return undefined;
    let close = e + 1;
    while (close < text.length && close - e <= 12 && isDigit(text.charCodeAt(close))) close++;
    return text.charCodeAt(close) === 93 && close > e + 1
      ? { level, end: close + 1, colon: false }
      : undefined;
  }
  if (!isBoundary(next)) return undefined;
  const level = textLevelWord(word, false);
  return level === undefined ? undefined : { level, end: e, colon: false };
}

function levelAssignmentAt(text: string, key: string, start: number): LevelToken | undefined {
  if (!LEVEL_KEYS.has(key.toLowerCase())) return undefined;
  const quoted = text.charCodeAt(start) === 34;
  let e = quoted ? start + 1 : start;
  while (e < text.length && e - start <= 16 && isLetter(text.charCodeAt(e))) e++;
  const level = levelFromName(text.slice(quoted ? start + 1 : start, e));
  if (level === undefined) return undefined;
  if (quoted) {
    if (text.charCodeAt(e) !== 34) return undefined;
    e++;
  }
  return isBoundary(text.charCodeAt(e)) ? { level, end: e, colon: false } : undefined;
}

function bracketTokenAt(
  text: string,
  p: number,
  state: HeaderState,
  previousWasThread: boolean,
  line: ParsedLine,
): number | undefined {
  const close = boundedIndexOf(text, 93, p + 1, MAX_BRACKET); // ]
  if (close === -1) return undefined;
  const content = text.slice(p + 1, close).trim();
  if (content.length === 0) return undefined;
  const end = close + 1;
  const { attributes } = line;

  // [core:error] (Apache 2.4: module and level)
  const colon = content.indexOf(":");
  if (colon > 0 && line.level === undefined) {
    const level = textLevelWord(content.slice(colon + 1), true);
    const module = content.slice(0, colon);
    if (level !== undefined && THREAD_NAME.test(module)) {
      line.level = level;
      attributes.module = module;
      return end;
    }
  }
  const pidTid = PID_TID.exec(content); // [pid 1234:tid 5678]
  if (pidTid !== null) {
    if (attributes.pid !== undefined) return undefined;
    attributes.pid = Number(pidTid[1]);
    if (pidTid[2] !== undefined) attributes.tid = Number(pidTid[2]);
    return end;
  }
  if (content.startsWith("client ") && attributes.client === undefined) {
    attributes.client = content.slice(7).trim();
    return end;
  }
  if (isAllDigits(content)) {
    if (attributes.pid !== undefined) return undefined;
    attributes.pid = Number(content);
    return end;
  }
  if (line.service === undefined && isLoggerName(content)) {
    line.service = content;
    return end;
  }
  if (
    !THREAD_NAME.test(content) &&
    !(SPACED_THREAD_NAME.test(content) && loggerFollows(text, end))
  ) {
    return undefined;
  }
  if (attributes.thread !== undefined) {
    // Spring Boot 3.2: --- [application] [thread]
    if (!previousWasThread || !state.springDashes || attributes.application !== undefined) {
      return undefined;
    }
    attributes.application = attributes.thread;
  } else if (!state.consumed && levelTokenAt(text, skipSpaces(text, end)) === undefined) {
    return undefined; // a leading [tag] with no timestamp or level near it is message text
  }
  attributes.thread = content;
  state.previousWasThread = true;
  return end;
}

function loggerFollows(text: string, p: number): boolean {
  LOGGER_AFTER.lastIndex = p;
  return LOGGER_AFTER.test(text);
}

function digitsTokenAt(text: string, p: number, line: ParsedLine): number | undefined {
  const { attributes } = line;
  if (attributes.pid !== undefined) return undefined;
  NGINX_PID_TID.lastIndex = p; // nginx: 1234#5678:
  const nginx = NGINX_PID_TID.exec(text);
  if (nginx !== null) {
    attributes.pid = Number(nginx[1]);
    attributes.tid = Number(nginx[2]);
    return NGINX_PID_TID.lastIndex;
  }
  let e = p;
  while (e < text.length && e - p <= 10 && isDigit(text.charCodeAt(e))) e++;
  const next = text.charCodeAt(e);
  if (next !== SPACE && next !== TAB) return undefined;
  // A bare number is a pid only just before a level (HDFS) or Spring Boot's "---"
  const after = skipSpaces(text, e);
  if (!text.startsWith("---", after) && (line.level !== undefined || !levelTokenAt(text, after))) {
    return undefined;
  }
  attributes.pid = Number(text.slice(p, e));
  return e;
}

function loggerTokenAt(
  text: string,
  p: number,
  consumed: boolean,
  line: ParsedLine,
): number | undefined {
  const e = scanIdentifier(text, p);
  if (e === p) return undefined;
  const next = text.charCodeAt(e);
  // myapp[123]: (syslog-style tag)
  if (next === 91) {
    PID_TAG.lastIndex = e;
    const tag = PID_TAG.exec(text);
    if (tag === null || line.service !== undefined || line.attributes.pid !== undefined) {
      return undefined;
    }
    line.service = text.slice(p, e);
    line.attributes.pid = Number(tag[1]);
    return PID_TAG.lastIndex;
  }
  if (line.service !== undefined || !consumed) return undefined;
  const name = text.slice(p, e);
  const after = skipSpaces(text, e);
  const sep = text.charCodeAt(after);
  const sepEnds = isBoundary(text.charCodeAt(after + 1));
  if (isLoggerName(name) && sepEnds && (sep === 58 || (sep === 45 && after > e))) {
    // com.foo.Bar: / com.foo.Bar - / c.e.a.OrderService      :
    line.service = name;
    return after + 1;
  }
  // Python: "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
  if (sep === 45 && after === e + 1 && sepEnds && levelTokenAt(text, after + 2) !== undefined) {
    line.service = name;
    return e;
  }
  return undefined;
}

// ---- whole-line shapes -------------------------------------------------------------------------

function parseKnownShape(text: string, line: ParsedLine, now: number | undefined): boolean {
  const c = text.charCodeAt(0);
  if ((c === 73 || c === 87 || c === 69 || c === 70) && parseGlog(text, line, now)) return true; // IWEF
  if (c >= 48 && c <= 57 && parseRedis(text, line, now)) return true;
  if ((c === 45 || (c >= 65 && c <= 90)) && parseBgl(text, line)) return true;
  const tool = parseToolLine(text, now);
  if (tool !== undefined) {
    Object.assign(line, tool);
    return true;
  }
  return parseAccessLog(text, line, now);
}

function parseGlog(text: string, line: ParsedLine, now: number | undefined): boolean {
  GLOG.lastIndex = 0;
  const m = GLOG.exec(text);
  if (m === null) return false;
  const ms = msWithoutYear(
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    fractionToMs(m[7]),
    now,
  );
  if (ms === undefined) return false;
  line.timestamp = isoFromMs(ms);
  line.level = GLOG_LEVEL[m[1] as string];
  line.attributes.threadId = Number(m[8]);
  line.attributes.source = `${m[9]}:${m[10]}`;
  line.message = text.slice(GLOG.lastIndex).trim() || text;
  return true;
}

function parseRedis(text: string, line: ParsedLine, now: number | undefined): boolean {
  REDIS.lastIndex = 0;
  const m = REDIS.exec(text);
  if (m === null) return false;
  const time = timestampAt(text, REDIS.lastIndex, now);
  if (time === undefined) return false;
  REDIS_LEVEL_MARK.lastIndex = time.end;
  const mark = REDIS_LEVEL_MARK.exec(text);
  if (mark === null) return false;
  line.timestamp = isoFromMs(time.ms);
  line.level = REDIS_LEVEL[mark[1] as string];
  line.attributes.pid = Number(m[1]);
  line.attributes.role = REDIS_ROLE[m[2] as string];
  line.message = text.slice(REDIS_LEVEL_MARK.lastIndex).trim() || text;
  return true;
}

function parseBgl(text: string, line: ParsedLine): boolean {
  BGL.lastIndex = 0;
  const m = BGL.exec(text);
  if (m === null) return false;
  line.timestamp = isoFromMs(Number(m[2]) * 1000 + fractionToMs(m[4]));
  line.level = BGL_LEVEL[m[7] as string];
  line.service = m[6] as string;
  if (m[1] !== "-") line.attributes.alert = m[1];
  line.attributes.node = m[3];
  line.attributes.type = m[5];
  line.message = text.slice(BGL.lastIndex).trim() || text;
  return true;
}

/** Access logs keep the whole line as the message; only the time is taken out. */
function parseAccessLog(text: string, line: ParsedLine, now: number | undefined): boolean {
  ACCESS_PREFIX.lastIndex = 0;
  if (!ACCESS_PREFIX.test(text)) return false;
  const time = timestampAt(text, ACCESS_PREFIX.lastIndex, now);
  if (time === undefined || text.charCodeAt(time.end) !== 93) return false;
  line.timestamp = isoFromMs(time.ms);
  return true;
}

// ---- characters --------------------------------------------------------------------------------

function skipSpaces(text: string, p: number): number {
  while (p < text.length) {
    const c = text.charCodeAt(p);
    if (c !== SPACE && c !== TAB) break;
    p++;
  }
  return p;
}

/** Skips one separator between header tokens: `-`, `|`, `:` or `---`, then spaces. */
function skipSeparator(text: string, p: number): number {
  const c = text.charCodeAt(p);
  if (c !== 45 && c !== 124 && c !== 58) return p;
  let e = p + 1;
  while (e < text.length && e - p < 3 && text.charCodeAt(e) === c) e++;
  const next = text.charCodeAt(e);
  if (e < text.length && next !== SPACE && next !== TAB) return p;
  return skipSpaces(text, e);
}

function boundedIndexOf(text: string, code: number, from: number, limit: number): number {
  const end = Math.min(text.length, from + limit);
  for (let i = from; i < end; i++) if (text.charCodeAt(i) === code) return i;
  return -1;
}

/** End of a run of identifier characters (`[A-Za-z0-9_.$-]`), bounded. */
function scanIdentifier(text: string, p: number): number {
  let e = p;
  while (e < text.length && e - p < MAX_WORD) {
    const c = text.charCodeAt(e);
    if (!(isLetter(c) || isDigit(c) || c === 95 || c === 46 || c === 36 || c === 45)) break;
    e++;
  }
  return e;
}

/**
 * A dotted logger name: `com.example.OrderService`, `c.e.a.Service$Inner`, `myapp.db`; not an
 * exception class (`java.lang.IllegalStateException: ...` starts a stack trace, not a header).
 */
function isLoggerName(name: string): boolean {
  if (name.length < 3 || name.length > MAX_WORD) return false;
  let segmentStart = true;
  let dots = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 46) {
      if (segmentStart) return false;
      segmentStart = true;
      dots++;
      continue;
    }
    if (segmentStart ? !isIdentifierStart(c) : !(isIdentifierStart(c) || isDigit(c))) return false;
    segmentStart = false;
  }
  if (segmentStart || dots === 0) return false;
  return !(name.endsWith("Exception") || name.endsWith("Error") || name.endsWith("Throwable"));
}

function isIdentifierStart(c: number): boolean {
  return isLetter(c) || c === 95 || c === 36;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAllDigits(text: string): boolean {
  if (text.length === 0 || text.length > 10) return false;
  for (let i = 0; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** End of text, a space or tab, or `|`: where a bare word ends. */
function isBoundary(c: number): boolean {
  return Number.isNaN(c) || c === SPACE || c === TAB || c === 124;
}
