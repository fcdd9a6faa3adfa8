import { anomalyAlert, eventAlert } from "../../core/alerting/alerts.js";
import { GroupClock } from "../../core/alerting/grouping/groupClock.js";
import {
  destinationOf,
  dueGroups,
  FloodLimit,
  type GroupingOptions,
  groupRequests,
} from "../../core/alerting/grouping/grouping.js";
import {
  claimDue,
  confirmSent,
  type GroupEntry,
  type GroupNotification,
  nextActionAt,
  recordAlert,
} from "../../core/alerting/grouping/groupState.js";
import { MemoryGroupStore } from "../../core/alerting/grouping/groupStore.js";
import {
  type AlertRouting,
  type AlertRules,
  channelsFor,
  channelsForAnomaly,
} from "../../core/alerting/rules.js";
import type { Alert, Channel } from "../../core/alerting/types.js";
import type { Anomaly, ClassifiedEvent } from "../../core/events/types.js";

export interface WouldAlertOptions {
  rules: AlertRules;
  grouping: GroupingOptions;
  /** Default: one route for every service. */
  routing?: AlertRouting;
  flood?: { ratePerMinute: number; burst: number } | false;
}

/** What an alert joined: its key and the channels the rules picked. */
export interface WouldAlertDecision {
  alert: Alert;
  channels: Channel[];
}

const ONE_ROUTE: AlertRouting = {
  defaultRoute: { emailRecipients: ["on-call@example.com"], teamsWebhookUrl: "https://teams" },
};
const TOKEN = "replay";

/**
 * What the notifier would send, without sending: the same rules, the same notification groups
 * and flood limit (core/alerting/grouping), on event time, with every delivery succeeding.
 * `sentinel analyze` reports it as "would alert". Call `finish()` at the end of the input: what
 * groups hold then goes out as `sentinel run` would send it once their wait or interval ends.
 */
export class WouldAlert {
  readonly #options: WouldAlertOptions;
  readonly #routing: AlertRouting;
  readonly #groups = new MemoryGroupStore();
  readonly #clock = new GroupClock({ followWall: false, wall: () => 0 });
  readonly #flood: FloodLimit;
  #nextActionAt = Number.POSITIVE_INFINITY;
  #ended: number | undefined;
  /** Called with every notification, in the order they would go out. */
  onNotification: ((notification: GroupNotification) => void) | undefined;

  constructor(options: WouldAlertOptions) {
    this.#options = options;
    this.#routing = options.routing ?? ONE_ROUTE;
    this.#flood = new FloodLimit(options.flood ?? false);
  }

  /** Undefined when the line does not alert. */
  classified(event: ClassifiedEvent): WouldAlertDecision | undefined {
    this.#advance(Date.parse(event.timestamp));
    const channels = channelsFor(event, this.#options.rules);
    if (channels.length === 0) return undefined;
    return this.#record(eventAlert(event), channels);
  }

  /** Undefined when the anomaly scores under the threshold. */
  anomaly(anomaly: Anomaly): WouldAlertDecision | undefined {
    this.#advance(Date.parse(anomaly.window.end));
    const channels = channelsForAnomaly(anomaly, this.#options.rules);
    if (channels.length === 0) return undefined;
    return this.#record(anomalyAlert(anomaly), channels);
  }

  /**
   * The end of the input: the stream goes quiet, as a followed file that stops growing. Groups
   * send what becomes due until every episode has resolved; `onNotification` learns which come
   * after the input's last event.
   */
  finish(): void {
    const { settings } = this.#options.grouping;
    this.#ended = this.#clock.now();
    const end = this.#ended + settings.resolveAfterMs;
    this.#send();
    for (let step = 0; step < 100_000 && this.#nextActionAt <= end; step++) {
      this.#clock.observe(this.#nextActionAt);
      this.#send();
    }
  }

  /** The clock at the end of the input; undefined before `finish()`. */
  get endedAt(): number | undefined {
    return this.#ended;
  }

  #advance(at: number): void {
    this.#clock.observe(at);
    if (this.#clock.now() >= this.#nextActionAt) this.#send();
  }

  #record(alert: Alert, channels: Channel[]): WouldAlertDecision {
    const { settings, groupBy } = this.#options.grouping;
    for (const request of groupRequests(alert, channels, this.#routing, groupBy)) {
      const entry = this.#groups.updateNow(request.groupId, (current) => {
        const next = recordAlert(current, request, settings, this.#clock.now(), 0);
        return { result: next, next: next === current ? undefined : next };
      });
      this.#nextActionAt = Math.min(this.#nextActionAt, nextActionAt(entry, settings));
    }
    return { alert, channels };
  }

  #send(): void {
    const { settings } = this.#options.grouping;
    const clock = this.#clock.now();
    const lease = { token: TOKEN, wallNow: 0, leaseMs: 1 };
    const entries = this.#groups.listNow();
    const due = new Set(dueGroups(entries, () => clock, settings));
    let next = Number.POSITIVE_INFINITY;
    for (const entry of entries)
      if (!due.has(entry)) next = Math.min(next, nextActionAt(entry, settings));
    for (const entry of due) {
      const destination = destinationOf(entry);
      if (!this.#flood.has(destination, clock)) {
        next = Math.min(next, clock + 1000);
        continue;
      }
      const decision = claimDue(entry, clock, settings, lease);
      if (!decision) continue;
      if (decision.action === "close") {
        this.#groups.updateNow(entry.id, () => ({ result: undefined, next: null }));
        continue;
      }
      this.#flood.take(destination, clock);
      this.onNotification?.(decision.notification);
      const sent = confirmSent(decision.next, TOKEN, settings, 0);
      this.#groups.updateNow(entry.id, () => ({ result: undefined, next: sent }));
      if (sent) next = Math.min(next, nextActionAt(sent as GroupEntry, settings));
    }
    this.#nextActionAt = next;
  }
}
