import type { Anomaly, ClassifiedEvent } from "../events/types.js";
import type { Logger } from "../logging/logger.js";
import { type PipelineMetrics, pipelineMetrics } from "../metrics/catalog.js";
import { type RetryPolicy, withRetry } from "../retry/backoff.js";
import { anomalyAlert, eventAlert } from "./alerts.js";
import type { NotificationDeadLetterSink } from "./deadLetters.js";
import { DeliveryQueue } from "./deliveryQueue.js";
import { GroupClock } from "./grouping/groupClock.js";
import {
  destinationOf,
  FloodLimit,
  type GroupingOptions,
  groupRequests,
  routeOfGroup,
  tickOrder,
} from "./grouping/grouping.js";
import {
  deliveryFailed,
  type GroupEntry,
  type GroupNotification,
  nextActionAt,
  recordAlert,
  stepDue,
} from "./grouping/groupState.js";
import type { GroupStore } from "./grouping/groupStore.js";
import type { AlertLinkOptions } from "./links.js";
import {
  type AlertRouting,
  type AlertRules,
  channelsFor,
  channelsForAnomaly,
  routeFor,
  routeReaches,
} from "./rules.js";
import { type Alert, type Channel, type ChannelSender, DeliveryError } from "./types.js";

/** What became of an alert on one channel: joined its group, or already there (a redelivery). */
export type ChannelOutcome = "grouped";

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
   * Settles once the alert is in its groups' state. Rejects only when the group state could not
   * be written: the input should then be retried (a redelivered alert is not counted twice).
   */
  done: Promise<NotifyResult>;
}

export interface NotifierOptions {
  /** The senders of the configured channels; a channel without one is skipped. */
  channels: readonly ChannelSender[];
  groups: GroupStore;
  deadLetters: NotificationDeadLetterSink;
  rules: AlertRules;
  routing: AlertRouting;
  grouping: GroupingOptions;
  links?: AlertLinkOptions;
  /** Messages per channel and route, on the group clock; false turns the limit off. */
  flood: { ratePerMinute: number; burst: number } | false;
  retry?: RetryPolicy;
  /** Deliveries in flight per channel (default 4). */
  concurrency?: number;
  /** How often due groups are checked without new records (ms); 0: only on notify and flush. */
  tickIntervalMs?: number;
  /** The group clock (default: event time carried forward by wall time). */
  clock?: GroupClock;
  metrics?: PipelineMetrics;
  logger?: Logger;
  /** Aborts retries in progress (shutdown). */
  signal?: AbortSignal;
  /** For tests: the retry jitter's random source. */
  random?: () => number;
}

/** Channels' default retry: 5 attempts, 1 s doubling to 30 s with jitter, 2 minutes at most. */
export const DEFAULT_ALERT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxElapsedMs: 120_000,
};

const FULL_TICK_MS = 60_000;

/**
 * The notifier: rules → notification groups → flood limit → delivery, for classified lines and
 * anomalies. An alert joins its group per channel (core/alerting/grouping); groups go out when
 * due, checked on every record and on a timer, so a group's wait ends even if nothing else comes.
 * Each channel has its own queue and retries, so a failing channel never holds up the other. A
 * delivery is retried with backoff (honouring Retry-After); after the last attempt the
 * notification goes to the dead-letter sink with the reason, and the group tries again after its
 * interval with everything it holds.
 *
 * @example
 * const ticket = await notifier.notifyClassified(event);
 * await ticket.done;       // the alert is in its groups' state
 * await notifier.tick();   // sends the groups that are due (the Lambda's scheduled invocation)
 * await notifier.flush();  // end of a Lambda invocation: sends what is due, waits for deliveries
 */
export class Notifier {
  readonly #options: NotifierOptions;
  readonly #senders = new Map<Channel, ChannelSender>();
  readonly #queues = new Map<Channel, DeliveryQueue>();
  readonly #retry: RetryPolicy;
  readonly #metrics: PipelineMetrics;
  readonly #clock: GroupClock;
  readonly #flood: FloodLimit;
  readonly #timer: NodeJS.Timeout | undefined;
  /** The earliest clock time a group this process knows has something to do. */
  #nextActionAt = Number.NEGATIVE_INFINITY;
  #ticking: Promise<void> | undefined;
  #tickAgain = false;

  constructor(options: NotifierOptions) {
    this.#options = options;
    this.#retry = options.retry ?? DEFAULT_ALERT_RETRY;
    this.#metrics = options.metrics ?? pipelineMetrics;
    this.#clock = options.clock ?? new GroupClock({ followWall: true });
    this.#flood = new FloodLimit(options.flood);
    for (const sender of options.channels) {
      this.#senders.set(sender.channel, sender);
      this.#queues.set(
        sender.channel,
        new DeliveryQueue({ concurrency: options.concurrency ?? 4, maxBacklog: 10_000 }),
      );
    }
    if (options.tickIntervalMs) {
      // Also a full look now and then: on a shared store, another process may have changed a group's
      // timers without this one knowing.
      let lastFull = 0;
      this.#timer = setInterval(() => {
        const wall = this.#clock.wall();
        if (this.#clock.now() < this.#nextActionAt && wall - lastFull < FULL_TICK_MS) return;
        lastFull = wall;
        void this.tick();
      }, options.tickIntervalMs);
      this.#timer.unref();
    }
  }

  /** Alerts for an incident or preventive_action line, when the rules say so. */
  async notifyClassified(event: ClassifiedEvent): Promise<NotifyTicket> {
    this.#clock.observe(Date.parse(event.timestamp));
    const channels = channelsFor(event, this.#options.rules);
    return this.#notify(channels, () => eventAlert(event, this.#options.links));
  }

  /** Alerts for an anomaly scoring at or above the threshold. */
  async notifyAnomaly(anomaly: Anomaly): Promise<NotifyTicket> {
    this.#clock.observe(Date.parse(anomaly.window.end));
    const channels = channelsForAnomaly(anomaly, this.#options.rules);
    return this.#notify(channels, () => anomalyAlert(anomaly, this.#options.links));
  }

  /** Sends the groups that are due now (and ends quiet episodes); deliveries go on in the background. */
  async tick(): Promise<void> {
    if (this.#ticking) {
      this.#tickAgain = true;
      return this.#ticking;
    }
    const run = this.#sendDue().finally(() => {
      this.#ticking = undefined;
    });
    this.#ticking = run;
    await run;
    if (this.#tickAgain) {
      this.#tickAgain = false;
      await this.tick();
    }
  }

  /**
   * Sends what is due and waits for every delivery in flight (the end of a Lambda invocation).
   * What is not due yet stays in the group state, for the timer, the next invocation or the next
   * start: a restart or a scheduled flush never sends early.
   */
  async flush(): Promise<void> {
    await this.tick();
    await this.#idle();
  }

  /** Flushes, stops the timer and closes the group store. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    await this.#options.groups.close?.();
  }

  async #notify(ruleChannels: Channel[], build: () => Alert): Promise<NotifyTicket> {
    // Due groups go first: a quiet group's episode ends before a new alert opens the next one.
    if (this.#clock.now() >= this.#nextActionAt) await this.tick();
    if (ruleChannels.length === 0) {
      return { alert: undefined, channels: [], done: Promise.resolve(noAlert) };
    }
    const alert = build();
    const route = routeFor(alert.service, this.#options.routing);
    const channels = ruleChannels.filter(
      (channel) => this.#senders.has(channel) && routeReaches(channel, route),
    );
    const { settings, groupBy } = this.#options.grouping;
    const requests = groupRequests(alert, channels, this.#options.routing, groupBy);
    const done = Promise.all(
      requests.map((request) =>
        this.#options.groups.update(request.groupId, (entry) => {
          const next = recordAlert(entry, request, settings, this.#clock.now(), this.#clock.wall());
          return { result: next, next: next === entry ? undefined : next };
        }),
      ),
    ).then((entries) => {
      for (const entry of entries) this.#noteNextAction(entry);
      for (const channel of channels) this.#count(channel, "grouped");
      return {
        alert,
        outcomes: Object.fromEntries(channels.map((channel) => [channel, "grouped" as const])),
      };
    });
    done.catch((error: unknown) =>
      this.#options.logger?.error(
        { key: alert.key, error: (error as Error).message },
        "alert could not be added to its group; its input should be retried",
      ),
    );
    await done.catch(() => undefined);
    return { alert, channels, done };
  }

  async #sendDue(): Promise<void> {
    const { groups, grouping, logger } = this.#options;
    const { settings } = grouping;
    let entries: GroupEntry[];
    try {
      entries = await groups.list();
    } catch (error) {
      logger?.error({ error: (error as Error).message }, "could not read alert groups");
      return;
    }
    // What deliveries note while this runs lowers it; what this tick leaves is added at the end.
    this.#nextActionAt = Number.POSITIVE_INFINITY;
    let next = Number.POSITIVE_INFINITY;
    const clockOf = (entry: GroupEntry) => this.#clock.forGroup(entry.clock);
    for (const entry of tickOrder(entries)) {
      const clock = clockOf(entry);
      if (nextActionAt(entry, settings) > clock) {
        next = Math.min(next, nextActionAt(entry, settings));
        continue;
      }
      const destination = destinationOf(entry);
      let decided: Decided;
      try {
        decided = await groups.update<Decided>(entry.id, (current) => {
          if (!current) return { result: { notifications: [], after: undefined }, next: undefined };
          const flood = this.#flood.admitter(destination, clockOf(current));
          const stepped = stepDue(
            current,
            clockOf(current),
            settings,
            this.#clock.wall(),
            flood.admit,
          );
          return {
            result: {
              notifications: stepped.notifications,
              after: stepped.next === undefined ? current : stepped.next,
            },
            next: stepped.next,
          };
        });
      } catch (error) {
        logger?.error(
          { group: entry.id, error: (error as Error).message },
          "could not decide an alert group's notification; trying again later",
        );
        next = Math.min(next, clock + settings.waitMs);
        continue;
      }
      this.#flood.admitter(destination, clock).commit(decided.notifications);
      for (const notification of decided.notifications) this.#queueDelivery(notification);
      if (decided.after) {
        const after = nextActionAt(decided.after, settings);
        // Held back by the flood limit: look again in a second.
        next = Math.min(next, after <= clock ? clock + 1000 : after);
      }
    }
    this.#nextActionAt = Math.min(this.#nextActionAt, next);
  }

  #queueDelivery(notification: GroupNotification): void {
    const { channel } = notification;
    const route = routeOfGroup(notification.route, this.#options.routing);
    this.#queue(channel).pushNow(() => this.#deliver(notification, route));
  }

  async #deliver(
    notification: GroupNotification,
    route: ReturnType<typeof routeOfGroup>,
  ): Promise<void> {
    const { channel } = notification;
    const sender = this.#senders.get(channel);
    const { logger, signal } = this.#options;
    let attempts = 0;
    try {
      if (!sender)
        throw new DeliveryError(`no ${channel} channel is configured`, { retryable: false });
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
      await this.#deadLetter(notification, error, attempts);
      return;
    }
    this.#count(channel, "sent");
  }

  async #deadLetter(
    notification: GroupNotification,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const { channel } = notification;
    const { settings } = this.#options.grouping;
    // First: if writing the dead letter fails too, the group still sends again later.
    const retryAt = Date.parse(notification.at) + settings.intervalMs;
    await this.#settle(notification, (entry) =>
      deliveryFailed(entry, notification, retryAt, this.#clock.wall()),
    );
    const retryable = isRetryable(error);
    const reason = `${channel} delivery failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${(error as Error).message ?? String(error)}`;
    try {
      await this.#options.deadLetters.write([
        {
          reason,
          stage: "notifier",
          channel,
          attempts,
          retryable,
          failedAt: new Date().toISOString(),
          notification,
        },
      ]);
    } catch (writeError) {
      this.#options.logger?.error(
        { channel, group: notification.groupId, error: (writeError as Error).message },
        "could not write the undeliverable notification to the dead-letter place; the group sends again after its interval",
      );
    }
    this.#count(channel, "failed");
    this.#metrics.deadLetters.inc({
      stage: "notifier",
      reason: retryable ? "retries_exhausted" : "permanent",
    });
    this.#options.logger?.error(
      { channel, reason, group: notification.groupId, alerts: notification.alerts.length },
      "alert notification dead-lettered",
    );
  }

  /** Records a failed delivery in the group, retried briefly; a failure is logged. */
  async #settle(
    notification: GroupNotification,
    decide: (entry: GroupEntry | undefined) => GroupEntry | undefined,
  ): Promise<void> {
    const { groups, logger } = this.#options;
    try {
      const entry = await withRetry(
        () =>
          groups.update(notification.groupId, (current) => {
            const next = decide(current);
            return { result: next, next };
          }),
        { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 1000 },
      );
      if (entry) this.#noteNextAction(entry);
    } catch (error) {
      logger?.error(
        { group: notification.groupId, error: (error as Error).message },
        "could not record the failed notification in the group state; the group sends again with its next change",
      );
    }
  }

  #noteNextAction(entry: GroupEntry): void {
    this.#nextActionAt = Math.min(
      this.#nextActionAt,
      nextActionAt(entry, this.#options.grouping.settings),
    );
  }

  #queue(channel: Channel): DeliveryQueue {
    return this.#queues.get(channel) as DeliveryQueue;
  }

  async #idle(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((queue) => queue.idle()));
  }

  #count(channel: Channel, outcome: "grouped" | "sent" | "failed"): void {
    this.#metrics.alerts.inc({ channel, outcome });
  }
}

/** What one group's stepping decided: its notifications and the entry after them. */
interface Decided {
  notifications: GroupNotification[];
  after: GroupEntry | null | undefined;
}

const noAlert: NotifyResult = { alert: undefined, outcomes: {} };

/** Unknown errors (a bug, a dropped connection) are retried; a DeliveryError says for itself. */
function isRetryable(error: unknown): boolean {
  return !(error instanceof DeliveryError) || error.retryable;
}
