import type { Anomaly, ClassifiedEvent } from "../events/types.js";
import type { Channel, Route } from "./types.js";

export type { Channel };

/** The ANOMALY_THRESHOLD default, for callers that do not pass one. */
const DEFAULT_ANOMALY_THRESHOLD = 0.7;

export interface AlertRules {
  /** preventive_action goes to Teams always, and to e-mail only when this is set. */
  sendPreventiveEmails: boolean;
  /** Lines classified with less confidence than this never alert. */
  minConfidence: number;
  /** Anomalies scoring at or above this alert (default DEFAULT_ANOMALY_THRESHOLD). */
  anomalyThreshold?: number;
}

/**
 * Who gets alerts: the default route (EMAIL_RECIPIENTS, TEAMS_WEBHOOK_URL) and, per service, the
 * fields that replace it (ALERT_ROUTES). `emailRecipients: []` for a service turns its e-mail off.
 */
export interface AlertRouting {
  defaultRoute: Route;
  services?: Readonly<Record<string, Partial<Route>>>;
}

/**
 * The product's alerting rules for a classified line:
 * incident → e-mail and Teams; preventive_action → Teams, plus e-mail when enabled; normal → none.
 */
export function channelsFor(event: ClassifiedEvent, rules: AlertRules): Channel[] {
  const { label, confidence } = event.classification;
  if (confidence < rules.minConfidence) return [];
  if (label === "incident") return ["email", "teams"];
  if (label === "preventive_action")
    return rules.sendPreventiveEmails ? ["email", "teams"] : ["teams"];
  return [];
}

/** An anomaly scoring at or above the threshold goes to e-mail and Teams. */
export function channelsForAnomaly(anomaly: Anomaly, rules: AlertRules): Channel[] {
  return anomaly.score >= (rules.anomalyThreshold ?? DEFAULT_ANOMALY_THRESHOLD)
    ? ["email", "teams"]
    : [];
}

/** Alerts with the same key inside the dedup window are one alert: kind + service + template id. */
export function alertKeyOf(event: ClassifiedEvent): string {
  return `${event.classification.label}:${event.service}:${event.classification.templateId}`;
}

/** The dedup key of an anomaly alert: anomaly kind + service. */
export function anomalyKeyOf(anomaly: Anomaly): string {
  return `anomaly:${anomaly.service}:${anomaly.kind}`;
}

/** The route for a service: its own fields from ALERT_ROUTES over the default route. */
export function routeFor(service: string, routing: AlertRouting): Route {
  const own = routing.services?.[service];
  if (!own) return routing.defaultRoute;
  return {
    emailRecipients: own.emailRecipients ?? routing.defaultRoute.emailRecipients,
    ...((own.teamsWebhookUrl ?? routing.defaultRoute.teamsWebhookUrl) !== undefined && {
      teamsWebhookUrl: own.teamsWebhookUrl ?? routing.defaultRoute.teamsWebhookUrl,
    }),
  };
}

/**
 * Which route a service's alerts share a flood guard (and a digest) with: its own when it has
 * one, else the default. A digest never mixes services that go to different places.
 */
export function routeNameFor(service: string, routing: AlertRouting): string {
  return routing.services?.[service] ? `service:${service}` : "default";
}

/** True when the route names somebody to receive the channel's messages. */
export function routeReaches(channel: Channel, route: Route): boolean {
  return channel === "email" ? route.emailRecipients.length > 0 : Boolean(route.teamsWebhookUrl);
}
