import { readFileSync } from "node:fs";
import { Agent, createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { selfSignedCertificate } from "./selfSignedCertificate.js";

/**
 * A local stand-in for the Log Analytics query API (the control plane we cannot run here), over
 * HTTPS on loopback: `POST /v1/workspaces/{id}/query` with `{ query, timespan: "start/end" }`,
 * answered `{ tables: [{ name, columns: [{ name, type }], rows }] }` in the API's wire format.
 *
 * It does not run KQL: every query gets the stored rows whose TimeGenerated lies in the timespan
 * (both ends included), in time order, as one PrimaryResult table with a `Type` column, which is
 * what `union *` answers. Rows can be made queryable only from a given time (ingestion latency),
 * results over `maxRowsPerQuery` come back cut with the API's partial-error shape, and the next
 * requests can be throttled (429 with Retry-After) or failed.
 *
 * It also issues the token clients must send, as App Service's managed-identity endpoint does
 * (`GET /msi/token`, header X-IDENTITY-HEADER): a process given IDENTITY_ENDPOINT, IDENTITY_HEADER
 * and NODE_EXTRA_CA_CERTS (the certificate) authenticates through DefaultAzureCredential unchanged.
 */
export interface LogAnalyticsServerOptions {
  workspaceId: string;
  /** The bearer token clients must send. */
  token: string;
  /** Results larger than this are cut and carry the E_QUERY_RESULT_SET_TOO_LARGE partial error. */
  maxRowsPerQuery?: number;
  /** Milliseconds clock deciding which rows are queryable yet. */
  now?: () => number;
}

export interface RecordedQuery {
  workspace: string;
  query: string;
  start: string;
  end: string;
  status: number;
  rows: number;
}

export interface LogAnalyticsServer {
  /** Base URL for AZURE_LOGS_ENDPOINT (the client adds /v1). */
  readonly endpoint: string;
  /** The server's certificate (PEM), for NODE_EXTRA_CA_CERTS in a child process. */
  readonly certificate: string;
  /** IDENTITY_ENDPOINT and IDENTITY_HEADER for DefaultAzureCredential's managed identity. */
  readonly managedIdentity: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  /** An agent that trusts the server's certificate; give it to the client as `agent`. */
  readonly agent: Agent;
  readonly requests: RecordedQuery[];
  /** Stores rows of `table`; `availableAt` (ms) is when they become queryable. */
  addRows(table: string, rows: readonly Record<string, unknown>[], availableAt?: number): void;
  /** The next `count` queries are answered 429 with Retry-After. */
  throttleNext(count: number, retryAfterSeconds: number): void;
  /** The next `count` queries are answered with this status and body. */
  failNext(count: number, status: number, body: unknown): void;
  /** The next `count` queries come back partial with an error that is not about size. */
  partialNext(count: number): void;
  stop(): Promise<void>;
}

interface StoredRow {
  table: string;
  row: Record<string, unknown>;
  time: number;
  availableAt: number;
}

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), "utf8")) as {
    error: unknown;
  };
const TRUNCATED_ERROR = fixture("partialError").error;
const THROTTLED_BODY = fixture("throttled");
const IDENTITY_HEADER = "fake-identity-header-for-tests";
const TIMEOUT_PARTIAL_ERROR = {
  code: "PartialError",
  message: "There were some errors when processing your query.",
  details: [
    {
      code: "EngineError",
      message: "Something went wrong processing your query on the server.",
      innererror: {
        code: "-2133196541",
        message: "Partial query failure: Low memory condition (E_LOW_MEMORY_CONDITION)",
      },
    },
  ],
};

export async function startLogAnalyticsServer(
  options: LogAnalyticsServerOptions,
): Promise<LogAnalyticsServer> {
  const { cert, key } = await selfSignedCertificate();
  const now = options.now ?? Date.now;
  const stored: StoredRow[] = [];
  const requests: RecordedQuery[] = [];
  const failures: { status: number; body: unknown; headers?: Record<string, string> }[] = [];
  let partials = 0;

  const server: Server = createServer({ cert, key }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { "content-type": "application/json", ...headers });
        response.end(JSON.stringify(body));
      };
      if (request.method === "GET" && request.url?.startsWith("/msi/token?")) {
        if (request.headers["x-identity-header"] !== IDENTITY_HEADER)
          return send(401, { error: { code: "Unauthorized", message: "bad identity header" } });
        const resource = new URL(request.url, "https://localhost").searchParams.get("resource");
        return send(200, {
          access_token: options.token,
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource,
          token_type: "Bearer",
        });
      }
      const match = /^\/v1\/workspaces\/([^/?]+)\/query(\?.*)?$/.exec(request.url ?? "");
      if (request.method !== "POST" || !match)
        return send(404, {
          error: { code: "PathNotFoundError", message: "The requested path does not exist" },
        });
      if (request.headers.authorization !== `Bearer ${options.token}`)
        return send(401, {
          error: {
            code: "AuthorizationRequiredError",
            message: "Valid authentication was not provided",
          },
        });
      const workspace = decodeURIComponent(match[1] as string);
      if (workspace !== options.workspaceId)
        return send(404, {
          error: {
            code: "WorkspaceNotFoundError",
            message: `The workspace ${workspace} could not be found`,
          },
        });
      let body: { query?: unknown; timespan?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
      } catch {
        return send(400, {
          error: { code: "BadArgumentError", message: "The request body is not valid JSON" },
        });
      }
      const [startText, endText] = String(body.timespan ?? "").split("/");
      const start = Date.parse(startText ?? "");
      const end = Date.parse(endText ?? "");
      if (typeof body.query !== "string" || Number.isNaN(start) || Number.isNaN(end))
        return send(400, {
          error: {
            code: "BadArgumentError",
            message: "query and a start/end timespan are required",
          },
        });
      const record: RecordedQuery = {
        workspace,
        query: body.query,
        start: new Date(start).toISOString(),
        end: new Date(end).toISOString(),
        status: 200,
        rows: 0,
      };
      requests.push(record);
      const failure = failures.shift();
      if (failure) {
        record.status = failure.status;
        return send(failure.status, failure.body, failure.headers);
      }

      const visible = now();
      const matched = stored
        .filter((row) => row.time >= start && row.time <= end && row.availableAt <= visible)
        .sort((a, b) => a.time - b.time);
      const limit = options.maxRowsPerQuery ?? Number.POSITIVE_INFINITY;
      const returned = matched.slice(0, limit);
      record.rows = returned.length;
      const result: { tables: unknown[]; error?: unknown } = { tables: [primaryResult(returned)] };
      if (matched.length > limit) result.error = TRUNCATED_ERROR;
      else if (partials > 0) {
        partials--;
        result.error = TIMEOUT_PARTIAL_ERROR;
      }
      send(200, result);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ ca: cert, keepAlive: true });

  return {
    endpoint: `https://127.0.0.1:${port}`,
    certificate: cert,
    managedIdentity: {
      IDENTITY_ENDPOINT: `https://127.0.0.1:${port}/msi/token`,
      IDENTITY_HEADER: IDENTITY_HEADER,
    },
    agent,
    requests,
    addRows(table, rows, availableAt = Number.NEGATIVE_INFINITY) {
      for (const row of rows) {
        const time = Date.parse(String(row.TimeGenerated));
        if (Number.isNaN(time)) throw new Error("stand-in rows need a TimeGenerated");
        stored.push({ table, row, time, availableAt });
      }
    },
    throttleNext(count, retryAfterSeconds) {
      for (let i = 0; i < count; i++)
        failures.push({
          status: 429,
          body: THROTTLED_BODY,
          headers: { "retry-after": String(retryAfterSeconds) },
        });
    },
    failNext(count, status, body) {
      for (let i = 0; i < count; i++) failures.push({ status, body });
    },
    partialNext(count) {
      partials += count;
    },
    async stop() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The union of the rows' columns, Type last, with wire types and wire values. */
function primaryResult(rows: readonly StoredRow[]) {
  const types = new Map<string, string>();
  for (const { row } of rows)
    for (const [column, value] of Object.entries(row))
      if (!types.has(column) && value !== null && value !== undefined)
        types.set(column, wireType(column, value));
  types.set("Type", "string");
  const columns = [...types].map(([name, type]) => ({ name, type }));
  return {
    name: "PrimaryResult",
    columns,
    rows: rows.map(({ table, row }) =>
      columns.map(({ name, type }) => {
        if (name === "Type") return table;
        const value = row[name];
        if (value === undefined || value === null) return null;
        if (type === "dynamic") return JSON.stringify(value);
        if (type === "datetime") return new Date(String(value)).toISOString();
        return value;
      }),
    ),
  };
}

function wireType(column: string, value: unknown): string {
  if (column === "TimeGenerated" || value instanceof Date) return "datetime";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "real";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "object") return "dynamic";
  return "string";
}

/**
 * The environment a child process needs to query `server` for `workspaceId` through its managed
 * identity: `caFile` holds the server's certificate; rows are queryable at once (no lag).
 */
export function logAnalyticsClientEnv(
  server: LogAnalyticsServer,
  caFile: string,
  workspaceId: string,
): Record<string, string> {
  return {
    ...server.managedIdentity,
    NODE_EXTRA_CA_CERTS: caFile,
    AZURE_LOGS_ENDPOINT: server.endpoint,
    AZURE_WORKSPACE_ID: workspaceId,
    AZURE_QUERY_LAG_SECONDS: "0",
  };
}
