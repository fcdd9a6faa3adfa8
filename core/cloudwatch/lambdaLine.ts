import type { Level } from "../events/types.js";
import { jsonObjectOf } from "../normalize/jsonLine.js";
import { levelFromName } from "../normalize/level.js";

/**
 * The lines Lambda itself writes into a function's log group, in both of its log formats:
 *
 * - platform lines: `START`, `END`, `REPORT` (duration, billed duration, memory, init duration,
 *   status), `INIT_START`, `INIT_REPORT`, `RESTORE_*`, `EXTENSION`, `TELEMETRY`, "Task timed out";
 *   with the JSON log format the same events as `{"time", "type": "platform.report", "record"}`.
 *   Both formats give the same message text and attributes, so a function's templates and alert
 *   keys do not change when its log format does.
 * - runtime prefixes: Node's `<time>\t<requestId>\t<LEVEL>\t<text>` and Python's
 *   `[LEVEL]\t<time>\t<requestId>\t<text>`, which wrap what the function printed.
 *
 * Pure functions; anything else is left to the ordinary line parser.
 */

/** A line Lambda wrote about an invocation or the execution environment. */
export interface PlatformLine {
  kind: "platform";
  message: string;
  level: Level;
  /** `platform` (start, end, report, initStart, ...), requestId, durationMs, billedDurationMs, ... */
  attributes: Record<string, unknown>;
  /** The event time the JSON format carries. */
  timestamp?: string;
}

/** A line the function printed, with the runtime's prefix taken apart. */
export interface RuntimeLine {
  kind: "runtime";
  /** What the function printed: parse it like any other log line. */
  body: string;
  level?: Level;
  requestId?: string;
  timestamp?: string;
}

export type LambdaLine = PlatformLine | RuntimeLine;

/** Above this share of the function's memory a REPORT is a warning: the next spike may not fit. */
const MEMORY_WARNING_RATIO = 0.9;

const REQUEST_ID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const ISO_TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z";
const NODE_PREFIX = new RegExp(
  `^(${ISO_TIME})\\t(${REQUEST_ID}|undefined)\\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\\t`,
);
const PYTHON_PREFIX = new RegExp(
  `^\\[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\\]\\t(${ISO_TIME})\\t(${REQUEST_ID}|None)?\\t`,
);
const TIMED_OUT = new RegExp(
  `^(${ISO_TIME}) (${REQUEST_ID}) Task timed out after ([\\d.]+) seconds`,
);
const PLATFORM_WORD =
  /^(START|END|REPORT|INIT_START|INIT_REPORT|RESTORE_START|RESTORE_REPORT|EXTENSION|TELEMETRY)[ \t]/;

/** Text-format names → the JSON format's `platform.<name>`, the names used in attributes. */
const PLATFORM_NAMES: Record<string, string> = {
  START: "start",
  END: "end",
  REPORT: "report",
  INIT_START: "initStart",
  INIT_REPORT: "initReport",
  RESTORE_START: "restoreStart",
  RESTORE_REPORT: "restoreReport",
  EXTENSION: "extension",
  TELEMETRY: "telemetrySubscription",
};
const TEXT_NAMES = Object.fromEntries(Object.entries(PLATFORM_NAMES).map(([k, v]) => [v, k]));

/** Metric fields of REPORT lines: text label → attribute name (the JSON format's metric names). */
const METRICS: [label: string, attribute: string][] = [
  ["Duration", "durationMs"],
  ["Billed Duration", "billedDurationMs"],
  ["Memory Size", "memorySizeMB"],
  ["Max Memory Used", "maxMemoryUsedMB"],
  ["Init Duration", "initDurationMs"],
  ["Restore Duration", "restoreDurationMs"],
  ["Billed Restore Duration", "billedRestoreDurationMs"],
];
const METRIC_BY_LABEL = new Map(METRICS);
const METRIC_UNIT: Record<string, string> = { memorySizeMB: "MB", maxMemoryUsedMB: "MB" };

/**
 * Recognises a Lambda platform line or runtime prefix; undefined for anything else.
 *
 * @example
 * parseLambdaLine("REPORT RequestId: 6e5a…\tDuration: 153.42 ms\tBilled Duration: 154 ms\t…");
 * // { kind: "platform", level: "info", message: "REPORT RequestId: 6e5a…",
 * //   attributes: { platform: "report", requestId: "6e5a…", durationMs: 153.42, billedDurationMs: 154, … } }
 */
export function parseLambdaLine(text: string): LambdaLine | undefined {
  const first = text.charCodeAt(0);
  if (first === 123) return platformJson(text); // {
  const word = PLATFORM_WORD.exec(text);
  if (word) return platformText(word[1] as string, text.trimEnd());
  return runtimeLine(text);
}

function runtimeLine(text: string): LambdaLine | undefined {
  const node = NODE_PREFIX.exec(text);
  if (node) {
    return runtime(text.slice(node[0].length), node[1], node[2], node[3]);
  }
  const python = PYTHON_PREFIX.exec(text);
  if (python) {
    return runtime(text.slice(python[0].length), python[2], python[3], python[1]);
  }
  const timedOut = TIMED_OUT.exec(text);
  if (timedOut) {
    return {
      kind: "platform",
      message: text.trimEnd(),
      level: "error",
      timestamp: normaliseTime(timedOut[1] as string),
      attributes: {
        platform: "timeout",
        requestId: timedOut[2],
        timeoutSeconds: Number(timedOut[3]),
      },
    };
  }
  return undefined;
}

function runtime(
  body: string,
  timestamp: string | undefined,
  requestId: string | undefined,
  level: string | undefined,
): RuntimeLine {
  const line: RuntimeLine = { kind: "runtime", body };
  if (timestamp) line.timestamp = normaliseTime(timestamp);
  if (requestId && requestId !== "undefined" && requestId !== "None") line.requestId = requestId;
  const parsedLevel = level ? levelFromName(level) : undefined;
  if (parsedLevel) line.level = parsedLevel;
  return line;
}

function platformText(word: string, text: string): PlatformLine {
  const platform = PLATFORM_NAMES[word] as string;
  const attributes: Record<string, unknown> = { platform };
  const requestId = /RequestId: (\S+)/.exec(text)?.[1];
  if (requestId) attributes.requestId = requestId;
  for (const field of text.slice(word.length).split("\t")) {
    const colon = field.indexOf(": ");
    if (colon === -1) continue;
    const label = field.slice(0, colon).trim();
    const value = field.slice(colon + 2).trim();
    const metric = METRIC_BY_LABEL.get(label);
    if (metric) {
      const number = Number.parseFloat(value);
      if (Number.isFinite(number)) attributes[metric] = number;
    } else if (label === "Version" || label.endsWith(" Version")) {
      attributes[label === "Version" ? "version" : "runtimeVersion"] = value;
    } else if (label === "Runtime Version ARN") attributes.runtimeVersionArn = value;
    else if (label === "Status") attributes.status = value;
    else if (label === "Error Type") attributes.errorType = value;
    else if (label === "Phase") attributes.phase = value;
    else if (label === "Name") attributes.name = value;
    else if (label === "State") attributes.state = value;
  }
  // START puts its version on the same field as the request id: "RequestId: x Version: $LATEST".
  const version = /RequestId: \S+ Version: (\S+)/.exec(text)?.[1];
  if (version) attributes.version = version;
  const trace = /XRAY TraceId: (\S+)/.exec(text)?.[1];
  if (trace) attributes.xrayTraceId = trace;
  return { kind: "platform", message: text, level: platformLevel(attributes), attributes };
}

function platformJson(text: string): PlatformLine | undefined {
  const record = jsonObjectOf(text);
  const type = record?.type;
  if (typeof type !== "string" || !type.startsWith("platform.")) return undefined;
  const platform = type.slice("platform.".length);
  const body = isObject(record?.record) ? record.record : {};
  const attributes: Record<string, unknown> = { platform };
  for (const key of ["requestId", "version", "status", "errorType", "phase", "name", "state"]) {
    if (typeof body[key] === "string") attributes[key] = body[key];
  }
  // The text format writes no status for a successful invocation.
  if (platform === "report" && attributes.status === "success") delete attributes.status;
  if (typeof body.runtimeVersion === "string") attributes.runtimeVersion = body.runtimeVersion;
  if (typeof body.runtimeVersionArn === "string")
    attributes.runtimeVersionArn = body.runtimeVersionArn;
  const metrics = isObject(body.metrics) ? body.metrics : {};
  for (const [, name] of METRICS) {
    if (typeof metrics[name] === "number") attributes[name] = metrics[name];
  }
  if (platform === "initReport" && typeof metrics.durationMs === "number") {
    // INIT_REPORT's only figure is the init duration, which the text format names so.
    attributes.initDurationMs = metrics.durationMs;
    delete attributes.durationMs;
  }
  const tracing = isObject(body.tracing) ? body.tracing : undefined;
  if (typeof tracing?.value === "string") attributes.xrayTraceId = tracing.value;
  const line: PlatformLine = {
    kind: "platform",
    message: textFormOf(platform, attributes, body),
    level: platformLevel(attributes),
    attributes,
  };
  if (typeof record?.time === "string") line.timestamp = normaliseTime(record.time);
  return line;
}

/** The line the text log format would have written for this platform event. */
function textFormOf(
  platform: string,
  attributes: Record<string, unknown>,
  body: Record<string, unknown>,
): string {
  const word = TEXT_NAMES[platform];
  if (word === undefined) return `platform.${platform} ${JSON.stringify(body)}`;
  const fields: string[] = [];
  if (attributes.requestId !== undefined) {
    fields.push(
      `RequestId: ${attributes.requestId}${platform === "start" && attributes.version ? ` Version: ${attributes.version}` : ""}`,
    );
  }
  if (attributes.runtimeVersion !== undefined)
    fields.push(`Runtime Version: ${attributes.runtimeVersion}`);
  if (attributes.runtimeVersionArn !== undefined)
    fields.push(`Runtime Version ARN: ${attributes.runtimeVersionArn}`);
  for (const [label, name] of METRICS) {
    if (attributes[name] !== undefined)
      fields.push(`${label}: ${attributes[name]} ${METRIC_UNIT[name] ?? "ms"}`);
  }
  if (attributes.phase !== undefined) fields.push(`Phase: ${attributes.phase}`);
  if (attributes.status !== undefined) fields.push(`Status: ${attributes.status}`);
  if (attributes.errorType !== undefined) fields.push(`Error Type: ${attributes.errorType}`);
  return `${word} ${fields.join("\t")}`.trimEnd();
}

/**
 * START, END and the init lines are routine (debug); a REPORT is info, a warning near the memory
 * limit, and an error when the invocation or init failed (Status: timeout, error, failure).
 */
function platformLevel(attributes: Record<string, unknown>): Level {
  const status = attributes.status;
  if (typeof status === "string" && status !== "success") return "error";
  if (attributes.platform === "report") {
    const used = attributes.maxMemoryUsedMB;
    const size = attributes.memorySizeMB;
    if (typeof used === "number" && typeof size === "number" && used >= size * MEMORY_WARNING_RATIO)
      return "warn";
    return "info";
  }
  if (attributes.platform === "initReport" || attributes.platform === "restoreReport")
    return "info";
  return "debug";
}

function normaliseTime(text: string): string | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
