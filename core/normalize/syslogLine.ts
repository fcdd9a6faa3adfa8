import { setAttribute } from "./attributes.js";
import { decodeEscapes, type EscapeRules } from "./escapes.js";
import { levelFromSyslogSeverity, moreSevere, textLevelWord } from "./level.js";
import { levelAtStart } from "./textLine.js";
import { isoFromMs, timestampAt, timestampFromString } from "./timestamp.js";
import type { ParsedLine } from "./types.js";

/**
 * Syslog lines: RFC 5424 (`<165>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] msg`),
 * RFC 3164 (`<34>Oct 11 22:14:15 host tag[pid]: msg`), and the files syslog daemons write, which
 * drop the `<PRI>` (`Oct 11 22:14:15 host tag[pid]: msg`, or rsyslog's ISO time in its place).
 *
 * The level comes from the PRI's severity, raised by a level word at the start of the message
 * (`app: ERROR: ...`) when that word is more severe; the message is kept verbatim.
 */

const FACILITIES = [
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
  "ntp",
  "security",
  "console",
  "solaris-cron",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
];

const PRI = /<(\d{1,3})>/y;
const VERSION = /[1-9]\d{0,2} /y;
// host (optional), then tag[pid]: with the colon ending a word
const HOST_AND_TAG = /([^\s[\]:]{1,255}) ([^\s[\]:]{1,128})(?:\[([^\s\]]{0,32})\])?:(?=\s|$)/y;
const TAG_ONLY = /([^\s[\]:]{1,128})(?:\[([^\s\]]{0,32})\])?:(?=\s|$)/y;
// rsyslog's file format starts with an RFC 3339 time: 2024-03-01T12:00:00.123456+00:00
const RFC3339_START = /\d{4}-\d{2}-\d{2}T/y;
const NIL = "-";
/** RFC 5424 PARAM-VALUE escapes `"`, `\` and `]`; any other backslash is kept as it is. */
const SD_ESCAPES: EscapeRules = {
  codes: new Map([
    [34, 34],
    [92, 92],
    [93, 93],
  ]),
  unicode: false,
  keepUnknownBackslash: true,
};

/**
 * The parsed fields of a syslog line, or undefined when the line is not syslog. Lines without a
 * `<PRI>` count only with a time, a host and a `tag:` (what /var/log/syslog holds).
 */
export function parseSyslogLine(text: string, now?: number): ParsedLine | undefined {
  PRI.lastIndex = 0;
  const pri = PRI.exec(text);
  if (pri === null) return parseBsd(text, 0, undefined, now);
  const priority = Number(pri[1]);
  if (priority > 191) return undefined;
  VERSION.lastIndex = PRI.lastIndex;
  if (VERSION.test(text)) return parse5424(text, VERSION.lastIndex, priority);
  return parseBsd(text, PRI.lastIndex, priority, now);
}

function parseBsd(
  text: string,
  start: number,
  priority: number | undefined,
  now: number | undefined,
): ParsedLine | undefined {
  const line: ParsedLine = { message: "", attributes: {} };
  let p = start;
  const c = text.charCodeAt(p);
  // Without a PRI, only the two time formats syslog daemons write: "Mar  1 ..." and RFC 3339.
  if (priority === undefined && !(c >= 65 && c <= 90)) {
    RFC3339_START.lastIndex = p;
    if (!RFC3339_START.test(text)) return undefined;
  }
  const time = timestampAt(text, p, now);
  if (time !== undefined && text.charCodeAt(time.end) === 32) {
    line.timestamp = isoFromMs(time.ms);
    p = time.end + 1;
  } else if (priority === undefined) {
    return undefined;
  }

  HOST_AND_TAG.lastIndex = p;
  const hostAndTag = HOST_AND_TAG.exec(text);
  if (
    hostAndTag !== null &&
    (priority !== undefined || !looksLikeHeader(hostAndTag[1] as string, hostAndTag[2] as string))
  ) {
    line.attributes.host = hostAndTag[1];
    line.service = hostAndTag[2] as string;
    setPid(line, hostAndTag[3]);
    p = HOST_AND_TAG.lastIndex;
  } else {
    if (priority === undefined) return undefined;
    TAG_ONLY.lastIndex = p;
    const tag = TAG_ONLY.exec(text);
    if (tag !== null) {
      line.service = tag[1] as string;
      setPid(line, tag[2]);
      p = TAG_ONLY.lastIndex;
    }
  }
  finish(line, text, p, priority);
  return line;
}

function parse5424(text: string, start: number, priority: number): ParsedLine | undefined {
  const line: ParsedLine = { message: "", attributes: {} };
  const fields: string[] = [];
  let p = start;
  for (let i = 0; i < 5; i++) {
    const space = text.indexOf(" ", p);
    if (space === -1 || space === p || space - p > 255) return undefined;
    fields.push(text.slice(p, space));
    p = space + 1;
  }
  const [time, host, app, procId, msgId] = fields as [string, string, string, string, string];
  if (time !== NIL) {
    const ms = timestampFromString(time);
    if (ms === undefined) return undefined;
    line.timestamp = isoFromMs(ms);
  }
  if (host !== NIL) line.attributes.host = host;
  if (app !== NIL) line.service = app;
  if (procId !== NIL) setPid(line, procId);
  if (msgId !== NIL) line.attributes.msgid = msgId;

  if (text.startsWith(NIL, p)) {
    p += 1;
  } else {
    const data = readStructuredData(text, p);
    if (data === undefined) return undefined;
    line.attributes.structuredData = data.elements;
    p = data.end;
  }
  if (p < text.length && text.charCodeAt(p) !== 32) return undefined;
  p += 1;
  if (text.charCodeAt(p) === 0xfeff) p += 1; // BOM before a UTF-8 MSG
  finish(line, text, p, priority);
  return line;
}

/** Message, level and facility, shared by both formats. */
function finish(line: ParsedLine, text: string, p: number, priority: number | undefined): void {
  line.message = text.slice(p).trim() || text;
  const fromMessage = levelAtStart(line.message);
  if (priority !== undefined) {
    line.attributes.facility = FACILITIES[priority >> 3];
    const fromPri = levelFromSyslogSeverity(priority & 7);
    line.level = fromMessage === undefined ? fromPri : moreSevere(fromPri, fromMessage);
  } else if (fromMessage !== undefined) {
    line.level = fromMessage;
  }
}

function setPid(line: ParsedLine, pid: string | undefined): void {
  if (pid === undefined || pid.length === 0) return;
  const n = Number(pid);
  line.attributes.pid = Number.isSafeInteger(n) && n >= 0 ? n : pid;
}

/**
 * Without a PRI, "time host tag:" must not be an application log's "time LEVEL logger:" or
 * "time thread LEVEL:" in disguise.
 */
function looksLikeHeader(host: string, tag: string): boolean {
  return textLevelWord(host, false) !== undefined || textLevelWord(tag, true) !== undefined;
}

/**
 * RFC 5424 STRUCTURED-DATA: one or more `[id name="value" ...]`, values escaping `"`, `\` and `]`
 * with a backslash. Returns `{ [id]: { [name]: value } }` and the index after the last element.
 */
export function readStructuredData(
  text: string,
  start: number,
): { elements: Record<string, Record<string, string>>; end: number } | undefined {
  const elements: Record<string, Record<string, string>> = {};
  let p = start;
  const n = text.length;
  while (p < n && text.charCodeAt(p) === 91) {
    p++;
    const idEnd = nameEnd(text, p);
    if (idEnd === p) return undefined;
    const params: Record<string, string> = {};
    setAttribute(elements, text.slice(p, idEnd), params);
    p = idEnd;
    while (p < n && text.charCodeAt(p) === 32) {
      p++;
      const keyEnd = nameEnd(text, p);
      if (keyEnd === p || text.charCodeAt(keyEnd) !== 61 || text.charCodeAt(keyEnd + 1) !== 34) {
        return undefined;
      }
      const key = text.slice(p, keyEnd);
      p = keyEnd + 2;
      const valueStart = p;
      let escaped = false;
      for (;;) {
        if (p >= n) return undefined;
        const c = text.charCodeAt(p);
        if (c === 34) break;
        if (c === 92) {
          escaped = true;
          p++;
        }
        p++;
      }
      const value = escaped
        ? decodeEscapes(text, valueStart, p, SD_ESCAPES)
        : text.slice(valueStart, p);
      setAttribute(params, key, value);
      p++;
    }
    if (text.charCodeAt(p) !== 93) return undefined;
    p++;
  }
  return { elements, end: p };
}

/** End of an SD-NAME: printable ASCII except `=`, space, `]` and `"`, at most 32 characters. */
function nameEnd(text: string, p: number): number {
  let e = p;
  while (e < text.length && e - p < 32) {
    const c = text.charCodeAt(e);
    if (c <= 32 || c >= 127 || c === 61 || c === 93 || c === 34) break;
    e++;
  }
  return e;
}
