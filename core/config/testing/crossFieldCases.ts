/**
 * Every cross-field rule (CROSS_FIELD_RULES, core/config/schema.ts) with combinations it refuses,
 * the problems loadConfig reports for each, and combinations it accepts. The loader's test and
 * the `sentinel config` test both go through this table; a rule without cases fails them.
 */
export interface RefusedCombination {
  rule: string;
  env: Record<string, string>;
  /** `VARIABLE: message`, in the order loadConfig reports them. */
  problems: string[];
}

export interface AcceptedCombination {
  rule: string;
  env: Record<string, string>;
}

/** A value the messages must never repeat (they are shown as written). */
export const SECRET = "example-not-real-secret";

const SENDER = { EMAIL_FROM: "sentinel@example.com", EMAIL_RECIPIENTS: "oncall@example.com" };
const SMTP_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sentinel/smtp-AbCdEf";
const TEAMS_SECRET_ARN =
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sentinel/teams-AbCdEf";
const MSK_ARN =
  "arn:aws:kafka:eu-west-1:123456789012:cluster/sentinel/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-1";
const PRINCIPAL = {
  AZURE_TENANT_ID: "00000000-0000-4000-8000-000000000001",
  AZURE_CLIENT_ID: "00000000-0000-4000-8000-000000000002",
};

export const REFUSED: readonly RefusedCombination[] = [
  {
    rule: "email-smtp-sender",
    env: { SMTP_HOST: "smtp.example.com" },
    problems: [
      "EMAIL_RECIPIENTS: required when SMTP_HOST is set",
      "EMAIL_FROM: required when SMTP_HOST is set",
    ],
  },
  {
    rule: "email-smtp-sender",
    env: { SMTP_HOST: "smtp.example.com", EMAIL_FROM: "sentinel@example.com" },
    problems: ["EMAIL_RECIPIENTS: required when SMTP_HOST is set"],
  },
  {
    rule: "email-ses",
    env: { EMAIL_TRANSPORT: "ses" },
    problems: [
      "EMAIL_RECIPIENTS: required when EMAIL_TRANSPORT is ses",
      "EMAIL_FROM: required when EMAIL_TRANSPORT is ses",
      "AWS_REGION: required when EMAIL_TRANSPORT is ses",
    ],
  },
  {
    rule: "email-ses",
    env: { EMAIL_TRANSPORT: "ses", ...SENDER },
    problems: ["AWS_REGION: required when EMAIL_TRANSPORT is ses"],
  },
  {
    rule: "email-smtp-auth",
    env: { SMTP_HOST: "smtp.example.com", ...SENDER, SMTP_USERNAME: "sentinel" },
    problems: ["SMTP_PASSWORD: required when SMTP_USERNAME is set"],
  },
  {
    rule: "email-smtp-auth",
    env: { SMTP_PASSWORD: SECRET },
    problems: ["SMTP_USERNAME: required when SMTP_PASSWORD is set"],
  },
  {
    rule: "email-smtp-secret",
    env: {
      SMTP_HOST: "smtp.example.com",
      ...SENDER,
      SMTP_CREDENTIALS_SECRET_ARN: SMTP_SECRET_ARN,
      SMTP_PASSWORD: SECRET,
    },
    problems: [
      "SMTP_PASSWORD: not with SMTP_CREDENTIALS_SECRET_ARN, whose secret holds the SMTP username and password: set one or the other",
    ],
  },
  {
    rule: "email-smtp-secret",
    env: {
      SMTP_HOST: "smtp.example.com",
      ...SENDER,
      SMTP_CREDENTIALS_SECRET_ARN: SMTP_SECRET_ARN,
      SMTP_USERNAME: "sentinel",
    },
    problems: [
      "SMTP_USERNAME: not with SMTP_CREDENTIALS_SECRET_ARN, whose secret holds the SMTP username and password: set one or the other",
    ],
  },
  {
    rule: "teams-webhook-secret",
    env: {
      TEAMS_WEBHOOK_URL: "https://example.webhook.office.com/workflows/1",
      TEAMS_WEBHOOK_URL_SECRET_ARN: TEAMS_SECRET_ARN,
    },
    problems: [
      "TEAMS_WEBHOOK_URL: not with TEAMS_WEBHOOK_URL_SECRET_ARN, whose secret holds the webhook URL: set one or the other",
    ],
  },
  {
    rule: "azure-service-principal",
    env: { AZURE_CLIENT_SECRET: SECRET },
    problems: [
      "AZURE_TENANT_ID: required when AZURE_CLIENT_SECRET is set",
      "AZURE_CLIENT_ID: required when AZURE_CLIENT_SECRET is set",
    ],
  },
  {
    rule: "azure-service-principal",
    env: { AZURE_CLIENT_SECRET: SECRET, AZURE_TENANT_ID: PRINCIPAL.AZURE_TENANT_ID },
    problems: ["AZURE_CLIENT_ID: required when AZURE_CLIENT_SECRET is set"],
  },
  {
    rule: "kafka-sasl-credentials",
    env: { KAFKA_SASL_MECHANISM: "scram-sha-512" },
    problems: [
      "KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is scram-sha-512",
      "KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is scram-sha-512",
    ],
  },
  {
    rule: "kafka-sasl-credentials",
    env: { KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_PASSWORD: SECRET },
    problems: ["KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is plain"],
  },
  {
    rule: "kafka-msk-iam-region",
    env: { KAFKA_SASL_MECHANISM: "aws-msk-iam" },
    problems: [
      "AWS_REGION: required when KAFKA_SASL_MECHANISM is aws-msk-iam and MSK_CLUSTER_ARN is not set",
    ],
  },
  {
    rule: "kafka-batch-fits-message",
    env: { KAFKA_MAX_BATCH_BYTES: "4096" },
    problems: [
      "KAFKA_MAX_BATCH_BYTES: expected at least SENTINEL_MAX_MESSAGE_BYTES (16384) + 4160 bytes of request overhead, 20544, or an event with a message that long could never be sent; got 4096",
    ],
  },
  {
    rule: "kafka-batch-fits-message",
    env: { SENTINEL_MAX_MESSAGE_BYTES: "1048576" },
    problems: [
      "KAFKA_MAX_BATCH_BYTES: expected at least SENTINEL_MAX_MESSAGE_BYTES (1048576) + 4160 bytes of request overhead, 1052736, or an event with a message that long could never be sent; got 900000",
    ],
  },
  {
    rule: "detection-min-baseline",
    env: { ANOMALY_MIN_BASELINE_BUCKETS: "61" },
    problems: [
      "ANOMALY_MIN_BASELINE_BUCKETS: expected at most ANOMALY_BASELINE_BUCKETS (60), got 61",
    ],
  },
  {
    rule: "detection-min-baseline",
    env: { ANOMALY_BASELINE_BUCKETS: "20" },
    problems: [
      "ANOMALY_MIN_BASELINE_BUCKETS: expected at most ANOMALY_BASELINE_BUCKETS (20), got 30",
    ],
  },
  {
    rule: "metrics-basic-auth",
    env: {
      VICTORIA_METRICS_URL: "http://victoriametrics:8428",
      SENTINEL_METRICS_REMOTE_WRITE_USERNAME: "sentinel",
    },
    problems: [
      "SENTINEL_METRICS_REMOTE_WRITE_PASSWORD: required when SENTINEL_METRICS_REMOTE_WRITE_USERNAME is set",
    ],
  },
  {
    rule: "metrics-basic-auth",
    env: { SENTINEL_METRICS_REMOTE_WRITE_PASSWORD: SECRET },
    problems: [
      "SENTINEL_METRICS_REMOTE_WRITE_USERNAME: required when SENTINEL_METRICS_REMOTE_WRITE_PASSWORD is set",
    ],
  },
  {
    rule: "metrics-one-auth",
    env: {
      SENTINEL_METRICS_REMOTE_WRITE_URL: "https://metrics.example.com/api/v1/push",
      SENTINEL_METRICS_REMOTE_WRITE_USERNAME: "sentinel",
      SENTINEL_METRICS_REMOTE_WRITE_PASSWORD: SECRET,
      SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN: SECRET,
    },
    problems: [
      "SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN: set either it or SENTINEL_METRICS_REMOTE_WRITE_USERNAME/_PASSWORD, not both",
    ],
  },
  {
    rule: "metrics-url-credentials",
    env: { SENTINEL_METRICS_REMOTE_WRITE_URL: `https://user:${SECRET}@metrics.example.com/write` },
    problems: [
      "SENTINEL_METRICS_REMOTE_WRITE_URL: must not contain credentials; use SENTINEL_METRICS_REMOTE_WRITE_USERNAME and _PASSWORD",
    ],
  },
  {
    rule: "metrics-url-credentials",
    env: { VICTORIA_METRICS_URL: `http://user:${SECRET}@victoriametrics:8428` },
    problems: [
      "VICTORIA_METRICS_URL: must not contain credentials; use SENTINEL_METRICS_REMOTE_WRITE_USERNAME and _PASSWORD",
    ],
  },
  {
    rule: "loki-basic-auth",
    env: { LOKI_PASSWORD: SECRET },
    problems: ["LOKI_USERNAME: required when LOKI_PASSWORD is set"],
  },
  {
    rule: "classifier-auth-none-without-token",
    env: { CLASSIFIER_AUTH: "none", CLASSIFIER_API_TOKEN: `${SECRET}-0123456789` },
    problems: [
      "CLASSIFIER_AUTH: none contradicts CLASSIFIER_API_TOKEN being set: unset one of them (token authentication is the default)",
    ],
  },
];

export const ACCEPTED: readonly AcceptedCombination[] = [
  { rule: "classifier-auth-none-without-token", env: { CLASSIFIER_AUTH: "none" } },
  {
    rule: "classifier-auth-none-without-token",
    env: { CLASSIFIER_API_TOKEN: `${SECRET}-0123456789` },
  },
  { rule: "email-smtp-sender", env: { SMTP_HOST: "smtp.example.com", ...SENDER } },
  { rule: "email-ses", env: { EMAIL_TRANSPORT: "ses", AWS_REGION: "eu-west-1", ...SENDER } },
  {
    rule: "email-smtp-auth",
    env: {
      SMTP_HOST: "smtp.example.com",
      ...SENDER,
      SMTP_USERNAME: "sentinel",
      SMTP_PASSWORD: SECRET,
    },
  },
  { rule: "azure-service-principal", env: { ...PRINCIPAL, AZURE_CLIENT_SECRET: SECRET } },
  // Without the secret, the ids are DefaultAzureCredential's (a managed identity's client id).
  { rule: "azure-service-principal", env: { AZURE_CLIENT_ID: PRINCIPAL.AZURE_CLIENT_ID } },
  {
    rule: "kafka-sasl-credentials",
    env: {
      KAFKA_SASL_MECHANISM: "scram-sha-256",
      KAFKA_SASL_USERNAME: "sentinel",
      KAFKA_SASL_PASSWORD: SECRET,
    },
  },
  {
    rule: "kafka-msk-iam-region",
    env: { KAFKA_SASL_MECHANISM: "aws-msk-iam", AWS_REGION: "us-east-1", KAFKA_SSL: "true" },
  },
  // The cluster's ARN names its region.
  {
    rule: "kafka-msk-iam-region",
    env: { KAFKA_SASL_MECHANISM: "aws-msk-iam", MSK_CLUSTER_ARN: MSK_ARN },
  },
  // The secret's credentials count as the SMTP auth: no SMTP_USERNAME or SMTP_PASSWORD beside it.
  {
    rule: "email-smtp-secret",
    env: { SMTP_HOST: "smtp.example.com", ...SENDER, SMTP_CREDENTIALS_SECRET_ARN: SMTP_SECRET_ARN },
  },
  {
    rule: "email-smtp-auth",
    env: { SMTP_HOST: "smtp.example.com", ...SENDER, SMTP_CREDENTIALS_SECRET_ARN: SMTP_SECRET_ARN },
  },
  { rule: "teams-webhook-secret", env: { TEAMS_WEBHOOK_URL_SECRET_ARN: TEAMS_SECRET_ARN } },
  { rule: "kafka-batch-fits-message", env: { KAFKA_MAX_BATCH_BYTES: "20544" } },
  {
    rule: "kafka-batch-fits-message",
    env: { SENTINEL_MAX_MESSAGE_BYTES: "1048576", KAFKA_MAX_BATCH_BYTES: "1100000" },
  },
  {
    rule: "detection-min-baseline",
    env: { ANOMALY_BASELINE_BUCKETS: "20", ANOMALY_MIN_BASELINE_BUCKETS: "20" },
  },
  {
    rule: "metrics-basic-auth",
    env: {
      VICTORIA_METRICS_URL: "http://victoriametrics:8428",
      SENTINEL_METRICS_REMOTE_WRITE_USERNAME: "sentinel",
      SENTINEL_METRICS_REMOTE_WRITE_PASSWORD: SECRET,
    },
  },
  {
    rule: "metrics-one-auth",
    env: {
      SENTINEL_METRICS_REMOTE_WRITE_URL: "https://metrics.example.com/api/v1/push",
      SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN: SECRET,
    },
  },
  {
    rule: "metrics-url-credentials",
    env: { SENTINEL_METRICS_REMOTE_WRITE_URL: "https://metrics.example.com/api/v1/push" },
  },
  { rule: "loki-basic-auth", env: { LOKI_USERNAME: "sentinel", LOKI_PASSWORD: SECRET } },
  // A user name alone is sent with an empty password.
  { rule: "loki-basic-auth", env: { LOKI_USERNAME: "sentinel" } },
];
