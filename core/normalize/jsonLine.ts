import type { Level } from "../events/types.js";
import { DEPTH_LIMIT_MARKER, limitDepth, MAX_ATTRIBUTE_DEPTH, setAttribute } from "./attributes.js";
import { type FieldRole, ROLE_TREE, type RoleNode, RoleWinners } from "./fieldRoles.js";
import type { ParsedLine, ParseResult } from "./types.js";

/**
 * JSON log lines: pino, bunyan, winston, logstash, ECS, Serilog CLEF, Docker json-file, journald
 * export, klog JSON, OpenTelemetry, and anything else that is one JSON object per line.
 */

const MAX_REASON_LENGTH = 200;

/** The line as a plain JSON object, or undefined when it is not one. */
export function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  const parsed = parseBoundedJson(text);
  return parsed.ok && isPlainObject(parsed.value) ? parsed.value : undefined;
}

/** A line that must be a JSON object; anything else is rejected with the reason. */
export function parseJsonLine(text: string): ParseResult {
  const parsed = parseBoundedJson(text);
  if (!parsed.ok) {
    return { ok: false, reason: `invalid JSON: ${parsed.error}`.slice(0, MAX_REASON_LENGTH) };
  }
  if (!isPlainObject(parsed.value)) {
    return { ok: false, reason: `JSON value is ${describe(parsed.value)}, expected an object` };
  }
  return { ok: true, line: lineFromJsonObject(parsed.value) };
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parseBoundedJson(text: string): Parsed {
  let source = text;
  if (text.length > DEPTH_SCAN_LENGTH) {
    const elided = elideDeepContainers(text);
    if (typeof elided !== "string") return elided;
    // A long array is rejected anyway; building it first can take V8 tens of ms.
    if (text.charCodeAt(0) === 91) return { ok: true, value: LONG_ARRAY };
    source = elided;
  }
  try {
    return { ok: true, value: JSON.parse(source) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Lines longer than this are scanned for deep nesting before JSON.parse: V8 parses a megabyte of
 * `[[[[...` or `{"a":{"a":...` without blowing the stack, but slowly (tens to hundreds of ms).
 * Shorter lines cannot nest deep enough to matter.
 */
const DEPTH_SCAN_LENGTH = 4096;
/** JSON depth of a container at attribute level MAX_ATTRIBUTE_DEPTH + 1 (the record is depth 1). */
const ELIDED_DEPTH = MAX_ATTRIBUTE_DEPTH + 2;
const ELIDED_VALUE = JSON.stringify(DEPTH_LIMIT_MARKER);
/** Stands in for a long array that was scanned but not built. */
const LONG_ARRAY: readonly unknown[] = [];

/**
 * The JSON text with every container that `limitDepth` would replace already replaced by the
 * marker, so JSON.parse never sees the deep part; `text` itself when nothing is that deep. One
 * pass that checks strings end and brackets match; the elided part is not otherwise validated.
 */
export function elideDeepContainers(text: string): string | { ok: false; error: string } {
  // Open brackets, as a byte stack: JS arrays grow slowly at a million entries.
  const open = new Uint8Array(text.length);
  let depth = 0;
  const pieces: string[] = [];
  let copiedTo = 0;
  let elidedFrom = -1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // skip a string, honouring backslash escapes
      i++;
      while (i < n) {
        const s = text.charCodeAt(i);
        if (s === 34) break;
        i += s === 92 ? 2 : 1;
      }
      if (i >= n) return { ok: false, error: "Unterminated string in JSON" };
    } else if (c === 123 || c === 91) {
      open[depth++] = c;
      if (depth === ELIDED_DEPTH) elidedFrom = i;
    } else if (c === 125 || c === 93) {
      if (depth === 0 || open[--depth] !== c - 2) {
        return { ok: false, error: `Unexpected token '${text[i]}' at position ${i}` };
      }
      if (depth === ELIDED_DEPTH - 1 && elidedFrom >= 0) {
        pieces.push(text.slice(copiedTo, elidedFrom), ELIDED_VALUE);
        copiedTo = i + 1;
        elidedFrom = -1;
      }
    }
  }
  if (depth > 0) return { ok: false, error: "Unexpected end of JSON input" };
  if (pieces.length === 0) return text;
  pieces.push(text.slice(copiedTo));
  return pieces.join("");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * The parsed line for a JSON object (which this function takes over and may change). Fields that
 * give the message, time, level, service and id are taken out; the rest become attributes, with
 * nesting past `MAX_ATTRIBUTE_DEPTH` cut. With no message field, the message is the compact JSON
 * of the attributes (or of the whole object when nothing else is left).
 */
export function lineFromJsonObject(record: Record<string, unknown>): ParsedLine {
  const winners = new RoleWinners();
  let keyCount = 0;
  for (const key in record) {
    keyCount++;
    const node = ROLE_TREE.get(key);
    if (node !== undefined) offerField(winners, node, record[key], 1);
  }

  const consumed = consumedPaths(winners);
  const attributes =
    keyCount > COPY_MAX_KEYS ? removeConsumed(record, consumed) : copyUnconsumed(record, consumed);
  limitDepth(attributes);

  const { values } = winners;
  const message =
    values.message ?? JSON.stringify(isEmpty(attributes) ? withoutDeepValues(record) : attributes);
  const line: ParsedLine = { message, attributes };
  if (values.timestamp !== undefined) line.timestamp = values.timestamp;
  const level: Level | undefined = winners.level;
  if (level !== undefined) line.level = level;
  if (values.service !== undefined) line.service = values.service;
  if (values.id !== undefined) line.id = values.id;
  return line;
}

/**
 * Records up to this many keys are copied into a fresh attributes object (fast for the usual
 * dozen keys); bigger ones lose their consumed keys in place, since copying tens of thousands of
 * keys costs more than the parse.
 */
const COPY_MAX_KEYS = 64;

function copyUnconsumed(
  record: Record<string, unknown>,
  consumed: readonly (readonly string[])[] | undefined,
): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const key in record) {
    const value = record[key];
    const kept = consumed === undefined ? value : withoutPaths(key, value, consumed, 0);
    if (kept !== REMOVED) setAttribute(attributes, key, kept);
  }
  return attributes;
}

function removeConsumed(
  record: Record<string, unknown>,
  consumed: readonly (readonly string[])[] | undefined,
): Record<string, unknown> {
  for (const path of consumed ?? []) {
    const key = path[0] as string;
    if (!Object.hasOwn(record, key)) continue; // already handled with a sibling path
    const kept = withoutPaths(key, record[key], consumed ?? [], 0);
    if (kept === REMOVED) delete record[key];
    else setAttribute(record, key, kept);
  }
  return record;
}

function isEmpty(record: Record<string, unknown>): boolean {
  for (const _ in record) return false;
  return true;
}

// Role paths are at most three keys long (`kubernetes.labels.app`), so this recursion is bounded.
function offerField(winners: RoleWinners, node: RoleNode, value: unknown, depth: number): void {
  if (node.role !== undefined) winners.offer(node, value);
  if (node.children === undefined || !isPlainObject(value) || depth > 3) return;
  for (const [key, child] of node.children) {
    if (Object.hasOwn(value, key)) offerField(winners, child, value[key], depth + 1);
  }
}

const ROLES: readonly FieldRole[] = [
  "message",
  "timestamp",
  "level",
  "otelSeverity",
  "service",
  "id",
];

function consumedPaths(winners: RoleWinners): (readonly string[])[] | undefined {
  let paths: (readonly string[])[] | undefined;
  for (const role of ROLES) {
    const path = winners.paths[role];
    if (path === undefined) continue;
    paths ??= [];
    paths.push(path);
  }
  return paths;
}

const REMOVED = Symbol("removed");

/**
 * `value` (found under `key` at `depth` of the consumed paths) without the consumed fields:
 * REMOVED when `key` itself was consumed or nothing is left of it, else a shallow copy along the
 * consumed path (or `value` itself when no consumed path runs through `key`).
 */
function withoutPaths(
  key: string,
  value: unknown,
  paths: readonly (readonly string[])[],
  depth: number,
): unknown {
  let inner: (readonly string[])[] | undefined;
  for (const path of paths) {
    if (path[depth] !== key) continue;
    if (path.length === depth + 1) return REMOVED;
    inner ??= [];
    inner.push(path);
  }
  if (inner === undefined || !isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  let kept = 0;
  for (const childKey in value) {
    const child = withoutPaths(childKey, value[childKey], inner, depth + 1);
    if (child === REMOVED) continue;
    setAttribute(copy, childKey, child);
    kept++;
  }
  return kept > 0 ? copy : REMOVED;
}

/**
 * The object for the fallback message when every field was consumed (only in copy mode, so the
 * record is as it came), through a depth-limited copy.
 */
function withoutDeepValues(record: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key in record) setAttribute(copy, key, record[key]);
  limitDepth(copy);
  return copy;
}
