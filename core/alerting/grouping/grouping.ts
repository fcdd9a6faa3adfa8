import { TokenBucket } from "../../ratelimit/tokenBucket.js";
import { type AlertRouting, routeFor, routeNameFor } from "../rules.js";
import type { Alert, Channel, Route } from "../types.js";
import type { GroupAlertRequest, GroupEntry, GroupSettings } from "./groupState.js";

/**
 * What the notifier (`sentinel run`, the Lambda) and the "would alert" replay (`sentinel analyze`)
 * share beyond the group state machine: which group an alert joins, the order due groups go out
 * in, and the flood limit per destination. Sharing them is what keeps the two in agreement.
 */

/** The fields ALERT_GROUP_BY may name. */
export const GROUP_FIELDS = ["service", "kind", "severity"] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];

export interface GroupingOptions {
  settings: GroupSettings;
  /** ALERT_GROUP_BY; empty: one group per channel and route. */
  groupBy: readonly GroupField[];
}

/** The group of an alert on each channel: channel × route × the ALERT_GROUP_BY values. */
export function groupRequests(
  alert: Alert,
  channels: readonly Channel[],
  routing: AlertRouting,
  groupBy: readonly GroupField[],
): GroupAlertRequest[] {
  const route = routeNameFor(alert.service, routing);
  const labels: Record<string, string> = {};
  for (const field of groupBy) labels[field] = alert[field];
  const by = groupBy.map((field) => `${field}=${labels[field]}`).join(",");
  return channels.map((channel) => ({
    groupId: `${channel}|${route}|${by}`,
    channel,
    route,
    labels,
    alert,
  }));
}

/** Who a group's notifications go to: the route it was made for. */
export function routeOfGroup(route: string, routing: AlertRouting): Route {
  return route.startsWith("service:")
    ? routeFor(route.slice("service:".length), routing)
    : routing.defaultRoute;
}

/**
 * The order a tick looks at groups in: urgent ones (an anomaly waits) first, then by id, so the
 * replay and every store give the flood limit's tokens to the same groups.
 */
export function tickOrder(entries: readonly GroupEntry[]): GroupEntry[] {
  return [...entries].sort((a, b) => Number(b.urgent) - Number(a.urgent) || (a.id < b.id ? -1 : 1));
}

/**
 * The flood limit (ALERT_FLOOD_RATE_PER_MINUTE, ALERT_FLOOD_BURST): a token bucket per channel
 * and route, on the group clock. A group that finds no token stays due and goes out, with all
 * that came in meanwhile, once a token is back: nothing is dropped, the messages only come less
 * often.
 */
export class FloodLimit {
  readonly #options: { ratePerMinute: number; burst: number } | false;
  readonly #buckets = new Map<string, TokenBucket>();
  #now = 0;

  constructor(options: { ratePerMinute: number; burst: number } | false) {
    this.#options = options;
  }

  /** True (and a token taken) when `destination` may get a message at clock `now`. */
  take(destination: string, now: number): boolean {
    if (!this.#options) return true;
    this.#now = Math.max(this.#now, now);
    let bucket = this.#buckets.get(destination);
    if (!bucket) {
      bucket = new TokenBucket({
        ratePerSecond: this.#options.ratePerMinute / 60,
        capacity: this.#options.burst,
        now: () => this.#now,
      });
      this.#buckets.set(destination, bucket);
    }
    return bucket.tryTake();
  }

  /** Tokens `destination` has at `now`, without taking any. */
  available(destination: string, now: number): number {
    if (!this.#options) return Number.POSITIVE_INFINITY;
    this.#now = Math.max(this.#now, now);
    const bucket = this.#buckets.get(destination);
    return bucket ? bucket.available : this.#options.burst;
  }

  /**
   * An admission check for one group's stepping (which a store may run more than once, on a
   * conflicting write): it counts what it admitted without taking tokens; `commit` takes them
   * for the notifications that were really decided.
   */
  admitter(
    destination: string,
    now: number,
  ): { admit: () => boolean; commit: (notifications: readonly unknown[]) => void } {
    let used = 0;
    return {
      admit: () => {
        if (this.available(destination, now) - used < 1) return false;
        used++;
        return true;
      },
      commit: (notifications) => {
        for (let i = 0; i < notifications.length; i++) this.take(destination, now);
      },
    };
  }
}

export function destinationOf(entry: Pick<GroupEntry, "channel" | "route">): string {
  return `${entry.channel}|${entry.route}`;
}
