import { compress } from "snappyjs";
import { parseRetryAfter } from "../../retry/backoff.js";
import { encodeWriteRequest, type TimeSeries } from "./writeRequest.js";

export type RemoteWriteAuth = { username: string; password: string } | { bearerToken: string };

export interface RemoteWriteClientOptions {
  /** The remote-write endpoint, e.g. http://victoriametrics:8428/api/v1/write. */
  url: string;
  auth?: RemoteWriteAuth;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/** A failed remote write; `retryable` says whether sending the same samples again can succeed. */
export class RemoteWriteError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "RemoteWriteError";
  }
}

/**
 * Sends series with the Prometheus remote-write protocol (snappy-compressed protobuf), which
 * VictoriaMetrics (`/api/v1/write`), Prometheus's receiver and managed services accept.
 * One call, one request, no retries: the pusher decides what to retry.
 */
export class RemoteWriteClient {
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(options: RemoteWriteClientOptions) {
    this.#url = options.url;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#headers = {
      "Content-Encoding": "snappy",
      "Content-Type": "application/x-protobuf",
      "X-Prometheus-Remote-Write-Version": "0.1.0",
      "User-Agent": "sentinel-llm",
      ...authorizationHeader(options.auth),
    };
  }

  async write(series: readonly TimeSeries[], signal?: AbortSignal): Promise<void> {
    const body = compress(encodeWriteRequest(series));
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: "POST",
        headers: this.#headers,
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause?.message;
      const reason = timeout.aborted ? `no answer in ${this.#timeoutMs} ms` : (cause ?? error);
      throw new RemoteWriteError(`remote write failed: ${String(reason)}`, true);
    }
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    // The store's own words help (e.g. "too many labels"), but only a little of them.
    const text = (await response.text().catch(() => "")).slice(0, 300).trim();
    const retryable = response.status === 429 || response.status >= 500;
    throw new RemoteWriteError(
      `remote write answered ${response.status}${text ? `: ${text}` : ""}`,
      retryable,
      response.status,
      parseRetryAfter(response.headers.get("retry-after")),
    );
  }
}

function authorizationHeader(auth: RemoteWriteAuth | undefined): Record<string, string> {
  if (auth === undefined) return {};
  if ("bearerToken" in auth) return { Authorization: `Bearer ${auth.bearerToken}` };
  const credentials = Buffer.from(`${auth.username}:${auth.password}`).toString("base64");
  return { Authorization: `Basic ${credentials}` };
}
