import { setTimeout as sleep } from "node:timers/promises";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First delay; each next one doubles, up to maxDelayMs, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Gives up when the next wait would end later than this many ms after the first attempt. */
  maxElapsedMs?: number;
}

export interface RetryHooks {
  /** False: the error is final and is thrown at once. Default: every error is retried. */
  isRetryable?(error: unknown): boolean;
  /** A server's own wait (Retry-After); it wins over the computed backoff when longer. */
  retryAfterMs?(error: unknown): number | undefined;
  onRetry?(info: { attempt: number; delayMs: number; error: unknown }): void;
  signal?: AbortSignal;
  /** For tests: the random source of the jitter. */
  random?(): number;
}

/** The wait before retry number `attempt` (1-based): exponential, capped, full jitter. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/**
 * Runs `operation` until it succeeds, retrying with exponential backoff and full jitter, and
 * honouring a Retry-After the error carries. The project's one retry policy: channels, ingestion
 * APIs and Kafka sends all go through it.
 *
 * @example
 * await withRetry(() => postCard(url, card), { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 },
 *   { isRetryable: (e) => e instanceof DeliveryError && e.retryable, retryAfterMs: (e) => e.retryAfterMs });
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= policy.maxAttempts) throw error;
      if (hooks.isRetryable && !hooks.isRetryable(error)) throw error;
      if (hooks.signal?.aborted) throw error;
      const backoff = backoffDelay(policy, attempt, hooks.random);
      const delayMs = Math.max(backoff, hooks.retryAfterMs?.(error) ?? 0);
      if (policy.maxElapsedMs !== undefined && Date.now() - started + delayMs > policy.maxElapsedMs)
        throw error;
      hooks.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, undefined, hooks.signal ? { signal: hooks.signal } : undefined);
    }
  }
}

/** Parses an HTTP Retry-After header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
