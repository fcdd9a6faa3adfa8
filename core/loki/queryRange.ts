import type { Logger } from "../logging/logger.js";
import { parseRetryAfter, type RetryPolicy, withRetry } from "../retry/backoff.js";
import type { LokiStream } from "./streamToEvents.js";

export interface LokiClientOptions {
  /** Loki's base URL, e.g. http://loki:3100 (a path prefix such as /loki behind a proxy is kept). */
  url: string;
  /** Multi-tenant Loki: sent as X-Scope-OrgID. */
  tenantId?: string;
  username?: string;
  password?: string;
  retry?: RetryPolicy;
  /** One request's time limit. */
  timeoutMs?: number;
  logger?: Logger;
}

export interface QueryRangeRequest {
  query: string;
  /** Inclusive, nanoseconds since the epoch. */
  startNs: bigint;
  /** Exclusive, nanoseconds since the epoch. */
  endNs: bigint;
  limit: number;
  direction?: "forward" | "backward";
}

/** Loki refused the request (a bad query, a limit over max_entries_limit_per_query, no access). */
export class LokiQueryError extends Error {
  override name = "LokiQueryError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

class RetryableLokiError extends Error {
  override name = "RetryableLokiError";
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const DEFAULT_LOKI_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxElapsedMs: 120_000,
};

/**
 * `GET /loki/api/v1/query_range` over fetch. Throttling (429), server errors and dropped
 * connections are retried through the project's retry policy (honouring Retry-After); a request
 * Loki refuses fails at once with Loki's own message.
 */
export class LokiClient {
  readonly #options: LokiClientOptions;
  readonly #headers: Record<string, string>;
  readonly #endpoint: string;

  constructor(options: LokiClientOptions) {
    this.#options = options;
    this.#endpoint = `${options.url.replace(/\/+$/, "")}/loki/api/v1/query_range`;
    this.#headers = { accept: "application/json" };
    if (options.tenantId) this.#headers["x-scope-orgid"] = options.tenantId;
    if (options.username !== undefined)
      this.#headers.authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ""}`).toString("base64")}`;
  }

  /** The streams Loki answers (a log query; a metric query is refused with a clear error). */
  queryRange(request: QueryRangeRequest, signal?: AbortSignal): Promise<LokiStream[]> {
    const params = new URLSearchParams({
      query: request.query,
      start: request.startNs.toString(),
      end: request.endNs.toString(),
      limit: String(request.limit),
      direction: request.direction ?? "forward",
    });
    const url = `${this.#endpoint}?${params}`;
    const { logger } = this.#options;
    return withRetry(() => this.#get(url, signal), this.#options.retry ?? DEFAULT_LOKI_RETRY, {
      isRetryable: (error) => error instanceof RetryableLokiError && !signal?.aborted,
      retryAfterMs: (error) => (error as RetryableLokiError).retryAfterMs,
      onRetry: ({ attempt, delayMs, error }) =>
        logger?.warn(
          { attempt, delayMs, reason: (error as Error).message },
          "Loki query failed; retrying",
        ),
      ...(signal && { signal }),
    });
  }

  async #get(url: string, signal?: AbortSignal): Promise<LokiStream[]> {
    const timeout = AbortSignal.timeout(this.#options.timeoutMs ?? 60_000);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: this.#headers,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new RetryableLokiError(
        `cannot reach Loki at ${this.#options.url}: ${cause ?? (error as Error).message}`,
      );
    }
    const text = await response.text();
    if (response.status === 429 || response.status >= 500)
      throw new RetryableLokiError(
        `Loki answered ${response.status}: ${text.trim().slice(0, 300)}`,
        parseRetryAfter(response.headers.get("retry-after")),
      );
    if (!response.ok)
      throw new LokiQueryError(
        `Loki refused the query (${response.status}): ${text.trim().slice(0, 500)}`,
        response.status,
      );
    let body: { status?: string; data?: { resultType?: string; result?: unknown } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new LokiQueryError(`Loki's answer is not JSON: ${text.slice(0, 200)}`, response.status);
    }
    const resultType = body.data?.resultType;
    if (resultType !== "streams")
      throw new LokiQueryError(
        `expected a log query (resultType "streams"), got ${JSON.stringify(resultType)}: the query must select log lines, not compute a metric`,
        response.status,
      );
    return (body.data?.result ?? []) as LokiStream[];
  }
}
