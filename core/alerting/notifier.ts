import type { Anomaly, ClassifiedEvent } from "../events/types.js";
import type { Logger } from "../logging/logger.js";
import { type PipelineMetrics, pipelineMetrics } from "../metrics/catalog.js";
import { type RetryPolicy, withRetry } from "../retry/backoff.js";
import { anomalyAlert, eventAlert } from "./alerts.js";
import type { NotificationDeadLetter, NotificationDeadLetterSink } from "./deadLetters.js";
import type { DedupClaim, DedupStore, SuppressedCount } from "./dedupWindow.js";
import { DeliveryQueue } from "./deliveryQueue.js";
import { FloodGuard } from "./floodGuard.js";
import type { AlertLinkOptions } from "./links.js";
import {
  type AlertRouting,
  type AlertRules,
  channelsFor,
  channelsForAnomaly,
  routeFor,
  routeNameFor,
  routeReaches,
} from "./rules.js";
import {
  type Alert,
  type Channel,
  type ChannelSender,
  DeliveryError,
  type Notification,
  type Route,
} from "./types.js";

/** What became of an alert on one channel. */
export type ChannelOutcome =
  /** Delivered on its own. */
  | "sent"
  /** Delivered inside a flood digest. */
  | "digest"
  /** Inside the dedup window: counted, and reported by the next alert sent for the key. */
  | "suppressed"
  /** The same alert again (a redelivered record): nothing to do. */
  | "duplicate"
  /** Not delivered after the last retry: written to the dead-letter sink with the reason. */
  | "dead-lettered";

export interface NotifyResult {
  /** Undefined when no rule matched. */
  alert: Alert | undefined;
  outcomes: Partial<Record<Channel, ChannelOutcome>>;
}

export interface NotifyTicket {
  alert: Alert | undefined;
  /** The channels the alert went on to (rules, configured senders and the route decide). */
  channels: Channel[];
  /**
   * Settles once every channel has an outcome (a folded alert: once its digest went out or was
   * dead-lettered). Rejects only when the dedup state or the dead-letter sink failed: the input
   * should then be retried, and the retry is not suppressed.
   */
  done: Promise<NotifyResult>;
}

export interface NotifierOptions {
  /** The senders of the configured channels; a channel without one is skipped. */
  channels: readonly ChannelSender[];
  dedup: DedupStore;
  deadLetters: NotificationDeadLetterSink;
  rules: AlertRules;
  routing: AlertRouting;
  links?: AlertLinkOptions;
  /** Token bucket per destination; false turns the flood guard off. */
  flood: { ratePerMinute: number; burst: number } | false;
  retry?: RetryPolicy;
  /** Deliveries in flight per channel (default 4). */
  concurrency?: number;
  /** Alerts queued per channel before notify* waits for room (default 1000). */
  maxBacklog?: number;
  /** How often waiting digests check for returned tokens; 0 (default): only on notify and flush. */
  digestCheckIntervalMs?: number;
  /** Alerts shown in one digest; it counts them all (default 20). */
  maxDigestAlerts?: number;
  metrics?: PipelineMetrics;
  logger?: Logger;
  /** Aborts retries in progress (shutdown). */
  signal?: AbortSignal;
  /** For tests: the flood guard's clock (ms) and the retry jitter's random source. */
  now?: () => number;
  random?: () => number;
}

/** Channels' default retry: 5 attempts, 1 s doubling to 30 s with jitter, 2 minutes at most. */
export const DEFAULT_ALERT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxElapsedMs: 120_000,
};

interface Pending {
  channel: Channel;
  alert: Alert;
  route: Route;
  claim: DedupClaim;
  settle: Settle;
}

interface Settle {
  resolve(outcome: ChannelOutcome): void;
  reject(error: unknown): void;
}

/**
 * The notifier: rules → dedup → flood guard → delivery, for classified lines and anomalies.
 * Each channel has its own queue, dedup entries and retries, so a failing channel never holds up
 * the other. A delivery is retried with backoff (honouring a channel's Retry-After); after the
 * last attempt the notification goes to the dead-letter sink with the reason, and its dedup claim
 * is released so the next occurrence is sent rather than suppressed.
 *
 * @example
 * const ticket = await notifier.notifyClassified(event);
 * await notifier.flush(); // at the end of a batch: sends waiting digests, waits for deliveries
 * const { outcomes } = await ticket.done;
 */
export class Notifier {
  readonly #options: NotifierOptions;
  readonly #senders = new Map<Channel, ChannelSender>();
  readonly #queues = new Map<Channel, DeliveryQueue>();
  readonly #guard: FloodGuard<Pending> | undefined;
  readonly #retry: RetryPolicy;
  readonly #metrics: PipelineMetrics;
  readonly #timer: NodeJS.Timeout | undefined;
  /** Alerts this notifier holds a claim for (delivering, or waiting in a digest): channel|id. */
  readonly #inFlight = new Set<string>();

  constructor(options: NotifierOptions) {
    this.#options = options;
    this.#retry = options.retry ?? DEFAULT_ALERT_RETRY;
    this.#metrics = options.metrics ?? pipelineMetrics;
    for (const sender of options.channels) {
      this.#senders.set(sender.channel, sender);
      this.#queues.set(
        sender.channel,
        new DeliveryQueue({
          concurrency: options.concurrency ?? 4,
          maxBacklog: options.maxBacklog ?? 1000,
        }),
      );
    }
    if (options.flood) {
      this.#guard = new FloodGuard<Pending>({
        ...options.flood,
        ...(options.now && { now: options.now }),
      });
    }
    if (options.digestCheckIntervalMs) {
      this.#timer = setInterval(() => this.#sendDueDigests(), options.digestCheckIntervalMs);
      this.#timer.unref();
    }
  }

  /** Alerts for an incident or preventive_action line, when the rules say so. */
  notifyClassified(event: ClassifiedEvent): Promise<NotifyTicket> {
    const channels = channelsFor(event, this.#options.rules);
    return this.#notify(channels, () => eventAlert(event, this.#options.links));
  }

  /** Alerts for an anomaly scoring at or above the threshold. */
  notifyAnomaly(anomaly: Anomaly): Promise<NotifyTicket> {
    const channels = channelsForAnomaly(anomaly, this.#options.rules);
    return this.#notify(channels, () => anomalyAlert(anomaly, this.#options.links));
  }

  /** Waits for queued deliveries, sends every waiting digest (tokens or not), waits again. */
  async flush(): Promise<void> {
    await this.#idle();
    for (const folded of this.#guard?.drain() ?? []) this.#queueDigest(folded.items);
    await this.#idle();
  }

  /** Flushes, stops the digest timer and closes the dedup store. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    await this.#options.dedup.close?.();
  }

  async #notify(ruleChannels: Channel[], build: () => Alert): Promise<NotifyTicket> {
    if (ruleChannels.length === 0) {
      return { alert: undefined, channels: [], done: Promise.resolve(noAlert) };
    }
    const alert = build();
    const route = routeFor(alert.service, this.#options.routing);
    const channels = ruleChannels.filter(
      (channel) => this.#senders.has(channel) && routeReaches(channel, route),
    );
    // Wrapped in an object: an async function returning the promise itself would wait for it.
    const settled = await Promise.all(
      channels.map(async (channel) => {
        const { promise, settle } = deferred();
        await this.#queue(channel).push(() => this.#process(channel, alert, route, settle));
        return { promise };
      }),
    );
    const done = Promise.all(settled.map((s) => s.promise)).then((outcomes) => ({
      alert,
      outcomes: Object.fromEntries(channels.map((channel, i) => [channel, outcomes[i]])),
    }));
    // Whoever does not wait for `done` (sentinel run) must not crash on an unhandled rejection;
    // the failure is logged where it happens.
    done.catch(() => undefined);
    return { alert, channels, done };
  }

  async #process(channel: Channel, alert: Alert, route: Route, settle: Settle): Promise<void> {
    const id = inFlightId(channel, alert.id);
    if (this.#inFlight.has(id)) {
      settle.resolve("duplicate");
      return;
    }
    // Marked before the claim: the same alert twice in one batch is one claim, not a busy one.
    this.#inFlight.add(id);
    let claimed = false;
    try {
      const decision = await this.#options.dedup.claim({
        key: alert.key,
        channel,
        alertId: alert.id,
        at: Date.parse(alert.at),
      });
      if (decision.outcome === "suppressed") {
        this.#count(channel, "suppressed");
        settle.resolve("suppressed");
        return;
      }
      if (decision.outcome === "duplicate") {
        settle.resolve("duplicate");
        return;
      }
      if (decision.outcome === "busy") throw new ClaimHeldError(channel, alert.key);
      const claim: DedupClaim = { key: decision.key, channel, token: decision.token };
      claimed = true;
      const pending: Pending = {
        channel,
        alert: withSimilar(alert, decision.similar),
        route,
        claim,
        settle: {
          resolve: (outcome) => {
            this.#inFlight.delete(id);
            settle.resolve(outcome);
          },
          reject: (error) => {
            this.#inFlight.delete(id);
            settle.reject(error);
          },
        },
      };
      const destination = `${channel}|${routeNameFor(alert.service, this.#options.routing)}`;
      if (this.#guard && !this.#guard.admit(destination, pending)) {
        this.#count(channel, "suppressed");
        this.#sendDueDigests();
        return;
      }
      await this.#deliver(channel, route, { type: "alert", alert: pending.alert }, [pending]).catch(
        (error: unknown) => pending.settle.reject(error),
      );
    } catch (error) {
      this.#options.logger?.[error instanceof ClaimHeldError ? "warn" : "error"](
        { channel, key: alert.key, error: (error as Error).message },
        "alert could not be processed; its input should be retried",
      );
      settle.reject(error);
    } finally {
      if (!claimed) this.#inFlight.delete(id);
    }
  }

  #sendDueDigests(): void {
    for (const folded of this.#guard?.due() ?? []) this.#queueDigest(folded.items);
  }

  #queueDigest(items: Pending[]): void {
    const first = items[0];
    if (!first) return;
    const notification = digestOf(items, this.#options.maxDigestAlerts ?? 20);
    this.#queue(first.channel).pushNow(async () => {
      try {
        await this.#deliver(first.channel, first.route, notification, items);
      } catch (error) {
        for (const item of items) item.settle.reject(error);
      }
    });
  }

  async #deliver(
    channel: Channel,
    route: Route,
    notification: Notification,
    items: Pending[],
  ): Promise<void> {
    const sender = this.#senders.get(channel) as ChannelSender;
    const { logger, signal } = this.#options;
    let attempts = 0;
    try {
      await withRetry(
        async (attempt) => {
          attempts = attempt;
          await sender.send(notification, route, signal);
        },
        this.#retry,
        {
          isRetryable,
          retryAfterMs: (error) =>
            error instanceof DeliveryError ? error.retryAfterMs : undefined,
          onRetry: ({ attempt, delayMs, error }) =>
            logger?.warn(
              { channel, attempt, delayMs, error: (error as Error).message },
              "alert delivery failed; retrying",
            ),
          ...(signal && { signal }),
          ...(this.#options.random && { random: this.#options.random }),
        },
      );
    } catch (error) {
      await this.#deadLetter(channel, notification, items, error, attempts);
      return;
    }
    await Promise.all(items.map((item) => this.#settleClaim("confirm", item.claim)));
    this.#count(channel, "sent");
    const outcome: ChannelOutcome = notification.type === "digest" ? "digest" : "sent";
    for (const item of items) item.settle.resolve(outcome);
  }

  async #deadLetter(
    channel: Channel,
    notification: Notification,
    items: Pending[],
    error: unknown,
    attempts: number,
  ): Promise<void> {
    // Released first: if writing the dead letter fails too, the retried input is sent, not suppressed.
    await Promise.all(items.map((item) => this.#settleClaim("release", item.claim)));
    const retryable = isRetryable(error);
    const reason = `${channel} delivery failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${(error as Error).message ?? String(error)}`;
    const failedAt = new Date().toISOString();
    const letters: NotificationDeadLetter[] = items.map((item) => ({
      reason,
      stage: "notifier",
      channel,
      attempts,
      retryable,
      failedAt,
      notification: { type: "alert", alert: item.alert },
      ...(notification.type === "digest" && {
        digest: { total: notification.total, since: notification.since, until: notification.until },
      }),
    }));
    await this.#options.deadLetters.write(letters);
    this.#count(channel, "failed");
    this.#metrics.deadLetters.inc(
      { stage: "notifier", reason: retryable ? "retries_exhausted" : "permanent" },
      letters.length,
    );
    this.#options.logger?.error(
      { channel, reason, alerts: letters.length, keys: items.slice(0, 5).map((i) => i.alert.key) },
      "alert dead-lettered",
    );
    for (const item of items) item.settle.resolve("dead-lettered");
  }

  /** Confirm or release, retried briefly; a failure is logged (the claim's lease ends it). */
  async #settleClaim(action: "confirm" | "release", claim: DedupClaim): Promise<void> {
    const { dedup, logger } = this.#options;
    try {
      await withRetry(() => dedup[action](claim), {
        maxAttempts: 3,
        baseDelayMs: 200,
        maxDelayMs: 1000,
      });
    } catch (error) {
      logger?.error(
        { action, key: claim.key, channel: claim.channel, error: (error as Error).message },
        "could not record the alert's delivery in the dedup state; its lease will expire",
      );
    }
  }

  #queue(channel: Channel): DeliveryQueue {
    return this.#queues.get(channel) as DeliveryQueue;
  }

  async #idle(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.idle()));
  }

  #count(channel: Channel, outcome: "sent" | "suppressed" | "failed"): void {
    this.#metrics.alerts.inc({ channel, outcome });
  }
}

function inFlightId(channel: Channel, alertId: string): string {
  return `${channel}|${alertId}`;
}

/**
 * Another notifier holds the claim for this very alert (a racing Lambda, or one that died with
 * it): the input must come again later, when the alert has been sent or its claim has ended.
 */
export class ClaimHeldError extends Error {
  override name = "ClaimHeldError";
  constructor(channel: Channel, key: string) {
    super(`the ${channel} alert for ${key} is being sent by another notifier; retry later`);
  }
}

const noAlert: NotifyResult = { alert: undefined, outcomes: {} };

/** Unknown errors (a bug, a dropped connection) are retried; a DeliveryError says for itself. */
function isRetryable(error: unknown): boolean {
  return !(error instanceof DeliveryError) || error.retryable;
}

function withSimilar(alert: Alert, similar: SuppressedCount | undefined): Alert {
  if (!similar) return alert;
  return {
    ...alert,
    similar: {
      count: similar.count,
      firstSeen: new Date(similar.firstAt).toISOString(),
      lastSeen: new Date(similar.lastAt).toISOString(),
    },
  };
}

/** One waiting alert goes out as itself; more as a digest showing the first `max`. */
function digestOf(items: Pending[], max: number): Notification {
  const [only] = items;
  if (items.length === 1 && only) return { type: "alert", alert: only.alert };
  const times = items.map((item) => Date.parse(item.alert.at));
  return {
    type: "digest",
    alerts: items.slice(0, max).map((item) => item.alert),
    total: items.length,
    since: new Date(times.reduce((a, b) => Math.min(a, b))).toISOString(),
    until: new Date(times.reduce((a, b) => Math.max(a, b))).toISOString(),
  };
}

function deferred(): { promise: Promise<ChannelOutcome>; settle: Settle } {
  let settle!: Settle;
  const promise = new Promise<ChannelOutcome>((resolve, reject) => {
    settle = { resolve, reject };
  });
  return { promise, settle };
}
