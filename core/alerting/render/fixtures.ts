import type { ClassifiedEvent } from "../../events/types.js";
import type { Alert, Notification } from "../types.js";

/**
 * Alerts for tests and the rendered previews in docs/alerts. Every secret in them is an obvious
 * fake (AWS's documented example key, "NotARealPassword"), there to show that masking works.
 */

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
    similar: {
      count: 41,
      firstSeen: "2026-03-14T09:16:02.000Z",
      lastSeen: "2026-03-14T09:26:40.000Z",
    },
    links: {
      dashboard: "https://grafana.example.com/d/sentinel-service?var-service=checkout",
      logs: "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Fecs$252Fcheckout",
      runbook: "https://runbooks.example.com/checkout/db-connections",
    },
    ...overrides,
  };
}

export function preventiveAlert(overrides: Partial<Alert> = {}): Alert {
  const event = classifiedEvent("Disk usage at 91% on /var/lib/postgresql (threshold 90%)", {
    service: "payments-db",
    level: "warn",
  });
  event.classification = {
    ...event.classification,
    label: "preventive_action",
    confidence: 0.88,
    template: "Disk usage at <*>% on <*> (threshold <*>%)",
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
    links: { dashboard: "https://grafana.example.com/d/sentinel-service?var-service=payments-db" },
    ...overrides,
  };
}

export function anomalyAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: "anomaly:error_rate:checkout:2026-03-14T09:25:00.000Z",
    key: "anomaly:error_rate:checkout",
    kind: "anomaly",
    severity: "critical",
    service: "checkout",
    summary: "Error rate 12x above its baseline",
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
    links: { dashboard: "https://grafana.example.com/d/sentinel-service?var-service=checkout" },
    ...overrides,
  };
}

export function alertNotification(alert: Alert = incidentAlert()): Notification {
  return { type: "alert", alert };
}

/** A digest of `count` alerts across a few services, all listed. */
export function digestNotification(count: number, total = count): Notification {
  const services = ["checkout", "payments-db", "search", "auth", "inventory"];
  const alerts = Array.from({ length: count }, (_, index) => {
    const service = services[index % services.length] ?? "checkout";
    const at = new Date(Date.UTC(2026, 2, 14, 9, 0, index % 60)).toISOString();
    return incidentAlert({
      id: `incident:${service}:t-${index}:${at}`,
      key: `incident:${service}:t-${index}`,
      service,
      severity: index % 3 === 0 ? "critical" : "warning",
      summary: `Upstream call ${index} failed with status 503 after 3 retries`,
      at,
      events: [],
      similar:
        index % 7 === 0
          ? { count: index + 2, firstSeen: "2026-03-14T08:58:00.000Z", lastSeen: at }
          : undefined,
      links: { logs: `https://grafana.example.com/explore?service=${service}&alert=${index}` },
    });
  });
  return {
    type: "digest",
    alerts,
    total,
    since: "2026-03-14T09:00:00.000Z",
    until: "2026-03-14T09:15:00.000Z",
  };
}
