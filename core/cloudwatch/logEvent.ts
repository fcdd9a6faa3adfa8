import { cutToBytes, markCut } from "../events/truncate.js";
import type { EventSource, Level, LogEvent } from "../events/types.js";
import { parseLine } from "../normalize/index.js";
import { jsonObjectOf } from "../normalize/jsonLine.js";
import { parseLambdaLine } from "./lambdaLine.js";
import { serviceFromLogGroup } from "./serviceName.js";
import type { CloudWatchEvent } from "./types.js";

export interface CloudWatchMapping {
  /** From configuration (AWS_REGION) or the client that read the events. */
  region?: string;
  /** The log group's account: a subscription payload's `owner`. */
  account?: string;
  maxMessageBytes: number;
}

const LAMBDA_LOG_GROUP = "/aws/lambda/";
// Terminal colour sequences and C0 controls other than tab and line breaks: a CloudWatch event may
// hold a whole multi-line stack trace, so its newlines stay.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROLS = /\u001b\[[0-9;?]*[A-Za-z]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const HAS_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// Years 1970 to 9999: what an ISO-8601 timestamp can say.
const MAX_EPOCH_MS = 253_402_300_799_999;

/**
 * Turns one CloudWatch event into the shared log event. The id is CloudWatch's own event id, so a
 * re-delivered event (subscription retry, poller restart) keeps its id and is absorbed downstream.
 * The message goes through the same line parser as every other source (JSON, logfmt, syslog,
 * text) for level, service and attributes; Lambda's platform lines and runtime prefixes are read
 * first in Lambda log groups. The service comes from a JSON line's own field, else from the log
 * group's name. Every event maps: a message that parses as nothing is kept as it is, with the
 * reason in `sentinel.unparsed`.
 */
export function cloudWatchLogEvent(
  event: CloudWatchEvent,
  mapping: CloudWatchMapping,
  ingestedAt: string,
): LogEvent {
  const raw = event.message.replace(/[\r\n]+$/, "");
  const text = HAS_CONTROL.test(raw) || raw.includes("\u001b[") ? raw.replace(CONTROLS, "") : raw;
  const read = readMessage(text, event.logGroup.startsWith(LAMBDA_LOG_GROUP));
  const bounded = cutToBytes(read.message, mapping.maxMessageBytes);
  const source: EventSource = { provider: "aws" };
  if (mapping.account) source.account = mapping.account;
  if (mapping.region) source.region = mapping.region;
  source.logGroup = event.logGroup;
  source.logStream = event.logStream;
  const logEvent: LogEvent = {
    id: event.id,
    timestamp: isoTime(event.timestamp) ?? read.timestamp ?? ingestedAt,
    ingestedAt,
    source,
    service: read.service ?? serviceFromLogGroup(event.logGroup),
    message: bounded.text,
    attributes:
      text === raw
        ? read.attributes
        : { ...read.attributes, "sentinel.repaired": "control-characters" },
  };
  if (read.level !== undefined) logEvent.level = read.level;
  markCut(logEvent, bounded);
  return logEvent;
}

interface ReadMessage {
  message: string;
  level?: Level;
  service?: string;
  timestamp?: string;
  attributes: Record<string, unknown>;
}

function readMessage(text: string, inLambdaGroup: boolean): ReadMessage {
  const lambda = inLambdaGroup ? parseLambdaLine(text) : undefined;
  if (lambda?.kind === "platform") {
    const read: ReadMessage = {
      message: lambda.message,
      level: lambda.level,
      attributes: lambda.attributes,
    };
    if (lambda.timestamp) read.timestamp = lambda.timestamp;
    return read;
  }
  if (lambda?.kind === "runtime") {
    const read = parseMessage(lambda.body);
    read.level ??= lambda.level;
    read.timestamp ??= lambda.timestamp;
    if (lambda.requestId) read.attributes = { ...read.attributes, requestId: lambda.requestId };
    return read;
  }
  return parseMessage(text);
}

function parseMessage(text: string): ReadMessage {
  const parsed = parseLine(text, "auto");
  if (!parsed.ok) return { message: text, attributes: { "sentinel.unparsed": parsed.reason } };
  const { message, level, service, timestamp, attributes } = parsed.line;
  const read: ReadMessage = { message, attributes };
  if (level !== undefined) read.level = level;
  if (timestamp !== undefined) read.timestamp = timestamp;
  if (service !== undefined) {
    // A JSON line's service field names the service; a text line's (a logger or program name,
    // `o.h.engine.jdbc.spi.SqlExceptionHelper`) does not, so the log group does and it is kept.
    // A logger name in JSON (Python's `"logger": "root"`) is no service name either.
    if (text.trimStart().startsWith("{") && !isJsonLoggerName(text, service))
      read.service = service;
    else if (attributes.component === undefined)
      read.attributes = { ...attributes, component: service };
  }
  return read;
}

const LOGGER_KEYS = ["logger", "logger_name", "log.logger"];

function isJsonLoggerName(text: string, service: string): boolean {
  if (!text.includes('"log')) return false;
  const record = jsonObjectOf(text);
  return LOGGER_KEYS.some((key) => record?.[key] === service);
}

function isoTime(ms: number): string | undefined {
  return Number.isInteger(ms) && ms >= 0 && ms <= MAX_EPOCH_MS
    ? new Date(ms).toISOString()
    : undefined;
}
