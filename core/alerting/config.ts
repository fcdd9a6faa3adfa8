import * as z from "zod";
import { email, flag, fraction, httpUrl, positiveInt, positiveNumber } from "../config/fields.js";
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
