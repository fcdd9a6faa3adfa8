import { setAttribute } from "./attributes.js";
import { decodeEscapes, type EscapeRules } from "./escapes.js";
import { type FieldRole, ROLE_TREE, RoleWinners } from "./fieldRoles.js";
import type { ParsedLine } from "./types.js";

/**
 * logfmt lines (`time=2024-03-01T12:00:00Z level=error msg="db timeout" duration=3s`), as written
 * by logrus, go-kit, Grafana, Heroku and friends. Values stay strings; a key with no `=` is `true`.
 */

export interface LogfmtPairs {
  keys: string[];
  values: (string | true)[];
  /** How many keys had no `=`. */
  bareKeys: number;
}

const SPACE = 32;
const TAB = 9;
const EQUALS = 61;
const QUOTE = 34;
const BACKSLASH = 92;

// A first key then `=`: the cheap test that decides whether a full scan is worth it.
const LEADING_PAIR = /[A-Za-z_@][\w.@/-]{0,127}=/y;

/** True when the line starts like logfmt (a key and `=`). */
export function startsLikeLogfmt(text: string): boolean {
  LEADING_PAIR.lastIndex = 0;
  return LEADING_PAIR.test(text);
}

/**
 * The key/value pairs of a logfmt line, or undefined when the line is not logfmt (a quote where a
 * key should be, an unterminated quoted value). One pass, no backtracking.
 */
export function scanLogfmt(text: string): LogfmtPairs | undefined {
  const keys: string[] = [];
  const values: (string | true)[] = [];
  let bareKeys = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    if (c === SPACE || c === TAB) {
      i++;
      continue;
    }
    const keyStart = i;
    while (i < n) {
      c = text.charCodeAt(i);
      if (c === SPACE || c === TAB || c === EQUALS || c === QUOTE) break;
      i++;
    }
    if (i === keyStart) return undefined;
    const key = text.slice(keyStart, i);
    if (i < n && c === QUOTE) return undefined;
    if (i >= n || c !== EQUALS) {
      keys.push(key);
      values.push(true);
      bareKeys++;
      continue;
    }
    i++;
    if (i < n && text.charCodeAt(i) === QUOTE) {
      const quoted = readQuoted(text, i + 1);
      if (quoted === undefined) return undefined;
      keys.push(key);
      values.push(quoted.value);
      i = quoted.end;
      continue;
    }
    const valueStart = i;
    while (i < n) {
      c = text.charCodeAt(i);
      if (c === SPACE || c === TAB) break;
      i++;
    }
    keys.push(key);
    values.push(text.slice(valueStart, i));
  }
  return { keys, values, bareKeys };
}

const LOGFMT_ESCAPES: EscapeRules = {
  codes: new Map([
    [110, 10], // \n
    [116, 9], // \t
    [114, 13], // \r
    [34, 34], // \"
    [92, 92], // \\
  ]),
  unicode: true,
  keepUnknownBackslash: false,
};

function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  const close = text.indexOf('"', start);
  if (close === -1) return undefined;
  const slash = text.indexOf("\\", start);
  if (slash === -1 || slash > close) return { value: text.slice(start, close), end: close + 1 };
  // Escapes present: find the real closing quote, then decode.
  let i = slash;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return { value: decodeEscapes(text, start, i, LOGFMT_ESCAPES), end: i + 1 };
    i += c === BACKSLASH ? 2 : 1;
  }
  return undefined;
}

/**
 * A logfmt line's parsed fields, or undefined when the line is not logfmt enough: at least two
 * pairs, at most one bare key per four pairs, and either a message key (`msg`, `message`, ...) or
 * both a level and a time key. Without a message key, the message is the logfmt of the pairs that
 * were not consumed (or the whole line when none are left).
 */
export function parseLogfmtLine(text: string): ParsedLine | undefined {
  if (!startsLikeLogfmt(text)) return undefined;
  const pairs = scanLogfmt(text);
  if (pairs === undefined) return undefined;
  const { keys, values } = pairs;
  const pairCount = keys.length - pairs.bareKeys;
  if (pairCount < 2 || pairs.bareKeys * 4 > pairCount) return undefined;

  const winners = new RoleWinners();
  const winnerAt: Partial<Record<FieldRole, number>> = {};
  for (let i = 0; i < keys.length; i++) {
    const node = ROLE_TREE.get(keys[i] as string);
    if (node?.role !== undefined && values[i] !== true && winners.offer(node, values[i])) {
      winnerAt[node.role] = i;
    }
  }
  const found = winners.values;
  const hasMessage = found.message !== undefined;
  if (!hasMessage && (winners.level === undefined || found.timestamp === undefined))
    return undefined;

  const consumed = Object.values(winnerAt);
  const attributes: Record<string, unknown> = {};
  const rest: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (consumed.includes(i)) continue;
    const key = keys[i] as string;
    const value = values[i] as string | true;
    setAttribute(attributes, key, value);
    if (!hasMessage) rest.push(value === true ? key : `${key}=${formatValue(value)}`);
  }

  const line: ParsedLine = {
    message: found.message ?? (rest.length > 0 ? rest.join(" ") : text),
    attributes,
  };
  if (found.timestamp !== undefined) line.timestamp = found.timestamp;
  const level = winners.level;
  if (level !== undefined) line.level = level;
  if (found.service !== undefined) line.service = found.service;
  if (found.id !== undefined) line.id = found.id;
  return line;
}

const NEEDS_QUOTES = /[\s="\\]/;

function formatValue(value: string): string {
  return value.length === 0 || NEEDS_QUOTES.test(value) ? JSON.stringify(value) : value;
}
