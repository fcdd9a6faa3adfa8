import * as z from "zod";
import {
  commaList,
  decimal,
  email,
  flag,
  fraction,
  httpUrl,
  nonNegativeInt,
  positiveInt,
  positiveNumber,
} from "../config/fields.js";
import { GROUP_FIELDS } from "./grouping/grouping.js";
import { RUNBOOK_PLACEHOLDERS } from "./links.js";

/** ALERT_ROUTES: JSON per service. Errors name the service and field, never echo the value. */
const alertRouteShape = z.record(
  z.string().min(1, { error: "expected service names" }),
  z.strictObject({
    emailRecipients: z.array(email).optional(),
    teamsWebhookUrl: httpUrl.optional(),
  }),
);
const alertRoutes = z.string().transform((text, ctx) => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    ctx.addIssue({
      code: "custom",
      message:
        'expected JSON such as {"payments": {"emailRecipients": ["pay@example.com"], "teamsWebhookUrl": "https://..."}}',
    });
    return z.NEVER;
  }
  const parsed = alertRouteShape.safeParse(json);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const [service, ...field] = issue.path.map(String);
    ctx.addIssue({
      code: "custom",
      message:
        service === undefined
          ? `expected an object of services: ${issue.message}`
          : `service ${JSON.stringify(service)}${field.length > 0 ? `, ${field.join(".")}` : ""}: ${issue.message}`,
    });
  }
  return z.NEVER;
});

const runbookUrlTemplate = z.string().superRefine((template, ctx) => {
  const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1] as string);
  const unknown = names.find((name) => !(RUNBOOK_PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown !== undefined) {
    ctx.addIssue({
      code: "custom",
      message: `unknown placeholder {${unknown}}; use ${RUNBOOK_PLACEHOLDERS.map((n) => `{${n}}`).join(", ")}`,
    });
    return;
  }
  const sample = template.replace(/\{\w+\}/g, "x");
  if (!/^https?:\/\//.test(sample) || !URL.canParse(sample))
    ctx.addIssue({ code: "custom", message: "expected an http(s) URL with {placeholders}" });
});

/** Alerting's variables (core/alerting): the notifier's rules, routing, flood guard, retries, content. */
export const alertingVariables = {
  DEDUP_WINDOW_MINUTES: positiveInt(7 * 24 * 60).default(10),
  SEND_PREVENTIVE_EMAILS: flag.default(false),

  // Notification groups (core/alerting/grouping): one message per group, not per template
  /** What alerts are grouped by, besides channel and route: service, kind, severity (comma-separated). */
  ALERT_GROUP_BY: commaList(
    z.enum(GROUP_FIELDS, { error: `expected ${GROUP_FIELDS.join(", ")} (comma-separated)` }),
  )
    .refine((fields) => fields.length > 0, {
      error: "expected at least one of service, kind, severity",
    })
    .default(["service"]),
  /** A group's first notification waits this long for more of the same to come. */
  ALERT_GROUP_WAIT_SECONDS: nonNegativeInt(3600).default(30),
  /** Later notifications of a group come at most this often, and only when something changed. */
  ALERT_GROUP_INTERVAL_MINUTES: positiveInt(24 * 60).default(5),
  /** A group still firing with nothing new repeats after this long. */
  ALERT_REPEAT_INTERVAL_HOURS: positiveNumber
    .pipe(z.number().max(7 * 24, { error: "expected at most 168 hours" }))
    .default(4),
  /** A group quiet this long is resolved: its episode ends (and a notice says so). */
  ALERT_RESOLVE_AFTER_MINUTES: positiveInt(7 * 24 * 60).default(15),
  /** Whether a resolved group sends its "resolved" notice. */
  ALERT_SEND_RESOLVED: flag.default(true),
  /** A template whose count grew this many times since a notification named it is news again. */
  ALERT_GROUP_CHANGE_FACTOR: decimal(
    z.number({ error: "expected a number above 1" }).gt(1, { error: "expected a number above 1" }),
  ).default(2),
  /** Templates a group lists in detail; the rest are counted as "+N more templates". */
  ALERT_GROUP_MAX_TEMPLATES: positiveInt(200).default(50),
  /** Lines classified with less confidence than this never alert. */
  ALERT_MIN_CONFIDENCE: fraction.default(0),
  /** JSON, per service: {"payments": {"emailRecipients": [...], "teamsWebhookUrl": "https://..."}}. */
  ALERT_ROUTES: alertRoutes.optional(),
  /** Flood guard per channel and route: messages a minute in a storm, and the burst before it. */
  ALERT_FLOOD_RATE_PER_MINUTE: positiveNumber.default(10),
  ALERT_FLOOD_BURST: positiveInt(10_000).default(20),
  /** Delivery attempts per notification (the first included) before it is dead-lettered. */
  ALERT_RETRY_MAX_ATTEMPTS: positiveInt(20).default(5),
  /** A runbook link per alert; {service}, {kind}, {key}, {templateId}, {anomalyKind} are filled in. */
  ALERT_RUNBOOK_URL_TEMPLATE: runbookUrlTemplate.optional(),
  /** The uid of Grafana's Loki data source, for the logs link of Loki events. */
  ALERT_LOKI_DATASOURCE_UID: z.string().min(1).default("loki"),
  /** The Log Analytics workspace's resource id, for the logs link of Azure events. */
  ALERT_AZURE_WORKSPACE_RESOURCE_ID: z
    .string()
    .regex(
      /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i,
      {
        error:
          "expected /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>",
      },
    )
    .optional(),
  /** Embedded mode: undeliverable alerts, one JSON object a line; default <state dir>/alert-dead-letters.jsonl. */
  SENTINEL_ALERT_DEAD_LETTER_FILE: z.string().min(1).optional(),

  // Alert content (both channels)
  /** Secrets are always masked in alerts; these also mask personal data. */
  ALERT_MASK_EMAILS: flag.default(false),
  ALERT_MASK_IPS: flag.default(false),
  /** Where the product name in alert footers links to (a runbook index, the Grafana home). */
  SENTINEL_PRODUCT_URL: httpUrl.optional(),
};
