import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { labelKey } from "../streamToEvents.js";

/**
 * A local stand-in for Loki's read path: `GET /loki/api/v1/query_range` answered in Loki's wire
 * format (`resultType: "streams"`, values `[["<ns>", "line"], ...]`), on loopback.
 *
 * What it does as Loki does: label matchers (`=`, `!=`, `=~`, `!~`) and line filters (`|=`, `!=`,
 * `|~`, `!~`); `start` inclusive and `end` exclusive, in nanoseconds or RFC 3339; `direction`
 * forward or backward; one `limit` across all streams, taken in timestamp order with ties broken
 * by stream, so a limit can cut inside a run of entries sharing a timestamp; entries with the same
 * timestamp and line in one stream kept once; `limit` above max_entries_limit_per_query refused
 * (400); X-Scope-OrgID and basic authentication checked when configured.
 */
export interface LokiServerOptions {
  /** Require this X-Scope-OrgID. */
  tenantId?: string;
  basicAuth?: { username: string; password: string };
  /** Loki's max_entries_limit_per_query (default 5000). */
  maxEntriesLimit?: number;
}

export interface RecordedRangeQuery {
  query: string;
  start: string;
  end: string;
  limit: number;
  direction: string;
  status: number;
  returned: number;
}

export interface LokiServer {
  readonly url: string;
  readonly requests: RecordedRangeQuery[];
  /** Appends entries `[ns, line]` to the stream with these labels. */
  push(
    labels: Record<string, string>,
    entries: readonly (readonly [bigint | string, string])[],
  ): void;
  /** The next `count` requests are answered with this status (and Retry-After, when given). */
  failNext(count: number, status: number, body?: string, retryAfterSeconds?: number): void;
  /** Holds every answer this long (a slow Loki). */
  delayMs: number;
  stop(): Promise<void>;
}

interface StoredStream {
  labels: Record<string, string>;
  key: string;
  ns: bigint[];
  lines: string[];
  seen: Set<string>;
}

type LabelMatcher = { name: string; op: "=" | "!=" | "=~" | "!~"; value: string };
type LineFilter = { op: "|=" | "!=" | "|~" | "!~"; value: string };

export async function startLokiServer(options: LokiServerOptions = {}): Promise<LokiServer> {
  const streams = new Map<string, StoredStream>();
  const requests: RecordedRangeQuery[] = [];
  const failures: { status: number; body: string; retryAfter?: number }[] = [];
  const maxEntries = options.maxEntriesLimit ?? 5000;
  const state = { delayMs: 0 };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://loki");
    const text = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
      response.end(`${body}\n`);
    };
    if (url.pathname !== "/loki/api/v1/query_range") return text(404, "404 page not found");
    if (options.tenantId !== undefined && request.headers["x-scope-orgid"] !== options.tenantId)
      return text(401, "no org id");
    if (options.basicAuth) {
      const expected = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString("base64")}`;
      if (request.headers.authorization !== expected) return text(401, "Unauthorized");
    }
    const params = url.searchParams;
    const record: RecordedRangeQuery = {
      query: params.get("query") ?? "",
      start: params.get("start") ?? "",
      end: params.get("end") ?? "",
      limit: Number(params.get("limit") ?? 100),
      direction: params.get("direction") ?? "backward",
      status: 200,
      returned: 0,
    };
    requests.push(record);
    const failure = failures.shift();
    if (failure) {
      record.status = failure.status;
      return text(
        failure.status,
        failure.body,
        failure.retryAfter === undefined ? {} : { "retry-after": String(failure.retryAfter) },
      );
    }
    const fail = (message: string) => {
      record.status = 400;
      text(400, message);
    };
    if (!Number.isInteger(record.limit) || record.limit <= 0)
      return fail("limit must be a positive value");
    if (record.limit > maxEntries)
      return fail(
        `max entries limit per query exceeded, limit > max_entries_limit_per_query (${record.limit} > ${maxEntries})`,
      );
    const start = parseTime(record.start);
    const end = parseTime(record.end);
    if (start === undefined || end === undefined) return fail("invalid start or end time");
    if (end < start) return fail("end timestamp must not be before or equal to start time");
    let parsed: { matchers: LabelMatcher[]; filters: LineFilter[] };
    try {
      parsed = parseQuery(record.query);
    } catch (error) {
      return fail(`parse error : ${(error as Error).message}`);
    }
    const forward = record.direction === "forward";
    const selected = select([...streams.values()], parsed, start, end, record.limit, forward);
    record.returned = selected.reduce((sum, stream) => sum + stream.values.length, 0);
    response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    response.end(
      JSON.stringify({
        status: "success",
        data: {
          resultType: "streams",
          result: selected,
          stats: { summary: { totalEntriesReturned: record.returned, execTime: 0.001 } },
        },
      }),
    );
  };

  const server: Server = createServer((request, response) => {
    if (state.delayMs > 0) setTimeout(() => handle(request, response), state.delayMs);
    else handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    push(labels, entries) {
      const key = labelKey(labels);
      let stream = streams.get(key);
      if (!stream) {
        stream = { labels: { ...labels }, key, ns: [], lines: [], seen: new Set() };
        streams.set(key, stream);
      }
      let sorted = true;
      for (const [ns, line] of entries) {
        const at = BigInt(ns);
        const identity = `${at} ${line}`;
        if (stream.seen.has(identity)) continue; // Loki keeps one of identical entries
        stream.seen.add(identity);
        const previous = stream.ns.at(-1);
        if (previous !== undefined && at < previous) sorted = false;
        stream.ns.push(at);
        stream.lines.push(line);
      }
      if (!sorted) {
        const order = stream.ns.map((_, i) => i);
        const { ns, lines } = stream;
        order.sort((a, b) =>
          ns[a] === ns[b] ? a - b : (ns[a] as bigint) < (ns[b] as bigint) ? -1 : 1,
        );
        stream.ns = order.map((i) => ns[i] as bigint);
        stream.lines = order.map((i) => lines[i] as string);
      }
    },
    failNext(count, status, body = "internal error", retryAfterSeconds) {
      for (let i = 0; i < count; i++)
        failures.push({
          status,
          body,
          ...(retryAfterSeconds !== undefined && { retryAfter: retryAfterSeconds }),
        });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseTime(value: string): bigint | undefined {
  if (/^\d{1,20}$/.test(value)) return BigInt(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : BigInt(ms) * 1_000_000n;
}

const MATCHER = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const FILTER = /\s*(\|=|!=|\|~|!~)\s*"((?:[^"\\]|\\.)*)"/y;

function parseQuery(query: string): { matchers: LabelMatcher[]; filters: LineFilter[] } {
  const open = query.indexOf("{");
  const close = query.indexOf("}", open);
  if (open !== 0 && query.slice(0, open).trim() !== "")
    throw new Error("a log query starts with a stream selector");
  if (open === -1 || close === -1) throw new Error("syntax error: expected a stream selector {…}");
  const inside = query.slice(open + 1, close);
  const matchers: LabelMatcher[] = [];
  MATCHER.lastIndex = 0;
  while (MATCHER.lastIndex < inside.length) {
    const match = MATCHER.exec(inside);
    if (!match) throw new Error(`syntax error in selector: ${inside}`);
    matchers.push({
      name: match[1] as string,
      op: match[2] as LabelMatcher["op"],
      value: JSON.parse(`"${match[3]}"`) as string,
    });
  }
  if (
    !matchers.some((m) => (m.op === "=" && m.value !== "") || (m.op === "=~" && m.value !== ".*"))
  )
    throw new Error(
      "queries require at least one regexp or equality matcher that does not have an empty-compatible value",
    );
  const rest = query.slice(close + 1);
  const filters: LineFilter[] = [];
  FILTER.lastIndex = 0;
  while (rest.slice(FILTER.lastIndex).trim() !== "") {
    const match = FILTER.exec(rest);
    if (!match)
      throw new Error(`unsupported pipeline stage: ${rest.slice(FILTER.lastIndex).trim()}`);
    filters.push({
      op: match[1] as LineFilter["op"],
      value: JSON.parse(`"${match[2]}"`) as string,
    });
  }
  return { matchers, filters };
}

function matches(labels: Record<string, string>, matcher: LabelMatcher): boolean {
  const value = labels[matcher.name] ?? "";
  switch (matcher.op) {
    case "=":
      return value === matcher.value;
    case "!=":
      return value !== matcher.value;
    case "=~":
      return new RegExp(`^(?:${matcher.value})$`).test(value);
    case "!~":
      return !new RegExp(`^(?:${matcher.value})$`).test(value);
  }
}

function keepLine(line: string, filters: readonly LineFilter[]): boolean {
  for (const filter of filters) {
    const ok =
      filter.op === "|="
        ? line.includes(filter.value)
        : filter.op === "!="
          ? !line.includes(filter.value)
          : filter.op === "|~"
            ? new RegExp(filter.value).test(line)
            : !new RegExp(filter.value).test(line);
    if (!ok) return false;
  }
  return true;
}

/** The first `limit` entries across streams in time order (ties by stream), grouped back by stream. */
function select(
  all: readonly StoredStream[],
  query: { matchers: LabelMatcher[]; filters: LineFilter[] },
  start: bigint,
  end: bigint,
  limit: number,
  forward: boolean,
) {
  const chosen = all
    .filter((stream) => query.matchers.every((m) => matches(stream.labels, m)))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // A cursor per stream over its [start, end) slice, walked in the query's direction.
  const cursors = chosen.map((stream) => {
    const from = lowerBound(stream.ns, start);
    const to = lowerBound(stream.ns, end);
    return { stream, index: forward ? from : to - 1, from, to, values: [] as [string, string][] };
  });
  let taken = 0;
  while (taken < limit) {
    let best: (typeof cursors)[number] | undefined;
    for (const cursor of cursors) {
      while (
        cursor.index >= cursor.from &&
        cursor.index < cursor.to &&
        !keepLine(cursor.stream.lines[cursor.index] as string, query.filters)
      )
        cursor.index += forward ? 1 : -1;
      if (cursor.index < cursor.from || cursor.index >= cursor.to) continue;
      const ns = cursor.stream.ns[cursor.index] as bigint;
      if (
        !best ||
        (forward
          ? ns < (best.stream.ns[best.index] as bigint)
          : ns > (best.stream.ns[best.index] as bigint))
      )
        best = cursor;
    }
    if (!best) break;
    best.values.push([
      (best.stream.ns[best.index] as bigint).toString(),
      best.stream.lines[best.index] as string,
    ]);
    best.index += forward ? 1 : -1;
    taken++;
  }
  return cursors
    .filter((cursor) => cursor.values.length > 0)
    .map((cursor) => ({ stream: cursor.stream.labels, values: cursor.values }));
}

function lowerBound(values: readonly bigint[], target: bigint): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((values[middle] as bigint) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}
