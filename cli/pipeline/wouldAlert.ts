import { alertIdOf } from "../../core/alerting/alerts.js";
import { MemoryDedupStore } from "../../core/alerting/memoryDedupStore.js";
import {
  type AlertRules,
  alertKeyOf,
  anomalyKeyOf,
  channelsFor,
  channelsForAnomaly,
} from "../../core/alerting/rules.js";
import type { Channel } from "../../core/alerting/types.js";
import type { Anomaly, ClassifiedEvent } from "../../core/events/types.js";

export interface WouldAlertDecision {
  key: string;
  /** The channels the rules pick. */
  channels: Channel[];
  /** The channels it would be sent on now; the others' dedup windows suppress it. */
  sentOn: Channel[];
}

/**
 * What the notifier would do, without sending: the same rules and the same dedup (event time,
 * per channel) with every delivery succeeding. `sentinel analyze` reports it as "would alert".
 */
export class WouldAlert {
  readonly #rules: AlertRules;
  readonly #dedup: MemoryDedupStore;

  constructor(options: { rules: AlertRules; dedupWindowMs: number; maxKeys?: number }) {
    this.#rules = options.rules;
    this.#dedup = new MemoryDedupStore({
      windowMs: options.dedupWindowMs,
      ...(options.maxKeys !== undefined && { maxKeys: options.maxKeys }),
    });
  }

  /** Undefined when the line does not alert. */
  classified(event: ClassifiedEvent): WouldAlertDecision | undefined {
    const channels = channelsFor(event, this.#rules);
    if (channels.length === 0) return undefined;
    const key = alertKeyOf(event);
    return this.#decide(key, alertIdOf(key, event.timestamp, event.id), event.timestamp, channels);
  }

  /** Undefined when the anomaly scores under the threshold. */
  anomaly(anomaly: Anomaly): WouldAlertDecision | undefined {
    const channels = channelsForAnomaly(anomaly, this.#rules);
    if (channels.length === 0) return undefined;
    const key = anomalyKeyOf(anomaly);
    const at = anomaly.window.end;
    return this.#decide(key, alertIdOf(key, at, anomaly.id), at, channels);
  }

  #decide(key: string, alertId: string, at: string, channels: Channel[]): WouldAlertDecision {
    const sentOn: Channel[] = [];
    for (const channel of channels) {
      const decision = this.#dedup.claimNow({ key, channel, alertId, at: Date.parse(at) });
      if (decision.outcome !== "send") continue;
      this.#dedup.confirmNow(decision);
      sentOn.push(channel);
    }
    return { key, channels, sentOn };
  }
}
