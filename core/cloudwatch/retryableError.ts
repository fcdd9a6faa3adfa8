const THROTTLED = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ServiceUnavailableException",
]);
const TRANSIENT_NETWORK = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
]);

/** Throttling, 5xx and dropped connections are worth another try; bad requests and denials are not. */
export function isRetryableAwsError(error: unknown): boolean {
  const e = error as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (e?.name === "AbortError") return false;
  if (e?.name && THROTTLED.has(e.name)) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (e?.$retryable) return true;
  if (e?.name === "TimeoutError" || (e?.code && TRANSIENT_NETWORK.has(e.code))) return true;
  return false;
}
