import type { Anomaly, ClassifiedEvent } from "../events/types.js";
import type { GroupNotification } from "./grouping/groupState.js";

export type { GroupedAlert, GroupNotification } from "./grouping/groupState.js";

/**
 * The alerting contract between the notifier (rules, dedup, flood guard, retries) and the channels
 * (rendering and delivery). The notifier decides what goes out and to whom; a channel turns one
 * notification into an e-mail or a Teams card and delivers it, or says why it could not.
 */

export type Channel = "email" | "teams";

export type AlertKind = "incident" | "preventive_action" | "anomaly";
export type Severity = "critical" | "warning";

export interface AlertLinks {
  /** The Grafana dashboard for the service (GRAFANA_URL). */
  dashboard?: string;
  /** The log source's console deep link (CloudWatch, Azure portal, Loki/Grafana Explore). */
  logs?: string;
  runbook?: string;
}

export interface Alert {
  /** Deterministic (key + event time), so a re-delivered record renders the same alert. */
  id: string;
  /** Dedup key: kind + service + template id, or anomaly kind + service. */
  key: string;
  kind: AlertKind;
  severity: Severity;
  service: string;
  /** One line for subjects and card titles. */
  summary: string;
  /** Event time of what triggered it, ISO-8601. */
  at: string;
  /** For incident and preventive_action alerts: the line(s), label, confidence, suggestion. */
  events?: ClassifiedEvent[];
  /** For anomaly alerts. */
  anomaly?: Anomaly;
  links: AlertLinks;
}

/** One message on one channel: a notification group's (core/alerting/grouping/groupState.ts). */
export type Notification = GroupNotification;

/** Who receives a notification on each channel; per-service routing picks one of these. */
export interface Route {
  emailRecipients: string[];
  teamsWebhookUrl?: string;
}

/** A channel that renders and delivers one notification. */
export interface ChannelSender {
  readonly channel: Channel;
  send(notification: Notification, route: Route, signal?: AbortSignal): Promise<void>;
  /** Releases what the channel keeps open between sends (the SMTP connection pool). */
  close?(): Promise<void>;
}

/** A delivery that failed; `retryable` says whether trying again can help. */
export class DeliveryError extends Error {
  override name = "DeliveryError";
  readonly retryable: boolean;
  /** From the server's Retry-After, when it gave one. */
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; status?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}
