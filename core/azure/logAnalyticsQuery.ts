import { randomUUID } from "node:crypto";
import type { TokenCredential } from "@azure/identity";
import {
  LogsQueryClient,
  type LogsQueryClientOptions,
  LogsQueryResultStatus,
  type LogsTable,
} from "@azure/monitor-query-logs";
import type { Logger } from "../logging/logger.js";
import { parseRetryAfter, type RetryPolicy, withRetry } from "../retry/backoff.js";
import { AzureQueryError } from "./errors.js";
import type { AzureTable } from "./rowToEvent.js";

export interface TimeWindow {
  start: Date;
  end: Date;
}

export interface QueryErrorInfo {
  code: string;
  message: string;
  /** The error as the API sent it (details, innererror), for logs. */
  raw?: unknown;
}

export interface QueryOutcome {
  tables: AzureTable[];
  /** Set when the API answered with a partial result (the rows so far plus an error). */
  partialError?: QueryErrorInfo;
}

/** Runs the configured query over one time window. */
export interface LogAnalyticsQuery {
  run(window: TimeWindow, signal?: AbortSignal): Promise<QueryOutcome>;
}

export interface WorkspaceQueryOptions {
  credential: TokenCredential;
  /** The query API's base URL (AZURE_LOGS_ENDPOINT); `/v1` is added. */
  endpoint: string;
  workspaceId: string;
  query: string;
  /** The server's own time limit for one query (the API allows up to 600 s). */
  serverTimeoutSeconds?: number;
  retry?: RetryPolicy;
  logger?: Logger;
  /** More client options, such as an `agent` (tests trust the local stand-in's certificate with it). */
  clientOptions?: LogsQueryClientOptions;
}

/**
 * Throttling (429, at most 200 requests per 30 s per user) and server errors are retried with
 * backoff; a refused query (400, 403, 404) fails at once with the API's own explanation.
 */
const DEFAULT_QUERY_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxElapsedMs: 180_000,
};

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const REQUEST_ID_HEADER = "x-ms-client-request-id";

/**
 * The workspace query through `@azure/monitor-query-logs`' LogsQueryClient, with the token
 * audience of the endpoint's cloud. The SDK's own retries are off: this class retries through the
 * project's retry policy, which honours Retry-After and logs each wait.
 *
 * Two things the SDK's queryWorkspace drops are put back by a pipeline policy, matched to the call
 * by its client request id: the abort signal, and the partial error's `details[].innererror`,
 * where the API says a result was cut for its size (E_QUERY_RESULT_SET_TOO_LARGE).
 */
export class WorkspaceQuery implements LogAnalyticsQuery {
  readonly #client: LogsQueryClient;
  readonly #options: WorkspaceQueryOptions;
  readonly #signals = new Map<string, AbortSignal>();
  readonly #bodies = new Map<string, string>();

  constructor(options: WorkspaceQueryOptions) {
    this.#options = options;
    const base = options.endpoint.replace(/\/+$/, "");
    this.#client = new LogsQueryClient(options.credential, {
      ...options.clientOptions,
      endpoint: `${base}/v1`,
      credentials: { scopes: [`${new URL(base).origin}/.default`] },
      retryOptions: { maxRetries: 0 },
    });
    this.#client.pipeline.addPolicy({
      name: "sentinelCallContext",
      sendRequest: async (request, next) => {
        const id = request.headers.get(REQUEST_ID_HEADER) ?? "";
        const signal = this.#signals.get(id);
        if (signal) request.abortSignal = signal;
        const response = await next(request);
        if (response.status === 200 && typeof response.bodyAsText === "string")
          this.#bodies.set(id, response.bodyAsText);
        return response;
      },
    });
  }

  run(window: TimeWindow, signal?: AbortSignal): Promise<QueryOutcome> {
    const { workspaceId, query, logger } = this.#options;
    return withRetry(
      async () => {
        const id = randomUUID();
        if (signal) this.#signals.set(id, signal);
        try {
          const result = await this.#client.queryWorkspace(
            workspaceId,
            query,
            { startTime: window.start, endTime: window.end },
            {
              serverTimeoutInSeconds: this.#options.serverTimeoutSeconds ?? 180,
              requestOptions: { headers: { [REQUEST_ID_HEADER]: id } },
            },
          );
          if (result.status === LogsQueryResultStatus.PartialFailure) {
            const raw = rawError(this.#bodies.get(id)) ?? result.partialError;
            return {
              tables: result.partialTables.map(fromSdkTable),
              partialError: {
                code: result.partialError.code,
                message: innermostMessage(raw),
                raw,
              },
            };
          }
          return { tables: result.tables.map(fromSdkTable) };
        } catch (error) {
          throw asQueryError(error);
        } finally {
          this.#signals.delete(id);
          this.#bodies.delete(id);
        }
      },
      this.#options.retry ?? DEFAULT_QUERY_RETRY,
      {
        isRetryable: (error) => error instanceof RetryableQueryError && !signal?.aborted,
        retryAfterMs: (error) => (error as RetryableQueryError).retryAfterMs,
        onRetry: ({ attempt, delayMs, error }) =>
          logger?.warn(
            { attempt, delayMs, reason: (error as Error).message },
            "Log Analytics query failed; retrying",
          ),
        ...(signal && { signal }),
      },
    );
  }
}

/** The `error` of a partial result as the API sent it (read only for partial results, which are rare). */
function rawError(body: string | undefined): unknown {
  if (body === undefined) return undefined;
  try {
    return (JSON.parse(body) as { error?: unknown }).error;
  } catch {
    return undefined;
  }
}

/** A failure worth retrying: throttling, a server error, a dropped connection. */
class RetryableQueryError extends Error {
  override name = "RetryableQueryError";
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

interface RestErrorLike {
  name?: string;
  message?: string;
  statusCode?: number;
  code?: string;
  details?: { error?: unknown };
  response?: { headers?: { get(name: string): string | undefined } };
}

function asQueryError(error: unknown): Error {
  const rest = error as RestErrorLike;
  if (rest?.name === "AbortError") return error as Error;
  const status = typeof rest?.statusCode === "number" ? rest.statusCode : undefined;
  const apiError = rest?.details?.error;
  const message = apiError ? innermostMessage(apiError) : (rest?.message ?? String(error));
  if (status === undefined || RETRYABLE_STATUS.has(status)) {
    const retryAfter = parseRetryAfter(rest?.response?.headers?.get("retry-after"));
    return new RetryableQueryError(
      `${status ?? rest?.code ?? "network error"}: ${message}`,
      status,
      retryAfter,
    );
  }
  const code = (apiError as { code?: string } | undefined)?.code ?? rest.code ?? String(status);
  return new AzureQueryError(
    `Log Analytics refused the query (${status} ${code}): ${message}`,
    code,
    status,
  );
}

/** The API nests its explanation (`innererror`, `details`); the deepest message says the most. */
function innermostMessage(error: unknown): string {
  let current = error as
    | {
        message?: string;
        innererror?: unknown;
        details?: { innererror?: unknown; message?: string }[];
      }
    | undefined;
  let message = current?.message ?? "unknown error";
  for (let depth = 0; current && depth < 10; depth++) {
    if (current.message) message = current.message;
    current = (current.innererror ?? current.details?.[0]) as typeof current;
  }
  return message;
}

function fromSdkTable(table: LogsTable): AzureTable {
  return { name: table.name, columns: table.columnDescriptors, rows: table.rows };
}
