import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the CloudWatch Logs API on loopback, for tests: it speaks the service's wire
 * protocol (awsJson1_1: `POST /`, `X-Amz-Target: Logs_20140328.<Operation>`, JSON bodies, errors
 * as HTTP 4xx/5xx with `{"__type", "message"}`), so the real `@aws-sdk/client-cloudwatch-logs`
 * client talks to it with only `endpoint` changed. Request signatures are not checked.
 *
 * FilterLogEvents is served from events the test adds: interleaved across streams in timestamp
 * order, `startTime`/`endTime` inclusive, `filterPattern` as CloudWatch's plain terms (every term,
 * or "quoted phrase", must occur), pages of `limit` (default `pageSize`) with an opaque
 * `nextToken`. Page boundaries fall wherever the count says, so events sharing a millisecond are
 * split across pages. Faults: `throttleEvery` answers every n-th request with
 * ThrottlingException (HTTP 400), `failNext` queues specific errors.
 *
 * @example
 * const cwl = await startFakeCloudWatchLogs({ pageSize: 3, throttleEvery: 4 });
 * cwl.putEvents("/aws/lambda/api", "stream-1", [{ timestamp: t, message: "hello" }]);
 * const client = new CloudWatchLogsClient({ endpoint: cwl.endpoint, region: "us-east-1" });
 */

export interface FakeLogEvent {
  eventId: string;
  logStreamName: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

export interface FilterLogEventsBody {
  logGroupName?: string;
  logGroupIdentifier?: string;
  startTime?: number;
  endTime?: number;
  filterPattern?: string;
  nextToken?: string;
  limit?: number;
}

export type FakeFault = "ThrottlingException" | "ServiceUnavailableException" | "InternalError";

export interface FakeCloudWatchLogsOptions {
  /** Events per page when the request sets no `limit` (the real service: up to 10,000 or 1 MB). */
  pageSize?: number;
  /** Every n-th FilterLogEvents request (1-based) is throttled; 0: never. */
  throttleEvery?: number;
}

export interface FakeCloudWatchLogs {
  readonly endpoint: string;
  /** Every FilterLogEvents request body received, throttled ones included. */
  readonly requests: FilterLogEventsBody[];
  /** Requests answered with an error, by error type. */
  readonly faults: Record<string, number>;
  /** Adds events to a log group (created if missing); returns them with their ids. */
  putEvents(
    logGroup: string,
    logStream: string,
    events: { timestamp: number; message: string }[],
  ): FakeLogEvent[];
  /** The next `count` FilterLogEvents requests fail with `fault`. */
  failNext(fault: FakeFault, count?: number): void;
  stop(): Promise<void>;
}

const TARGET_PREFIX = "Logs_20140328.";
const CONTENT_TYPE = "application/x-amz-json-1.1";
const MAX_LIMIT = 10_000;

const FAULT_STATUS: Record<FakeFault, number> = {
  ThrottlingException: 400,
  ServiceUnavailableException: 503,
  InternalError: 500,
};
const FAULT_MESSAGE: Record<FakeFault, string> = {
  ThrottlingException: "Rate exceeded",
  ServiceUnavailableException: "The service cannot complete the request.",
  InternalError: "Internal failure.",
};

export async function startFakeCloudWatchLogs(
  options: FakeCloudWatchLogsOptions = {},
): Promise<FakeCloudWatchLogs> {
  const pageSize = options.pageSize ?? MAX_LIMIT;
  const throttleEvery = options.throttleEvery ?? 0;
  const groups = new Map<string, FakeLogEvent[]>();
  const requests: FilterLogEventsBody[] = [];
  const faults: Record<string, number> = {};
  const queued: FakeFault[] = [];
  let sequence = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const target = String(request.headers["x-amz-target"] ?? "");
    if (request.method !== "POST" || !target.startsWith(TARGET_PREFIX)) {
      return sendError(response, 400, "UnknownOperationException", `no operation for ${target}`);
    }
    const operation = target.slice(TARGET_PREFIX.length);
    if (operation !== "FilterLogEvents") {
      return sendError(response, 400, "UnknownOperationException", `${operation} is not served`);
    }
    let input: FilterLogEventsBody;
    try {
      input = JSON.parse(body) as FilterLogEventsBody;
    } catch {
      return sendError(response, 400, "SerializationException", "body is not JSON");
    }
    requests.push(input);
    const fault =
      queued.shift() ??
      (throttleEvery > 0 && requests.length % throttleEvery === 0
        ? "ThrottlingException"
        : undefined);
    if (fault) {
      faults[fault] = (faults[fault] ?? 0) + 1;
      return sendError(response, FAULT_STATUS[fault], fault, FAULT_MESSAGE[fault]);
    }
    const name = input.logGroupName ?? input.logGroupIdentifier ?? "";
    const events = groups.get(name);
    if (!events) {
      return sendError(
        response,
        400,
        "ResourceNotFoundException",
        "The specified log group does not exist.",
      );
    }
    const limit = Math.min(input.limit ?? pageSize, MAX_LIMIT);
    let offset = 0;
    if (input.nextToken !== undefined) {
      const token = decodeToken(input.nextToken, name);
      if (token === undefined)
        return sendError(response, 400, "InvalidParameterException", "The nextToken is invalid.");
      offset = token;
    }
    const matching = events.filter(
      (event) =>
        (input.startTime === undefined || event.timestamp >= input.startTime) &&
        (input.endTime === undefined || event.timestamp <= input.endTime) &&
        matchesPattern(event.message, input.filterPattern),
    );
    const page = matching.slice(offset, offset + limit);
    const next = offset + page.length;
    sendJson(response, 200, {
      events: page,
      searchedLogStreams: [],
      ...(next < matching.length && { nextToken: encodeToken(name, next) }),
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) =>
      sendError(response, 500, "InternalError", error.message),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    faults,
    putEvents(logGroup, logStream, added) {
      const events = groups.get(logGroup) ?? [];
      groups.set(logGroup, events);
      const created = added.map((event) => ({
        eventId: eventId(event.timestamp, ++sequence),
        logStreamName: logStream,
        timestamp: event.timestamp,
        ingestionTime: event.timestamp + 50,
        message: event.message,
      }));
      events.push(...created);
      // Interleaved in time order; a stable sort keeps the order events were put in at one time.
      events.sort((a, b) => a.timestamp - b.timestamp);
      return created;
    },
    failNext(fault, count = 1) {
      for (let i = 0; i < count; i++) queued.push(fault);
    },
    stop() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A 56-digit id like CloudWatch's, which also begins with digits of the event time. */
function eventId(timestamp: number, sequence: number): string {
  return `${String(timestamp).padStart(20, "0")}${String(sequence).padStart(36, "0")}`;
}

function encodeToken(logGroup: string, offset: number): string {
  return Buffer.from(JSON.stringify({ g: logGroup, o: offset, n: randomUUID() })).toString(
    "base64",
  );
}

function decodeToken(token: string, logGroup: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as {
      g?: string;
      o?: number;
    };
    return parsed.g === logGroup && Number.isInteger(parsed.o) ? parsed.o : undefined;
  } catch {
    return undefined;
  }
}

function matchesPattern(message: string, pattern: string | undefined): boolean {
  if (!pattern || pattern.trim() === "") return true;
  const terms = pattern.match(/"[^"]*"|\S+/g) ?? [];
  return terms.every((term) => message.includes(term.replace(/^"|"$/g, "")));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": CONTENT_TYPE,
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomUUID(),
  });
  response.end(text);
}

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  sendJson(response, status, { __type: type, message });
}
