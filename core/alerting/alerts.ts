import { contentId } from "../events/ids.js";
import type { Anomaly, ClassifiedEvent } from "../events/types.js";
import {
  type AlertLinkOptions,
  dashboardLink,
  type LinkSpan,
  logsLink,
  runbookLink,
  spanAround,
} from "./links.js";
import { alertKeyOf, anomalyKeyOf } from "./rules.js";
import type { Alert, AlertLinks, Severity } from "./types.js";

const SUMMARY_CHARS = 160;
/** Anomalies scoring at least this are critical; the rest that alert are warnings. */
const CRITICAL_ANOMALY_SCORE = 0.9;

/**
 * The id of an alert: its key, event time and the id of what triggered it. A redelivered record
 * gives the same id, which dedup recognises as the same alert rather than a new occurrence.
 */
export function alertIdOf(key: string, at: string, sourceId: string): string {
  return contentId("alert", key, at, sourceId);
}

/** The alert for an incident or preventive_action line. */
export function eventAlert(event: ClassifiedEvent, links: AlertLinkOptions = {}): Alert {
  const key = alertKeyOf(event);
  const { label, templateId } = event.classification;
  const kind = label === "incident" ? "incident" : "preventive_action";
  const span = spanAround(Date.parse(event.timestamp));
  return {
    id: alertIdOf(key, event.timestamp, event.id),
    key,
    kind,
    severity: kind === "incident" ? "critical" : "warning",
    service: event.service,
    summary: `${kind === "incident" ? "Incident" : "Warning"} in ${event.service}: ${oneLine(event.message)}`,
    at: event.timestamp,
    events: [event],
    links: alertLinks(
      event.service,
      span,
      links,
      { service: event.service, kind, key, templateId },
      logsLink(event.source, span, links),
    ),
  };
}

/** The alert for an anomaly; its event time is the end of the window it was seen in. */
export function anomalyAlert(anomaly: Anomaly, links: AlertLinkOptions = {}): Alert {
  const key = anomalyKeyOf(anomaly);
  const at = anomaly.window.end;
  const margin = 5 * 60_000;
  const span: LinkSpan = {
    start: Date.parse(anomaly.window.start) - margin,
    end: Date.parse(anomaly.window.end) + margin,
  };
  const severity: Severity = anomaly.score >= CRITICAL_ANOMALY_SCORE ? "critical" : "warning";
  return {
    id: alertIdOf(key, at, anomaly.id),
    key,
    kind: "anomaly",
    severity,
    service: anomaly.service,
    summary: `Anomaly in ${anomaly.service} (${anomaly.kind}, score ${anomaly.score.toFixed(2)}): ${oneLine(anomaly.explanation)}`,
    at,
    anomaly,
    links: alertLinks(anomaly.service, span, links, {
      service: anomaly.service,
      kind: "anomaly",
      key,
      anomalyKind: anomaly.kind,
    }),
  };
}

function alertLinks(
  service: string,
  span: LinkSpan,
  options: AlertLinkOptions,
  runbookFields: Parameters<typeof runbookLink>[1],
  logs?: string,
): AlertLinks {
  const dashboard = dashboardLink(service, span, options);
  const runbook = runbookLink(options.runbookUrlTemplate, runbookFields);
  return {
    ...(dashboard && { dashboard }),
    ...(logs && { logs }),
    ...(runbook && { runbook }),
  };
}

/** First line, whitespace collapsed, cut to a subject's length. */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= SUMMARY_CHARS ? line : `${line.slice(0, SUMMARY_CHARS - 1)}…`;
}
