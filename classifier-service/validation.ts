import * as z from "zod";
import { ATTRIBUTE_BOUNDS } from "../core/events/attributeBounds.js";
import { contentId } from "../core/events/ids.js";
import { logEventSchema, withinBounds } from "../core/events/schema.js";
import { cutToBytes } from "../core/events/truncate.js";
import type { LogEvent } from "../core/events/types.js";
import { HttpError } from "./errors.js";

/**
 * Runtime validation of `POST /v1/classify` bodies: `{"events": LogEvent[]}`, each event checked
 * against the shared schema (core/events/schema.ts). Producers may leave out `id`, `ingestedAt`
 * and `attributes`; they are filled in (the id from a content hash, so a retried request gets the
 * same ids). Messages longer than SENTINEL_MAX_MESSAGE_BYTES are cut and marked, as everywhere else
 * events enter the system.
 */

/**
 * How wide `attributes` and `source` may be (ATTRIBUTE_BOUNDS, core/events/attributeBounds.ts);
 * the shared schema has refused nesting deeper than MAX_ATTRIBUTE_DEPTH already. Without the
 * depth bound, 30 KB of `attributes` nested 5,000 deep made answering the request overflow the
 * stack.
 */
const WIDTH = { ...ATTRIBUTE_BOUNDS, maxDepth: Number.POSITIVE_INFINITY };

/**
 * A log event as a producer may send it: the shared schema, less what the service fills in, with
 * `attributes` and `source` bounded in depth and width.
 */
const incomingEventSchema = logEventSchema
  .extend({
    source: withinBounds(logEventSchema.shape.source, WIDTH),
    attributes: withinBounds(logEventSchema.shape.attributes, WIDTH),
  })
  .partial({ id: true, ingestedAt: true, attributes: true });

const classifyRequestSchema = z.object({ events: z.array(incomingEventSchema) });

type IncomingEvent = z.output<typeof incomingEventSchema>;

export interface ClassifyRequestLimits {
  maxBatchSize: number;
  maxMessageBytes: number;
  /** How many schema problems a 400 lists; the rest are counted. */
  maxProblems?: number;
  now?: () => Date;
}

/**
 * The events of a classify request body, complete and bounded, in the order they came.
 * Throws an HttpError: 413 for a batch over `maxBatchSize`, 400 listing the first problems with
 * their paths (`events[3].message: expected string, got number`) for anything else.
 *
 * @example
 * const events = parseClassifyRequest(JSON.parse(body), { maxBatchSize: 256, maxMessageBytes: 16384 });
 */
export function parseClassifyRequest(body: unknown, limits: ClassifyRequestLimits): LogEvent[] {
  const count = batchLength(body);
  if (count !== undefined && count > limits.maxBatchSize) {
    throw new HttpError(
      413,
      "batch_too_large",
      `the batch has ${count} events; at most ${limits.maxBatchSize} are accepted per request (CLASSIFIER_MAX_BATCH_SIZE)`,
    );
  }

  const result = classifyRequestSchema.safeParse(body, { reportInput: true });
  if (!result.success) {
    const maxProblems = limits.maxProblems ?? 5;
    const problems = result.error.issues.map(describeIssue);
    const listed = problems.slice(0, maxProblems);
    if (problems.length > maxProblems) listed.push(`… and ${problems.length - maxProblems} more`);
    throw new HttpError(400, "invalid_events", `the request body is not {"events": LogEvent[]}`, {
      problems: listed,
    });
  }

  const ingestedAt = (limits.now?.() ?? new Date()).toISOString();
  return result.data.events.map((event) =>
    completeEvent(event, ingestedAt, limits.maxMessageBytes),
  );
}

function batchLength(body: unknown): number | undefined {
  if (typeof body !== "object" || body === null || !("events" in body)) return undefined;
  return Array.isArray(body.events) ? body.events.length : undefined;
}

function completeEvent(incoming: IncomingEvent, ingestedAt: string, maxMessageBytes: number) {
  const { source, service, timestamp, level, message } = incoming;
  const bounded = cutToBytes(message, maxMessageBytes);
  const event: LogEvent = {
    id:
      incoming.id ??
      contentId("http", stableJson(source), service, timestamp, level ?? "", message),
    timestamp,
    ingestedAt: incoming.ingestedAt ?? ingestedAt,
    source,
    service,
    message: bounded.text,
    attributes: incoming.attributes ?? {},
  };
  if (level !== undefined) event.level = level;
  if (bounded.cut) {
    event.truncated = true;
    event.originalBytes = Math.max(bounded.originalBytes, incoming.originalBytes ?? 0);
  } else if (incoming.truncated) {
    event.truncated = true;
    if (incoming.originalBytes !== undefined) event.originalBytes = incoming.originalBytes;
  }
  return event;
}

/** JSON with the top-level keys sorted, so key order does not change a content hash. */
function stableJson(value: Record<string, unknown>): string {
  return JSON.stringify(
    Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))),
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return `${formatPath(issue.path)}: ${issueText(issue)}`;
}

function issueText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? `missing (expected ${issue.expected})`
        : `expected ${issue.expected}, got ${typeOf(issue.input)}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
    case "too_small":
      return issue.origin === "string" && issue.minimum === 1
        ? "expected a non-empty string"
        : issue.message;
    default:
      return issue.message;
  }
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** `["events", 3, "message"]` → `events[3].message`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "body";
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part))
      text += text === "" ? part : `.${part}`;
    else text += `[${JSON.stringify(String(part))}]`;
  }
  return text;
}
