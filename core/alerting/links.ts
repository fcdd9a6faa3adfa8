import type { EventSource } from "../events/types.js";

/** Where an alert's links point; every part is optional and a link is left out when unknown. */
export interface AlertLinkOptions {
  /** GRAFANA_URL: the dashboard link and, for Loki sources, Grafana Explore. */
  grafanaUrl?: string;
  /** The dashboard under GRAFANA_URL; `var-service`, `from` and `to` are added. */
  dashboardPath?: string;
  /** The uid of Grafana's Loki data source (ALERT_LOKI_DATASOURCE_UID). */
  lokiDatasourceUid?: string;
  /** AWS_REGION, for CloudWatch sources that do not carry their region. */
  awsRegion?: string;
  /** For Azure sources that carry only a workspace GUID (ALERT_AZURE_WORKSPACE_RESOURCE_ID). */
  azureWorkspaceResourceId?: string;
  /** ALERT_RUNBOOK_URL_TEMPLATE, see RUNBOOK_PLACEHOLDERS. */
  runbookUrlTemplate?: string;
}

const DEFAULT_DASHBOARD_PATH = "/d/sentinel-overview/sentinel";
export const RUNBOOK_PLACEHOLDERS = [
  "service",
  "kind",
  "key",
  "templateId",
  "anomalyKind",
] as const;
export type RunbookFields = Partial<Record<(typeof RUNBOOK_PLACEHOLDERS)[number], string>>;

/** The time span a link opens on: from `start` to `end`, ms. */
export interface LinkSpan {
  start: number;
  end: number;
}

/** Around one instant: 15 minutes before and after, enough to see what led to it. */
export function spanAround(at: number, marginMs = 15 * 60_000): LinkSpan {
  return { start: at - marginMs, end: at + marginMs };
}

export function dashboardLink(
  service: string,
  span: LinkSpan,
  options: AlertLinkOptions,
): string | undefined {
  if (!options.grafanaUrl) return undefined;
  const path = options.dashboardPath ?? DEFAULT_DASHBOARD_PATH;
  const query = new URLSearchParams({
    "var-service": service,
    from: String(span.start),
    to: String(span.end),
  });
  return `${trimSlash(options.grafanaUrl)}${path}?${query}`;
}

/** The log source's own console, opened on the time around the event. */
export function logsLink(
  source: EventSource,
  span: LinkSpan,
  options: AlertLinkOptions,
): string | undefined {
  switch (source.provider) {
    case "aws":
      return cloudWatchLink(source, span, options);
    case "azure":
      return azureLogsLink(source, span, options);
    case "loki":
      return lokiExploreLink(source, span, options);
    default:
      return undefined;
  }
}

/** The runbook URL: each `{placeholder}` replaced by its value, URL-encoded (unknown: empty). */
export function runbookLink(
  template: string | undefined,
  fields: RunbookFields,
): string | undefined {
  if (!template) return undefined;
  return template.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(fields[name as keyof RunbookFields] ?? ""),
  );
}

/**
 * The CloudWatch console's log events view. Its fragment encodes names twice and then writes `%`
 * as `$` (`/aws/lambda/x` → `$252Faws$252Flambda$252Fx`); the query inside it is encoded once.
 */
function cloudWatchLink(
  source: EventSource,
  span: LinkSpan,
  options: AlertLinkOptions,
): string | undefined {
  const region = text(source.region) ?? options.awsRegion;
  const logGroup = text(source.logGroup);
  if (!region || !logGroup) return undefined;
  const name = (value: string) => encodeURIComponent(encodeURIComponent(value)).replace(/%/g, "$");
  const stream = text(source.logStream);
  const query = encodeURIComponent(`?start=${span.start}&end=${span.end}`).replace(/%/g, "$");
  const events = stream ? `log-events/${name(stream)}` : "log-events";
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${encodeURIComponent(region)}#logsV2:log-groups/log-group/${name(logGroup)}/${events}${query}`;
}

/** The Azure portal's Logs blade on the workspace, with a query for the table and time span. */
function azureLogsLink(
  source: EventSource,
  span: LinkSpan,
  options: AlertLinkOptions,
): string | undefined {
  const resourceId = text(source.workspaceResourceId) ?? options.azureWorkspaceResourceId;
  if (!resourceId) return undefined;
  const table = text(source.table);
  const start = new Date(span.start).toISOString();
  const end = new Date(span.end).toISOString();
  const kql = `${table && /^\w+$/.test(table) ? table : "union *"} | where TimeGenerated between (datetime(${start}) .. datetime(${end}))`;
  return `https://portal.azure.com/#blade/Microsoft_Azure_Monitoring_Logs/LogsBlade/resourceId/${encodeURIComponent(resourceId)}/source/LogsBlade.AnalyticsShareLinkToQuery/query/${encodeURIComponent(kql)}/timespan/${encodeURIComponent(`${start}/${end}`)}`;
}

/** Grafana Explore on the Loki data source, with the stream's label selector. */
function lokiExploreLink(
  source: EventSource,
  span: LinkSpan,
  options: AlertLinkOptions,
): string | undefined {
  if (!options.grafanaUrl) return undefined;
  const selector = lokiSelector(source.labels);
  if (!selector) return undefined;
  const uid = options.lokiDatasourceUid ?? "loki";
  const panes = {
    sentinel: {
      datasource: uid,
      queries: [{ refId: "A", expr: selector, datasource: { type: "loki", uid } }],
      range: { from: String(span.start), to: String(span.end) },
    },
  };
  const query = new URLSearchParams({ schemaVersion: "1", panes: JSON.stringify(panes) });
  return `${trimSlash(options.grafanaUrl)}/explore?${query}`;
}

function lokiSelector(labels: unknown): string | undefined {
  if (typeof labels === "string") return labels.trim().startsWith("{") ? labels.trim() : undefined;
  if (typeof labels !== "object" || labels === null) return undefined;
  const pairs = Object.entries(labels as Record<string, unknown>)
    .filter(([name, value]) => /^[A-Za-z_]\w*$/.test(name) && typeof value === "string")
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return pairs.length > 0 ? `{${pairs.join(",")}}` : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
