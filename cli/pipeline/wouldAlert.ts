import { anomalyAlert, eventAlert } from "../../core/alerting/alerts.js";
import { GroupClock } from "../../core/alerting/grouping/groupClock.js";
import {
  destinationOf,
  FloodLimit,
  type GroupingOptions,
  groupRequests,
  tickOrder,
} from "../../core/alerting/grouping/grouping.js";
import {
  type GroupNotification,
  nextActionAt,
  recordAlert,
  stepDue,
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
   * send what becomes due over the next ALERT_RESOLVE_AFTER_MINUTES (updates still due, resolved
   * notices; a trickle that takes longer to resolve is left open); `onNotification` learns which
   * come after the input's last event.
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
    let next = Number.POSITIVE_INFINITY;
    for (const entry of tickOrder(this.#groups.listNow())) {
      if (nextActionAt(entry, settings) > clock) {
        next = Math.min(next, nextActionAt(entry, settings));
        continue;
      }
      const flood = this.#flood.admitter(destinationOf(entry), clock);
      const stepped = stepDue(entry, clock, settings, 0, flood.admit);
      flood.commit(stepped.notifications);
      for (const notification of stepped.notifications) this.onNotification?.(notification);
      if (stepped.next !== undefined)
        this.#groups.updateNow(entry.id, () => ({ result: undefined, next: stepped.next }));
      const after = stepped.next === undefined ? entry : stepped.next;
      if (after) {
        const at = nextActionAt(after, settings);
        next = Math.min(next, at <= clock ? clock + 1000 : at);
      }
    }
    this.#nextActionAt = next;
  }
}
