import { gunzipSync, gzipSync } from "node:zlib";
import * as z from "zod";
import { SubscriptionPayloadError } from "./errors.js";
import {
  type CloudWatchEvent,
  type CloudWatchLogsEvent,
  MESSAGE_TYPES,
  type SubscriptionPayload,
} from "./types.js";

/**
 * Decoding of what a CloudWatch Logs subscription filter sends a Lambda function: `awslogs.data`
 * is base64 of gzip of a JSON payload. Pure functions; the forwarder decodes with them, tests and
 * the benchmark encode with them.
 */

/** Far above any payload Lambda accepts (6 MB request), so only a gzip bomb meets it. */
const MAX_DECOMPRESSED_BYTES = 64 * 1_048_576;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const payloadSchema = z.object({
  messageType: z.enum(MESSAGE_TYPES),
  owner: z.string(),
  logGroup: z.string(),
  logStream: z.string(),
  subscriptionFilters: z.array(z.string()),
  logEvents: z.array(
    z.object({
      id: z.string(),
      timestamp: z.number().int(),
      message: z.string(),
      extractedFields: z.record(z.string(), z.string()).optional(),
    }),
  ),
  policyLevel: z.string().optional(),
});

/**
 * Decodes the `awslogs.data` string of a subscription invocation.
 *
 * @example
 * const payload = decodeSubscriptionPayload(event.awslogs.data);
 * if (payload.messageType === "CONTROL_MESSAGE") return;
 */
export function decodeSubscriptionPayload(data: unknown): SubscriptionPayload {
  if (typeof data !== "string" || data.length === 0)
    throw new SubscriptionPayloadError("awslogs.data: expected a non-empty base64 string");
  if (!BASE64.test(data) || data.length % 4 !== 0)
    throw new SubscriptionPayloadError("awslogs.data: not base64");
  let json: string;
  try {
    json = gunzipSync(Buffer.from(data, "base64"), {
      maxOutputLength: MAX_DECOMPRESSED_BYTES,
    }).toString("utf8");
  } catch (error) {
    throw new SubscriptionPayloadError(
      `awslogs.data: not gzip, or larger than ${MAX_DECOMPRESSED_BYTES} bytes unzipped (${(error as Error).message})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new SubscriptionPayloadError(`awslogs.data: not JSON (${(error as Error).message})`);
  }
  const result = payloadSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SubscriptionPayloadError(
      `awslogs.data: not a subscription payload: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const payload = result.data as SubscriptionPayload;
  if (payload.messageType === "DATA_MESSAGE") {
    const index = payload.logEvents.findIndex((event) => event.id.length === 0);
    if (index !== -1)
      throw new SubscriptionPayloadError(`awslogs.data: logEvents.${index}.id: empty event id`);
  }
  return payload;
}

/** Reads the payload of a subscription invocation event, checking the event's own shape first. */
export function decodeCloudWatchLogsEvent(event: unknown): SubscriptionPayload {
  const data = (event as Partial<CloudWatchLogsEvent> | null)?.awslogs?.data;
  if (data === undefined)
    throw new SubscriptionPayloadError(
      "not a CloudWatch Logs subscription event: awslogs.data is missing",
    );
  return decodeSubscriptionPayload(data);
}

/** The payload's log events with their log group and stream, the shape the mapping takes. */
export function subscriptionEvents(payload: SubscriptionPayload): CloudWatchEvent[] {
  return payload.logEvents.map((event) => ({
    id: event.id,
    timestamp: event.timestamp,
    message: event.message,
    logGroup: payload.logGroup,
    logStream: payload.logStream,
  }));
}

/** What CloudWatch would send: base64 of gzip of the payload's JSON (tests, benchmark). */
export function encodeSubscriptionPayload(payload: SubscriptionPayload): CloudWatchLogsEvent {
  return {
    awslogs: { data: gzipSync(Buffer.from(JSON.stringify(payload))).toString("base64") },
  };
}
