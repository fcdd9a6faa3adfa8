import { z } from "zod";

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
  /** Directory for the embedded mode's state files (checkpoints, dedup); default ~/.local/state/sentinel-llm. */
  SENTINEL_STATE_DIR: z.string().min(1).optional(),

  // Detection and alerting
  ANOMALY_THRESHOLD: fraction.default(0.7),
  DEDUP_WINDOW_MINUTES: positiveInt(7 * 24 * 60).default(10),
  SEND_PREVENTIVE_EMAILS: flag.default(false),

  // E-mail
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: positiveInt(65_535).default(587),
  SMTP_USERNAME: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  EMAIL_FROM: email.optional(),
  EMAIL_RECIPIENTS: commaList(email).default([]),

  // Microsoft Teams
  TEAMS_WEBHOOK_URL: httpUrl.optional(),

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
  VICTORIA_METRICS_URL: httpUrl.optional(),
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

  // Azure Monitor / Log Analytics
  AZURE_TENANT_ID: z.uuid({ error: "expected a tenant id (a GUID)" }).optional(),
  AZURE_CLIENT_ID: z.uuid({ error: "expected a client id (a GUID)" }).optional(),
  AZURE_CLIENT_SECRET: z.string().min(1).optional(),
  AZURE_WORKSPACE_ID: z.uuid({ error: "expected a workspace id (a GUID)" }).optional(),
  AZURE_QUERY: z
    .string()
    .min(1)
    .default("union * | where TimeGenerated > ago(1h) | order by TimeGenerated asc"),
  AZURE_POLL_INTERVAL_SECONDS: positiveInt().default(60),

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
  "CLASSIFIER_API_TOKEN",
  "KAFKA_SASL_PASSWORD",
];
