import * as z from "zod";
import { RUNBOOK_PLACEHOLDERS } from "../alerting/links.js";

/**
 * Every environment variable SentinelLLM reads, with its type, default and meaning.
 * Names follow the original product where it had one (ANOMALY_THRESHOLD, SMTP_*, AWS_*, AZURE_*).
 * `.env.example` documents the same list; a test keeps the two in step.
 */

const flag = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "expected true or false" })
  .transform((value) => value === "true" || value === "1" || value === "yes");

const positiveInt = (max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: "expected a whole number" })
    .int({ error: "expected a whole number" })
    .min(1, { error: "expected a number of at least 1" })
    .max(max, { error: `expected a number of at most ${max}` });

/** Like positiveInt, but 0 is allowed (a port of 0 picks a free one; a queue of 0 waits for none). */
const nonNegativeInt = (max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: "expected a whole number" })
    .int({ error: "expected a whole number" })
    .min(0, { error: "expected a number of at least 0" })
    .max(max, { error: `expected a number of at most ${max}` });

const fraction = z.coerce
  .number({ error: "expected a number between 0 and 1" })
  .min(0, { error: "expected a number between 0 and 1" })
  .max(1, { error: "expected a number between 0 and 1" });

const commaList = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .pipe(z.array(item));

const email = z.email({ error: "expected an e-mail address" });
const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: "expected host:port entries, comma-separated" });

const positiveNumber = z.coerce
  .number({ error: "expected a number above 0" })
  .positive({ error: "expected a number above 0" });

const DURATION_UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** "90s", "30m", "2h", "7d" → milliseconds (`sentinel ingest aws --since` takes the same). */
export const durationMs = z
  .string()
  .regex(/^[1-9]\d{0,5}[smhd]$/, { error: "expected a duration such as 30m, 2h or 7d" })
  .transform(
    (value) =>
      Number(value.slice(0, -1)) * DURATION_UNIT_MS[value.at(-1) as keyof typeof DURATION_UNIT_MS],
  );

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

export const configSchema = z.object({
  // Core
  SENTINEL_LOG_LEVEL: z
    .enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"], {
      error: "expected one of trace, debug, info, warn, error, fatal, silent",
    })
    .default("info"),
  SENTINEL_LOG_FORMAT: z
    .enum(["auto", "json", "pretty"], { error: "expected auto, json or pretty" })
    .default("auto"),
  SENTINEL_MAX_MESSAGE_BYTES: positiveInt(1_048_576).default(16_384),
  SENTINEL_MAX_LINE_BYTES: positiveInt(64 * 1_048_576).default(4 * 1_048_576),
  SENTINEL_CACHE_SIZE: positiveInt().default(50_000),
  SENTINEL_CACHE_TTL_SECONDS: positiveInt().default(6 * 3600),

  // The LLM classifier
  SENTINEL_MODEL: z.string().min(1).optional(),
  SENTINEL_MODEL_DIR: z.string().min(1).optional(),
  SENTINEL_LORA: z.string().min(1).optional(),
  SENTINEL_GPU: z.enum(["auto", "off"], { error: "expected auto or off" }).default("auto"),
  SENTINEL_THREADS: positiveInt(256).optional(),
  SENTINEL_PARALLEL_SEQUENCES: positiveInt(64).default(4),
  SENTINEL_MAX_MESSAGE_TOKENS: positiveInt(8192).default(256),
  SENTINEL_SUGGESTIONS: z
    .enum(["background", "wait", "off"], { error: "expected background, wait or off" })
    .default("background"),

  // State kept between runs
  /** DynamoDB table (pk/sk strings, TTL attribute expiresAt) for detector counters, alert dedup and checkpoints in AWS. */
  SENTINEL_STATE_TABLE: z.string().min(1).default("sentinel-state"),
  /**
   * Where the Lambda handlers keep detector and alert-dedup state: dynamodb (in AWS), or file (in
   * SENTINEL_STATE_DIR, for the same handlers run by `sentinel lambda-runner` in the compose setup).
   */
  SENTINEL_STATE_BACKEND: z
    .enum(["dynamodb", "file"], { error: "expected dynamodb or file" })
    .default("dynamodb"),
  /** Directory for the embedded mode's state files (checkpoints, dedup); default ~/.local/state/sentinel-llm. */
  SENTINEL_STATE_DIR: z.string().min(1).optional(),

  // Detection and alerting
  ANOMALY_THRESHOLD: fraction.default(0.7),

  // Detection (core/detection): counts per service and label in event-time buckets
  /** Width of a counting bucket in seconds of event time. */
  ANOMALY_BUCKET_SECONDS: positiveInt(86_400).default(60),
  /** How many buckets before the one judged form its baseline. */
  ANOMALY_BASELINE_BUCKETS: positiveInt(10_000).default(60),
  /** Cold start: no anomaly until a service has this many buckets of baseline... */
  ANOMALY_MIN_BASELINE_BUCKETS: positiveInt(10_000).default(30),
  /** ...holding at least this many of its events (any label). */
  ANOMALY_MIN_BASELINE_EVENTS: positiveInt().default(30),
  /** An anomaly needs at least this many events of its kind in its window. */
  ANOMALY_MIN_EVENTS: positiveInt().default(3),
  /** A bucket is judged once event time has passed its end by this much; later events still count. */
  ANOMALY_ALLOWED_LATENESS_SECONDS: nonNegativeInt(86_400).default(120),
  /** An incident template unseen for this long counts as never seen again. */
  ANOMALY_TEMPLATE_MEMORY_DAYS: positiveInt(3_650).default(30),
  DEDUP_WINDOW_MINUTES: positiveInt(7 * 24 * 60).default(10),
  SEND_PREVENTIVE_EMAILS: flag.default(false),

  // Alerting (core/alerting): the notifier's rules, routing, flood guard and retries
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

  // E-mail
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: positiveInt(65_535).default(587),
  SMTP_USERNAME: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  EMAIL_FROM: email.optional(),
  EMAIL_RECIPIENTS: commaList(email).default([]),
  /** smtp (SMTP_HOST) or ses (Amazon SES v2 in AWS_REGION, credentials from the SDK's chain). */
  EMAIL_TRANSPORT: z.enum(["smtp", "ses"], { error: "expected smtp or ses" }).default("smtp"),
  /** tls: implicit TLS; starttls: STARTTLS required; none: plain. Unset: tls on 465, else starttls. */
  SMTP_SECURE: z
    .enum(["tls", "starttls", "none"], { error: "expected tls, starttls or none" })
    .optional(),
  SMTP_TIMEOUT_SECONDS: positiveInt(600).default(30),
  EMAIL_SES_CONFIGURATION_SET: z.string().min(1).optional(),

  // Microsoft Teams
  TEAMS_WEBHOOK_URL: httpUrl.optional(),
  /** adaptive (Workflows webhooks) or messagecard (legacy Office 365 connector webhooks). */
  TEAMS_CARD_FORMAT: z
    .enum(["adaptive", "messagecard"], { error: "expected adaptive or messagecard" })
    .default("adaptive"),
  TEAMS_TIMEOUT_SECONDS: positiveInt(300).default(10),
  /** Per webhook, per process; Teams throttles webhooks at about 4 requests a second. */
  TEAMS_MAX_REQUESTS_PER_SECOND: positiveInt(100).default(4),

  // Alert content (both channels)
  /** Secrets are always masked in alerts; these also mask personal data. */
  ALERT_MASK_EMAILS: flag.default(false),
  ALERT_MASK_IPS: flag.default(false),
  /** Where the product name in alert footers links to (a runbook index, the Grafana home). */
  SENTINEL_PRODUCT_URL: httpUrl.optional(),

  // Kafka
  KAFKA_BROKERS: commaList(hostPort).default(["localhost:9092"]),
  KAFKA_CLIENT_ID: z.string().min(1).default("sentinel"),
  KAFKA_SSL: flag.default(false),
  KAFKA_SASL_MECHANISM: z
    .enum(["none", "plain", "scram-sha-256", "scram-sha-512", "aws-msk-iam"], {
      error: "expected none, plain, scram-sha-256, scram-sha-512 or aws-msk-iam",
    })
    .default("none"),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_TOPIC_RAW: z.string().min(1).default("raw-logs"),
  KAFKA_TOPIC_CLASSIFIED: z.string().min(1).default("classified-logs"),
  KAFKA_TOPIC_ANOMALIES: z.string().min(1).default("anomalies"),
  KAFKA_TOPIC_DEAD_LETTER: z.string().min(1).default("sentinel-dead-letter"),
  KAFKA_CONSUMER_GROUP: z.string().min(1).default("sentinel-classifier"),
  KAFKA_TOPIC_PARTITIONS: positiveInt(10_000).default(6),
  KAFKA_REPLICATION_FACTOR: positiveInt(16).default(3),
  /** Stay under the broker's message.max.bytes (1 MB by default on MSK and Redpanda). */
  KAFKA_MAX_BATCH_BYTES: positiveInt(64 * 1_048_576).default(900_000),
  KAFKA_IDEMPOTENT: flag.default(true),

  // Metrics
  /** Base URL of VictoriaMetrics; metrics are pushed to <url>/api/v1/write. Unset: no push. */
  VICTORIA_METRICS_URL: httpUrl.optional(),
  /** Full remote-write URL for another receiver (Prometheus, a managed service); wins over the above. */
  SENTINEL_METRICS_REMOTE_WRITE_URL: httpUrl.optional(),
  SENTINEL_METRICS_REMOTE_WRITE_USERNAME: z.string().min(1).optional(),
  SENTINEL_METRICS_REMOTE_WRITE_PASSWORD: z.string().min(1).optional(),
  SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN: z.string().min(1).optional(),
  SENTINEL_METRICS_PUSH_INTERVAL_SECONDS: positiveInt(3600).default(15),
  /** Samples kept while the metrics store is unreachable; the oldest are dropped beyond it. */
  SENTINEL_METRICS_BUFFER_SAMPLES: positiveInt(100_000_000).default(100_000),
  /** Port of the /metrics scrape endpoint of long-running processes; unset: none; 0: a free port. */
  SENTINEL_METRICS_PORT: nonNegativeInt(65_535).optional(),
  SENTINEL_METRICS_HOST: z.string().min(1).default("0.0.0.0"),
  GRAFANA_URL: httpUrl.optional(),

  // AWS CloudWatch
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "expected an AWS region such as us-east-1" })
    .optional(),
  AWS_LOG_GROUPS: commaList(
    z.string().regex(/^[\w/.#-]+$/, { error: "expected log group names" }),
  ).default([]),
  AWS_POLL_INTERVAL_SECONDS: positiveInt().default(30),
  /** CloudWatch Logs filter pattern for the poller; unset reads every event. */
  AWS_FILTER_PATTERN: z.string().trim().min(1).max(1024).optional(),
  /** How far back a log group without a checkpoint is read. */
  AWS_BACKFILL_SINCE: durationMs.prefault("1h"),
  /** Events younger than this wait for the next poll, so late-ingested ones are not skipped. */
  AWS_QUERY_LAG_SECONDS: nonNegativeInt(3600).default(10),

  // Azure Monitor / Log Analytics
  AZURE_TENANT_ID: z.uuid({ error: "expected a tenant id (a GUID)" }).optional(),
  AZURE_CLIENT_ID: z.uuid({ error: "expected a client id (a GUID)" }).optional(),
  AZURE_CLIENT_SECRET: z.string().min(1).optional(),
  AZURE_WORKSPACE_ID: z.uuid({ error: "expected a workspace id (a GUID)" }).optional(),
  /** KQL without a time filter of its own: the poller sets each query's time range (timespan). */
  AZURE_QUERY: z.string().min(1).default("union * | order by TimeGenerated asc"),
  AZURE_POLL_INTERVAL_SECONDS: positiveInt().default(60),
  /** Log Analytics query API base URL (sovereign clouds, or a local stand-in); /v1 is added. */
  AZURE_LOGS_ENDPOINT: httpUrl.default("https://api.loganalytics.io"),
  /** Each window ends this far behind now: data becomes queryable 20 s to 3 min (sometimes 5+) late. */
  AZURE_QUERY_LAG_SECONDS: nonNegativeInt(86_400).default(180),
  /** Each query re-reads this much of the previous window for late rows; ids dedup the re-read. */
  AZURE_QUERY_OVERLAP_SECONDS: nonNegativeInt(86_400).default(600),
  /** Most new time one query reads (besides the overlap); a run catching up walks forward in such steps. */
  AZURE_MAX_WINDOW_SECONDS: positiveInt(7 * 86_400).default(900),
  /** Windows one run (one timer invocation) reads at most, so a catch-up stays inside the function timeout. */
  AZURE_MAX_WINDOWS_PER_RUN: positiveInt(1000).default(8),
  /** Where a first run without a checkpoint starts, seconds before now. */
  AZURE_START_LOOKBACK_SECONDS: positiveInt(90 * 86_400).default(3600),
  /** NCRONTAB (six fields, seconds first) of the timer function. */
  AZURE_POLL_SCHEDULE: z
    .string()
    .trim()
    .regex(/^\S+(\s+\S+){5}$/, {
      error: "expected an NCRONTAB expression of six fields, e.g. 0 */1 * * * *",
    })
    .default("0 */1 * * * *"),
  /** Checkpoint storage: a connection string, or AZURE_STORAGE_ACCOUNT_URL with the Azure credential. */
  AZURE_STORAGE_CONNECTION_STRING: z.string().min(1).optional(),
  AZURE_STORAGE_ACCOUNT_URL: httpUrl.optional(),
  AZURE_CHECKPOINT_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, {
      error: "expected a blob container name: 3-63 lower-case letters, digits and single hyphens",
    })
    .default("sentinel-checkpoints"),

  // Loki
  LOKI_URL: httpUrl.default("http://localhost:3100"),
  /** LogQL stream selector (and filters) the forwarder reads, e.g. {app="api"}. */
  LOKI_QUERY: z.string().trim().min(1).optional(),
  /** Events per second sent on at most; 0 turns the limit off. */
  LOKI_RATE_LIMIT: z.coerce
    .number({ error: "expected a number of events per second (0: no limit)" })
    .min(0, { error: "expected a number of at least 0 (0: no limit)" })
    .default(0),
  /** Most events per batch handed to Kafka (the checkpoint advances after each batch). */
  LOKI_BATCH_SIZE: positiveInt(100_000).default(1000),
  /** Entries per query_range request; Loki refuses more than its max_entries_limit_per_query (5000). */
  LOKI_QUERY_LIMIT: positiveInt(100_000).default(1000),
  /** Reads stop this far behind now, so entries still being written are not stepped over. */
  LOKI_QUERY_LAG_SECONDS: nonNegativeInt(3600).default(5),
  /** With --follow, how long to wait once caught up before asking again. */
  LOKI_POLL_INTERVAL_SECONDS: positiveInt(3600).default(2),
  /** Multi-tenant Loki: sent as X-Scope-OrgID. */
  LOKI_TENANT_ID: z.string().min(1).optional(),
  LOKI_USERNAME: z.string().min(1).optional(),
  LOKI_PASSWORD: z.string().min(1).optional(),

  // Classifier service (classifier-service/): the HTTP server in front of the LLM
  CLASSIFIER_HOST: z.string().min(1).default("0.0.0.0"),
  /** 0 picks a free port (tests). */
  CLASSIFIER_PORT: nonNegativeInt(65_535).default(8080),
  /** When set, every route but /healthz and /readyz needs `Authorization: Bearer <token>`. */
  CLASSIFIER_API_TOKEN: z
    .string()
    .min(16, { error: "expected a token of at least 16 characters" })
    .regex(/^[\x21-\x7e]+$/, { error: "expected printable ASCII without spaces" })
    .optional(),
  CLASSIFIER_MAX_BODY_BYTES: positiveInt(64 * 1_048_576).default(1_048_576),
  CLASSIFIER_MAX_BATCH_SIZE: positiveInt(10_000).default(256),
  /** Batches classified at the same time; 1 serializes every batch through one queue. */
  CLASSIFIER_CONCURRENCY: positiveInt(64).default(1),
  /** Batches allowed to wait for the model; more are answered 503 with Retry-After. */
  CLASSIFIER_MAX_QUEUED_BATCHES: nonNegativeInt(10_000).default(32),
  CLASSIFIER_SHUTDOWN_TIMEOUT_SECONDS: positiveInt(3600).default(30),
});

export type Config = z.output<typeof configSchema>;
export type ConfigVariable = keyof Config;

/** Variables whose values must never be printed or logged. */
export const SECRET_VARIABLES: readonly ConfigVariable[] = [
  "SMTP_PASSWORD",
  "AZURE_CLIENT_SECRET",
  "TEAMS_WEBHOOK_URL",
  "ALERT_ROUTES",
  "CLASSIFIER_API_TOKEN",
  "KAFKA_SASL_PASSWORD",
  "AZURE_STORAGE_CONNECTION_STRING",
  "LOKI_PASSWORD",
  "SENTINEL_METRICS_REMOTE_WRITE_PASSWORD",
  "SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN",
];
