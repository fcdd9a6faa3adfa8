import * as z from "zod";
import { alertingVariables } from "../alerting/config.js";
import { azureRules, azureVariables } from "../azure/config.js";
import { cloudwatchVariables } from "../cloudwatch/config.js";
import { detectionRules, detectionVariables } from "../detection/config.js";
import { emailRules, emailVariables } from "../email/config.js";
import { kafkaRules, kafkaVariables } from "../kafka/config.js";
import { llmVariables } from "../llm/config.js";
import { lokiRules, lokiVariables } from "../loki/config.js";
import { metricsRules, metricsVariables } from "../metrics/config.js";
import { teamsRules, teamsVariables } from "../teams/config.js";
import { type CrossFieldRule, nonNegativeInt, positiveInt } from "./fields.js";

/**
 * Every environment variable SentinelLLM reads, with its type, default and meaning: each
 * adapter's part (core/<adapter>/config.ts) with the ones shared by all, and the checks across
 * variables (CROSS_FIELD_RULES). Names follow the original product where it had one
 * (ANOMALY_THRESHOLD, SMTP_*, AWS_*, AZURE_*). `.env.example` documents the same list; a test
 * keeps the two in step.
 */

const coreVariables = {
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
};

/** State kept between runs. */
const stateVariables = {
  /** DynamoDB table (pk/sk strings, TTL attribute expiresAt) for detector counters, alert dedup and checkpoints in AWS. */
  SENTINEL_STATE_TABLE: z.string().min(1).default("sentinel-state"),
  /**
   * Where the Lambda handlers keep detector and alert group state: dynamodb (in AWS), or file (in
   * SENTINEL_STATE_DIR, for the same handlers run by `sentinel lambda-runner` in the compose setup).
   */
  SENTINEL_STATE_BACKEND: z
    .enum(["dynamodb", "file"], { error: "expected dynamodb or file" })
    .default("dynamodb"),
  /** Directory for the embedded mode's state files (checkpoints, dedup); default ~/.local/state/sentinel-llm. */
  SENTINEL_STATE_DIR: z.string().min(1).optional(),
};

/** Classifier service (classifier-service/): the HTTP server in front of the LLM. */
const classifierServiceVariables = {
  CLASSIFIER_HOST: z.string().min(1).default("0.0.0.0"),
  /** 0 picks a free port (tests). */
  CLASSIFIER_PORT: nonNegativeInt(65_535).default(8080),
  /**
   * `token` (the default): the service will not start without CLASSIFIER_API_TOKEN. `none` lets
   * it listen unauthenticated, loudly: only for a machine of one's own (docker-compose.local.yml).
   */
  CLASSIFIER_AUTH: z.enum(["token", "none"], { error: "expected token or none" }).default("token"),
  /** Every route but /healthz and /readyz needs `Authorization: Bearer <token>`. */
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
  /**
   * A file where the service keeps what its template keys learned (which words are variables),
   * loaded at start and saved at shutdown, so a restart does not relearn them; unset, it starts
   * fresh each time.
   */
  CLASSIFIER_TEMPLATE_STATE_FILE: z.string().min(1).optional(),
};

/** The classifier service's own check across its variables. */
const classifierServiceRules: readonly CrossFieldRule<
  Pick<Config, "CLASSIFIER_AUTH" | "CLASSIFIER_API_TOKEN">
>[] = [
  {
    // Which one was meant cannot be guessed: serving openly a token was set for, or the reverse.
    name: "classifier-auth-none-without-token",
    check: (config) =>
      config.CLASSIFIER_AUTH === "none" && config.CLASSIFIER_API_TOKEN !== undefined
        ? [
            {
              variable: "CLASSIFIER_AUTH",
              message:
                "none contradicts CLASSIFIER_API_TOKEN being set: unset one of them (token authentication is the default)",
            },
          ]
        : [],
  },
];

const variables = z.object({
  ...coreVariables,
  ...llmVariables,
  ...stateVariables,
  ...detectionVariables,
  ...alertingVariables,
  ...emailVariables,
  ...teamsVariables,
  ...kafkaVariables,
  ...metricsVariables,
  ...cloudwatchVariables,
  ...azureVariables,
  ...lokiVariables,
  ...classifierServiceVariables,
});

export type Config = z.output<typeof variables>;
export type ConfigVariable = keyof Config;

/**
 * Values each fine alone that a command would refuse together, checked once every variable has
 * parsed; each adapter owns its rules. `sentinel config` and every command's start fail on them.
 */
export const CROSS_FIELD_RULES: readonly CrossFieldRule<Config>[] = [
  ...emailRules,
  ...teamsRules,
  ...azureRules,
  ...kafkaRules,
  ...detectionRules,
  ...metricsRules,
  ...lokiRules,
  ...classifierServiceRules,
];

/** Marks the issues of CROSS_FIELD_RULES, whose messages are shown as the rules wrote them. */
export const CROSS_FIELD_ISSUE = "crossField";

export const configSchema = variables.superRefine(
  (config, ctx) => {
    for (const rule of CROSS_FIELD_RULES)
      for (const problem of rule.check(config))
        ctx.addIssue({
          code: "custom",
          path: [problem.variable],
          message: problem.message,
          params: { [CROSS_FIELD_ISSUE]: rule.name },
        });
  },
  // Only once every variable is valid: rules compare typed values, never ones already refused.
  { when: (payload) => payload.issues.length === 0 },
);

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
