import { classifiedEvent as baseEvent } from "../../events/testing/fixtures.js";
import type { ClassifiedEvent } from "../../events/types.js";
import { type NotificationReason, TREND_BUCKETS } from "../grouping/groupState.js";
import type { Alert, GroupedAlert, GroupNotification, Severity } from "../types.js";

/**
 * Alerts and group notifications for tests and the rendered previews in docs/alerts. Every
 * secret in them is an obvious fake (AWS's documented example key, "NotARealPassword"), there to
 * show that masking works; e-mail addresses and IPs are there for the optional masks.
 */

/** The secrets the fixtures' log lines carry: none of them may reach a channel. */
export const FIXTURE_SECRETS = [
  "NotARealPassword",
  "AKIAIOSFODNN7EXAMPLE",
  "fake-token-0123456789",
  "NotARealToken",
] as const;
/** The personal data they carry, masked when ALERT_MASK_EMAILS / ALERT_MASK_IPS are on. */
export const FIXTURE_EMAILS = ["jane.doe@example.com", "ops-bot@example.org"] as const;
export const FIXTURE_IPS = ["10.20.3.4", "192.0.2.44"] as const;

const DASHBOARD = "https://grafana.example.com/d/sentinel-service/sentinel";
const LOGS =
  "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Fecs$252Fcheckout/log-events";

/** The CloudWatch console on ±15 minutes around `at`, as core/alerting/links.ts makes it. */
function logsFor(at: string): string {
  const ms = Date.parse(at);
  const query = encodeURIComponent(`?start=${ms - 15 * 60_000}&end=${ms + 15 * 60_000}`);
  return `${LOGS}${query.replace(/%/g, "$")}`;
}

export function classifiedEvent(
  message: string,
  overrides: Partial<ClassifiedEvent> = {},
): ClassifiedEvent {
  return {
    id: `evt-${message.length}-${message.slice(0, 12)}`,
    timestamp: "2026-03-14T09:26:53.000Z",
    ingestedAt: "2026-03-14T09:26:54.120Z",
    source: {
      provider: "aws",
      region: "eu-west-1",
      logGroup: "/aws/ecs/checkout",
      logStream: "checkout/api/7f3c",
    },
    service: "checkout",
    level: "error",
    message,
    attributes: {},
    classification: {
      label: "incident",
      confidence: 0.97,
      templateId: "t-5f2a9c",
      template: "Payment DB connection failed: <*> (pool <*>/<*> busy)",
      model: "qwen2-1.5b-log-classifier-Q4_K_M",
      cached: false,
      classifiedAt: "2026-03-14T09:26:54.300Z",
    },
    ...overrides,
  };
}

/** Grafana's dashboard for `service` over ±15 minutes around `at`, as core/alerting/links.ts makes it. */
function dashboardFor(service: string, at: string): string {
  const ms = Date.parse(at);
  const query = new URLSearchParams({
    "var-service": service,
    from: String(ms - 15 * 60_000),
    to: String(ms + 15 * 60_000),
  });
  return `${DASHBOARD}?${query}`;
}

export function incidentAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: "incident:checkout:t-5f2a9c:2026-03-14T09:26:53.000Z",
    key: "incident:checkout:t-5f2a9c",
    kind: "incident",
    severity: "critical",
    service: "checkout",
    summary: "Payment DB connection failed: too many clients (pool 50/50 busy)",
    at: "2026-03-14T09:26:53.000Z",
    events: [
      classifiedEvent(
        "Payment DB connection failed: too many clients (pool 50/50 busy) url=postgres://checkout:NotARealPassword@10.20.3.4:5432/payments",
      ),
      classifiedEvent(
        "retrying charge for customer jane.doe@example.com with key AKIAIOSFODNN7EXAMPLE, Authorization: Bearer fake-token-0123456789",
        { id: "evt-2", timestamp: "2026-03-14T09:26:54.000Z", level: "warn" },
      ),
    ],
    links: {
      dashboard: dashboardFor("checkout", "2026-03-14T09:26:53.000Z"),
      logs: logsFor("2026-03-14T09:26:53.000Z"),
      runbook: "https://runbooks.example.com/checkout/db-connections",
    },
    ...overrides,
  };
}

export function preventiveAlert(overrides: Partial<Alert> = {}): Alert {
  const event = classifiedEvent(
    "Disk usage at 91% on /var/lib/postgresql (threshold 90%) host 192.0.2.44",
    { service: "payments-db", level: "warn" },
  );
  event.classification = {
    ...event.classification,
    label: "preventive_action",
    confidence: 0.88,
    templateId: "t-81d0",
    template: "Disk usage at <*>% on <*> (threshold <*>%) host <*>",
    suggestion: "Expand the volume or prune WAL archives before it reaches 95%.",
  };
  return {
    id: "preventive_action:payments-db:t-81d0:2026-03-14T09:30:00.000Z",
    key: "preventive_action:payments-db:t-81d0",
    kind: "preventive_action",
    severity: "warning",
    service: "payments-db",
    summary: "Disk usage at 91% on /var/lib/postgresql",
    at: "2026-03-14T09:30:00.000Z",
    events: [event],
    links: { dashboard: dashboardFor("payments-db", "2026-03-14T09:30:00.000Z") },
    ...overrides,
  };
}

export function anomalyAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: "anomaly:error_rate:checkout:2026-03-14T09:25:00.000Z",
    key: "anomaly:checkout:error_rate",
    kind: "anomaly",
    severity: "critical",
    service: "checkout",
    summary: "Anomaly in checkout (error_rate, score 0.94): 412 errors in 5 minutes",
    at: "2026-03-14T09:25:00.000Z",
    anomaly: {
      id: "an-1",
      detectedAt: "2026-03-14T09:25:03.000Z",
      service: "checkout",
      kind: "error_rate",
      score: 0.94,
      window: { start: "2026-03-14T09:20:00.000Z", end: "2026-03-14T09:25:00.000Z" },
      observed: 412,
      expected: 35,
      explanation: "412 errors in 5 minutes against about 35 expected at this hour.",
      sampleEventIds: ["evt-1"],
    },
    links: { dashboard: dashboardFor("checkout", "2026-03-14T09:25:00.000Z") },
    ...overrides,
  };
}

/** How a group names one alert: counts, times and trend, with defaults from the alert. */
export function groupedAlert(
  alert: Alert,
  overrides: Partial<Omit<GroupedAlert, "example" | "key" | "kind" | "severity">> = {},
): GroupedAlert {
  const count = overrides.count ?? 1;
  return {
    key: alert.key,
    kind: alert.kind,
    severity: alert.severity,
    example: alert,
    count,
    newCount: overrides.newCount ?? count,
    isNew: overrides.isNew ?? true,
    firstSeen: overrides.firstSeen ?? alert.at,
    lastSeen: overrides.lastSeen ?? alert.at,
    trend: overrides.trend ?? [...new Array<number>(TREND_BUCKETS - 1).fill(0), count],
  };
}

/** The realistic part of a checkout incident: what the previews show. */
function checkoutTemplates(service: string): { alert: Alert; count: number; trend: number[] }[] {
  const at = (minute: number, second = 0) =>
    new Date(Date.UTC(2026, 2, 14, 9, minute, second)).toISOString();
  const event = (
    message: string,
    template: string,
    templateId: string,
    label: "incident" | "preventive_action",
    time: string,
    suggestion?: string,
  ) => {
    const e = classifiedEvent(message, {
      id: `evt-${templateId}`,
      timestamp: time,
      service,
      level: label === "incident" ? "error" : "warn",
    });
    e.classification = {
      ...e.classification,
      label,
      templateId,
      template,
      confidence: label === "incident" ? 0.96 : 0.87,
      ...(suggestion && { suggestion }),
    };
    return e;
  };
  const eventAlert = (e: ClassifiedEvent, runbook?: string): Alert => {
    const kind = e.classification.label === "incident" ? "incident" : "preventive_action";
    const key = `${kind}:${service}:${e.classification.templateId}`;
    return {
      id: `${key}:${e.timestamp}`,
      key,
      kind,
      severity: kind === "incident" ? "critical" : "warning",
      service,
      summary: `${kind === "incident" ? "Incident" : "Warning"} in ${service}: ${e.message}`,
      at: e.timestamp,
      events: [e],
      links: {
        dashboard: dashboardFor(service, e.timestamp),
        logs: logsFor(e.timestamp),
        ...(runbook && { runbook }),
      },
    };
  };
  return [
    {
      alert: anomalyAlert({ service, key: `anomaly:${service}:error_rate` }),
      count: 1,
      trend: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
    },
    {
      alert: incidentAlert({
        key: `incident:${service}:t-5f2a9c`,
        service,
        at: at(19, 10),
        events: (incidentAlert().events ?? []).map((e, i) => ({
          ...e,
          service,
          timestamp: at(19, 10 + i),
        })),
        links: {
          dashboard: dashboardFor(service, at(19, 10)),
          logs: logsFor(at(19, 10)),
          runbook: "https://runbooks.example.com/checkout/db-connections",
        },
      }),
      count: 1204,
      trend: [0, 0, 0, 3, 12, 40, 96, 210, 388, 301, 100, 54],
    },
    {
      alert: eventAlert(
        event(
          "Charge request to psp.example.net timed out after 30000 ms (customer jane.doe@example.com, client 192.0.2.44)",
          "Charge request to <*> timed out after <*> ms (customer <*>, client <*>)",
          "t-91be",
          "incident",
          at(20, 40),
        ),
        "https://runbooks.example.com/checkout/psp-timeouts",
      ),
      count: 318,
      trend: [0, 0, 0, 0, 0, 2, 9, 30, 71, 104, 68, 34],
    },
    {
      alert: eventAlert(
        event(
          "Upstream inventory-svc returned 503 for order 88127 token=NotARealToken Authorization: Bearer fake-token-0123456789",
          "Upstream <*> returned <*> for order <*> token=<*> Authorization: Bearer <*>",
          "t-0c44",
          "incident",
          at(22, 35),
        ),
      ),
      count: 57,
      trend: [0, 0, 0, 0, 0, 0, 0, 4, 11, 19, 15, 8],
    },
    {
      alert: eventAlert(
        event(
          "Connection pool checkout-db at 92% of capacity (46/50) for ops-bot@example.org",
          "Connection pool <*> at <*>% of capacity (<*>/<*>) for <*>",
          "t-77a1",
          "preventive_action",
          at(17, 30),
          "Raise DB_POOL_MAX to 80 or add a read replica; pool waits grow past 90%.",
        ),
      ),
      count: 96,
      trend: [0, 0, 1, 3, 6, 8, 11, 14, 17, 15, 12, 9],
    },
    {
      alert: eventAlert(
        event(
          "Retry queue payments-retry at 8421 messages (limit 10000) key AKIAIOSFODNN7EXAMPLE",
          "Retry queue <*> at <*> messages (limit <*>) key <*>",
          "t-3d19",
          "preventive_action",
          at(23, 30),
          "Scale the retry workers (RETRY_WORKERS) before the queue hits its limit and drops charges.",
        ),
      ),
      count: 24,
      trend: [0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 9, 7],
    },
  ];
}

export interface GroupNotificationOptions {
  /** Templates besides the anomaly; default 5 (3 incidents, 2 warnings, as in the previews). */
  templates?: number;
  /** An anomaly is in the group (first row); default true. */
  urgent?: boolean;
  reason?: NotificationReason;
  sequence?: number;
  service?: string;
  /** Characters of filler added to every generated template's log line. */
  lineChars?: number;
  /** Templates and occurrences the group only counted. */
  omitted?: { templates: number; alerts: number };
}

/**
 * A group notification for `service` (default checkout): the anomaly (unless `urgent: false`),
 * then the realistic checkout templates, then generated ones ("Upstream call <n> failed …") up
 * to `templates`, in the order the group state machine sorts them. Lines carry fake secrets,
 * e-mail addresses and IPs. Later notifications (update, repeat, resolved) mark part as new.
 */
export function groupNotification(options: GroupNotificationOptions = {}): GroupNotification {
  const service = options.service ?? "checkout";
  const reason = options.reason ?? "firing";
  const urgent = options.urgent ?? true;
  const wanted = options.templates ?? 5;
  const known = checkoutTemplates(service);
  const [anomaly, ...named] = known;
  const items = named.slice(0, wanted);
  for (let index = items.length; index < wanted; index++) {
    const templateId = `t-gen-${index}`;
    const minute = 10 + (index % 17);
    const e = baseEvent({
      service,
      templateId,
      label: index % 4 === 3 ? "preventive_action" : "incident",
      id: `evt-${templateId}`,
      message: `Upstream call ${index} to 10.20.${index % 250}.${(index * 7) % 250} failed with status 503 after 3 retries (password=NotARealPassword) ${"x".repeat(options.lineChars ?? 0)}`,
      source: { provider: "aws", region: "eu-west-1", logGroup: `/aws/ecs/${service}` },
    });
    const timestamp = new Date(Date.UTC(2026, 2, 14, 9, minute, index % 60)).toISOString();
    e.timestamp = timestamp;
    e.classification.template = `Upstream call ${index} to <*> failed with status <*> after <*> retries (password=<*>) template-${index}`;
    const kind = e.classification.label === "incident" ? "incident" : "preventive_action";
    const key = `${kind}:${service}:${templateId}`;
    items.push({
      alert: {
        id: `${key}:${timestamp}`,
        key,
        kind,
        severity: kind === "incident" ? "critical" : "warning",
        service,
        summary: `Upstream call ${index} failed`,
        at: timestamp,
        events: [e],
        links: { dashboard: dashboardFor(service, timestamp), logs: logsFor(timestamp) },
      },
      count: Math.max(1, 40 - (index % 40)),
      trend: Array.from({ length: TREND_BUCKETS }, (_, b) => ((b + index) % 5) * (b > 6 ? 2 : 0)),
    });
  }
  const all = urgent && anomaly ? [anomaly, ...items] : items;
  const later = reason !== "firing";
  const alerts = all
    .map(({ alert, count, trend }, index) => {
      // In a later notification the first templates are new, the rest grew a little or not at all.
      const isNew = !later || index === 0 || index === 3;
      const newCount = isNew ? count : index % 2 === 0 ? Math.ceil(count / 5) : 0;
      // Still coming when the last trend bucket has some (every fixture time is before UNTIL).
      const lastSeen = trend[trend.length - 1] ? UNTIL : alert.at;
      return groupedAlert(alert, { count, newCount, isNew, trend, firstSeen: alert.at, lastSeen });
    })
    // As the group state machine sorts them: anomalies, then incidents, then warnings.
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  const omitted = options.omitted ?? { templates: 0, alerts: 0 };
  const severity: Severity = alerts.some((a) => a.severity === "critical") ? "critical" : "warning";
  const firstSeen = alerts.map((a) => a.firstSeen).sort()[0] ?? "2026-03-14T09:15:12.000Z";
  return {
    type: "group",
    reason,
    groupId: `email:default:service=${service}`,
    channel: "email",
    route: "default",
    labels: { service },
    severity,
    urgent: urgent && reason !== "resolved",
    since: firstSeen,
    until: UNTIL,
    at: reason === "resolved" ? "2026-03-14T09:41:53.000Z" : "2026-03-14T09:27:23.000Z",
    sequence: options.sequence ?? (reason === "firing" ? 1 : reason === "update" ? 2 : 3),
    alerts,
    omitted,
    total: alerts.reduce((sum, a) => sum + a.count, 0) + omitted.alerts,
    trendBucketMs: 60_000,
  };
}

const KIND_ORDER = { anomaly: 0, incident: 1, preventive_action: 2 } as const;
/** The fixtures' last alert: the group's `until`. */
const UNTIL = "2026-03-14T09:26:53.000Z";

/**
 * A group whose every text (labels, route, group id, templates, lines, suggestion, anomaly kind
 * and explanation, summaries, links) carries a fake secret, an e-mail address and an IP: what
 * masking tests render. The alert keys carry them too, though no rendering shows a key.
 */
export function leakyGroupNotification(): GroupNotification {
  const leak = "password=NotARealPassword jane.doe@example.com 10.20.3.4";
  const base = groupNotification({ templates: 5, reason: "update" });
  const alerts = base.alerts.map((alert, index): GroupedAlert => {
    const example: Alert = {
      ...alert.example,
      service: `checkout ${leak}`,
      summary: `summary ${index} ${leak} AKIAIOSFODNN7EXAMPLE`,
      links: {
        dashboard: `https://viewer:NotARealPassword@grafana.example.com/d/x?var-service=checkout&from=1&to=2`,
        logs: `https://logs.example.com/q?sig=NotARealToken&n=${index}`,
        runbook: `https://runbooks.example.com/${index}?token=NotARealToken`,
      },
    };
    if (example.anomaly)
      example.anomaly = {
        ...example.anomaly,
        kind: `error_rate secret=NotARealPassword ops-bot@example.org`,
        explanation: `${leak} Authorization: Bearer fake-token-0123456789 from 192.0.2.44`,
      };
    if (example.events)
      example.events = example.events.map((event) => ({
        ...event,
        message: `${event.message} ${leak} key AKIAIOSFODNN7EXAMPLE`,
        classification: {
          ...event.classification,
          template: `${event.classification.template} ${leak}`,
          ...(event.classification.suggestion && {
            suggestion: `${event.classification.suggestion} (token=NotARealToken, mail ops-bot@example.org at 192.0.2.44)`,
          }),
        },
      }));
    // The last one has no line at all: its summary is what the row shows.
    if (index === base.alerts.length - 1) delete example.events;
    return { ...alert, key: `${alert.key}:${leak}`, example };
  });
  return {
    ...base,
    groupId: `email:service:${leak}`,
    route: `service:checkout token=NotARealToken`,
    labels: { service: `checkout ${leak}`, "env secret=NotARealPassword": "prod 192.0.2.44" },
    alerts,
  };
}
