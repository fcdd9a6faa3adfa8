import { maskSensitive } from "../alerting/mask.js";
import type { RenderOptions } from "../alerting/render/view.js";
import {
  type ChannelSender,
  DeliveryError,
  type Notification,
  type Route,
} from "../alerting/types.js";
import type { Logger } from "../logging/logger.js";
import { TokenBucket } from "../ratelimit/tokenBucket.js";
import { parseRetryAfter } from "../retry/backoff.js";
import { renderTeamsBody, TEAMS_MAX_BODY_BYTES, type TeamsCardFormat } from "./body.js";

export interface TeamsChannelOptions {
  /** adaptive: Workflows webhooks; messagecard: legacy Office 365 connector webhooks. */
  format: TeamsCardFormat;
  /** Per request, answer included; default 10 s. */
  timeoutMs?: number;
  /** Requests per second to one webhook from this process; Teams throttles at about 4. */
  requestsPerSecond?: number;
  maxBodyBytes?: number;
  render?: RenderOptions;
  logger?: Logger;
}

const MAX_ERROR_BODY_BYTES = 4096;
const MAX_PACED_WEBHOOKS = 256;
/** A send this close to the end of a Retry-After wait goes ahead (timers may wake a little early). */
const RETRY_AFTER_SLACK_MS = 100;

/**
 * Posts notifications to Teams webhooks as Adaptive Cards (or legacy MessageCards), cut to fit
 * Workflows' 28 KB limit and paced per webhook. After a 429 with Retry-After, sends to that
 * webhook fail at once (retryable, with the remaining wait) until the wait is over, so a
 * throttled webhook is not kept throttled by our own retries. The webhook URL is a secret: it
 * is never logged and never part of an error message.
 */
export class TeamsChannel implements ChannelSender {
  readonly channel = "teams" as const;
  readonly #options: TeamsChannelOptions;
  readonly #pacers = new Map<string, TokenBucket>();
  readonly #blockedUntil = new Map<string, number>();

  constructor(options: TeamsChannelOptions) {
    this.#options = options;
  }

  async send(notification: Notification, route: Route, signal?: AbortSignal): Promise<void> {
    const url = route.teamsWebhookUrl;
    if (!url) throw new DeliveryError("the route has no Teams webhook", { retryable: false });
    if (!isHttpUrl(url))
      throw new DeliveryError("the Teams webhook URL is not a usable http(s) URL", {
        retryable: false,
      });
    const { format, logger } = this.#options;

    let rendered: ReturnType<typeof renderTeamsBody>;
    try {
      rendered = renderTeamsBody(
        notification,
        format,
        this.#options.render,
        this.#options.maxBodyBytes ?? TEAMS_MAX_BODY_BYTES,
      );
    } catch (error) {
      throw new DeliveryError((error as Error).message, { retryable: false, cause: error });
    }
    if (rendered.notes.length > 0)
      logger?.info({ format, bytes: rendered.bytes, cut: rendered.notes }, "Teams card cut to fit");

    const waitMs = (this.#blockedUntil.get(url) ?? 0) - performance.now();
    if (waitMs > RETRY_AFTER_SLACK_MS)
      throw new DeliveryError("the Teams webhook asked to wait before the next request (429)", {
        retryable: true,
        retryAfterMs: Math.ceil(waitMs),
        status: 429,
      });
    this.#blockedUntil.delete(url);

    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const requestSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let status: number;
    let headers: Headers;
    let text: string;
    try {
      await this.#pacer(url).take(1, requestSignal);
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: rendered.body,
        redirect: "manual",
        signal: requestSignal,
      });
      status = response.status;
      headers = response.headers;
      text = await readBounded(response, MAX_ERROR_BODY_BYTES);
    } catch (error) {
      throw requestError(error, url, timeout.aborted ? timeoutMs : undefined);
    }

    const failure = classifyTeamsResponse(status, headers.get("retry-after"), text, format);
    if (!failure) {
      logger?.debug({ format, status, bytes: rendered.bytes }, "Teams card delivered");
      return;
    }
    if (failure.status === 429 && failure.retryAfterMs !== undefined)
      this.#blockedUntil.set(url, performance.now() + failure.retryAfterMs);
    throw failure;
  }

  #pacer(url: string): TokenBucket {
    let bucket = this.#pacers.get(url);
    if (!bucket) {
      if (this.#pacers.size >= MAX_PACED_WEBHOOKS) this.#pacers.clear();
      const rate = this.#options.requestsPerSecond ?? 4;
      bucket = new TokenBucket({ ratePerSecond: rate, capacity: rate });
      this.#pacers.set(url, bucket);
    }
    return bucket;
  }
}

/**
 * The outcome of a webhook answer: undefined for success, else a DeliveryError saying whether
 * trying again can help. Workflows answers 202; legacy connectors answer 200 with "1", and
 * sometimes 200 with an error text that carries the real status.
 */
export function classifyTeamsResponse(
  status: number,
  retryAfter: string | null,
  body: string,
  format: TeamsCardFormat,
  now = Date.now(),
): DeliveryError | undefined {
  const excerpt = maskSensitive(body.replace(/\s+/g, " ").trim()).slice(0, 300);
  if (status >= 200 && status < 300) {
    const legacy = format === "messagecard" ? legacyConnectorFailure(excerpt) : undefined;
    return legacy === undefined
      ? undefined
      : classifyTeamsResponse(legacy, retryAfter, body, "adaptive", now);
  }
  const retryAfterMs = parseRetryAfter(retryAfter, now);
  const said = excerpt ? `: ${excerpt}` : "";
  const fail = (retryable: boolean, what: string) =>
    new DeliveryError(`${what} (HTTP ${status})${said}`, {
      retryable,
      status,
      ...(retryable && retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });

  if (status === 429) return fail(true, "the Teams webhook is throttling requests");
  if (status === 408 || status === 425 || status >= 500)
    return fail(true, "the Teams webhook failed");
  if (status === 413 || /MessageSizeExceeded|too large|RequestEntityTooLarge/i.test(body))
    return fail(false, "the Teams card is too large for the webhook (MessageSizeExceeded)");
  if (status === 401 || status === 403 || status === 404 || status === 410)
    return fail(
      false,
      "the Teams webhook refused the request; check that the workflow and its URL still exist",
    );
  if (status >= 300 && status < 400)
    return fail(false, "the Teams webhook answered with a redirect; check the webhook URL");
  return fail(false, "the Teams webhook rejected the card");
}

/** "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 …" */
function legacyConnectorFailure(body: string): number | undefined {
  if (body === "" || body === "1") return undefined;
  const match = /HTTP error (\d{3})/i.exec(body);
  if (match?.[1]) return Number(match[1]);
  return /fail|error/i.test(body) ? 500 : undefined;
}

function requestError(
  error: unknown,
  url: string,
  timedOutAfterMs: number | undefined,
): DeliveryError {
  const cause = scrubbed(error, url);
  if (timedOutAfterMs !== undefined)
    return new DeliveryError(`the Teams webhook did not answer within ${timedOutAfterMs} ms`, {
      retryable: true,
      cause,
    });
  if (isAbort(error))
    return new DeliveryError("sending to Teams was aborted", { retryable: true, cause });
  const code = causeCode(error);
  return new DeliveryError(`the Teams webhook could not be reached${code ? ` (${code})` : ""}`, {
    retryable: true,
    cause,
  });
}

function isHttpUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol } = new URL(url);
  return protocol === "https:" || protocol === "http:";
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === "string" ? cause.code : undefined;
}

/** A copy of the error whose message cannot contain the webhook URL. */
function scrubbed(error: unknown, url: string): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const clean = (text: string) => text.split(url).join("[webhook]");
  const copy = new Error(clean(original.message));
  copy.name = original.name;
  const code = causeCode(original);
  if (code) Object.assign(copy, { code });
  if (original.cause instanceof Error) copy.cause = new Error(clean(original.cause.message));
  return copy;
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString("utf8");
}
