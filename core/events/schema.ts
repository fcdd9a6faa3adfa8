import * as z from "zod";
import {
  type AttributeBounds,
  attributeBoundsProblem,
  MAX_ATTRIBUTE_DEPTH,
} from "./attributeBounds.js";
import {
  type Anomaly,
  type Classification,
  type ClassifiedEvent,
  LABELS,
  LEVELS,
  type LogEvent,
  PROVIDERS,
} from "./types.js";

/**
 * Runtime validation of the shared contracts in `types.ts` (the values of the `raw-logs`,
 * `classified-logs` and `anomalies` topics). Each schema is checked against its type at compile
 * time (`satisfies`), so the two cannot drift apart. Objects drop fields outside the contract;
 * `source` keeps its provider fields.
 *
 * @example
 * const result = logEventSchema.safeParse(JSON.parse(line));
 * if (result.success) handle(result.data);
 */

/** An ISO-8601 date and time with a `Z` or an offset. */
const isoTimestamp = z.iso.datetime({
  offset: true,
  error: "expected an ISO-8601 timestamp",
});

/**
 * Nesting no deeper than the normalizer keeps (MAX_ATTRIBUTE_DEPTH), so no consumer can be made
 * to overflow its stack encoding an event again; how wide is left to where events enter.
 */
const DEPTH_ONLY: Readonly<AttributeBounds> = {
  maxDepth: MAX_ATTRIBUTE_DEPTH,
  maxKeys: Number.POSITIVE_INFINITY,
  maxItems: Number.POSITIVE_INFINITY,
  maxNodes: Number.POSITIVE_INFINITY,
};

/** `schema`, refusing a value past `bounds` with the path attributeBoundsProblem gives. */
export function withinBounds<T extends z.ZodType<Record<string, unknown>>>(
  schema: T,
  bounds: Readonly<AttributeBounds>,
): T {
  return schema.superRefine((value, ctx) => {
    const problem = attributeBoundsProblem(value, bounds);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  }) as unknown as T;
}

const eventSourceSchema = withinBounds(z.looseObject({ provider: z.enum(PROVIDERS) }), DEPTH_ONLY);

export const logEventSchema = z.object({
  id: z.string().min(1).max(512),
  timestamp: isoTimestamp,
  ingestedAt: isoTimestamp,
  source: eventSourceSchema,
  service: z.string().min(1).max(512),
  level: z.enum(LEVELS).optional(),
  message: z.string(),
  truncated: z.boolean().optional(),
  originalBytes: z.number().int().nonnegative().optional(),
  attributes: withinBounds(z.record(z.string(), z.unknown()), DEPTH_ONLY),
}) satisfies z.ZodType<LogEvent>;

const unitInterval = z.number().min(0).max(1);

const classificationSchema = z.object({
  label: z.enum(LABELS),
  confidence: unitInterval,
  templateId: z.string(),
  template: z.string(),
  model: z.string().min(1),
  cached: z.boolean(),
  suggestion: z.string().optional(),
  classifiedAt: isoTimestamp,
}) satisfies z.ZodType<Classification>;

export const classifiedEventSchema = logEventSchema.extend({
  classification: classificationSchema,
}) satisfies z.ZodType<ClassifiedEvent>;

export const anomalySchema = z.object({
  id: z.string().min(1),
  detectedAt: isoTimestamp,
  service: z.string().min(1),
  kind: z.string().min(1),
  score: unitInterval,
  window: z.object({ start: isoTimestamp, end: isoTimestamp }),
  observed: z.number(),
  expected: z.number(),
  explanation: z.string(),
  sampleEventIds: z.array(z.string()),
}) satisfies z.ZodType<Anomaly>;
