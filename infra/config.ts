import { readFileSync } from "node:fs";
import * as z from "zod";

/**
 * The CDK app's settings: typed, with defaults, validated before any construct is made. They come
 * from a JSON file (`cdk synth -c configFile=sentinel.json`) and from the `sentinel` context
 * object (`cdk.json`'s "context", or `-c 'sentinel={"classifier":{"gpu":true}}'`), which wins,
 * merged key by key. An invalid setting stops synth with a message naming it:
 *
 *   Invalid SentinelLLM deployment settings:
 *     classifier.maxTasks: expected at most kafka.partitions (6), got 12
 */

const positiveInt = (max: number) =>
  z
    .number({ error: "expected a whole number" })
    .int({ error: "expected a whole number" })
    .min(1, { error: "expected a number of at least 1" })
    .max(max, { error: `expected a number of at most ${max}` });

const arn = (service: string, resource: string) =>
  z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:${resource}`), {
    error: `expected an ARN such as arn:aws:${service}:us-east-1:123456789012:${resource}…`,
  });

const logGroupName = z
  .string()
  .regex(/^[\w/.#-]{1,512}$/, { error: "expected a CloudWatch Logs log group name" });
const email = z.email({ error: "expected an e-mail address" });
const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, {
  error: "expected an IPv4 CIDR such as 10.0.0.0/16",
});

const vpcSchema = z
  .object({
    /** An existing VPC instead of a new one; needs the attributes below (synth never looks up). */
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]{8,17}$/, { error: "expected a VPC id such as vpc-0123456789abcdef0" })
      .optional(),
    availabilityZones: z.array(z.string().min(1)).default([]),
    privateSubnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: "expected subnet ids" }))
      .default([]),
    privateSubnetRouteTableIds: z.array(z.string().min(1)).default([]),
    vpcCidr: cidr.optional(),
    /** A new VPC's address range. */
    cidr: cidr.default("10.40.0.0/16"),
    maxAzs: positiveInt(3).default(2),
    /** S3 and DynamoDB gateway endpoints on the private route tables; off when the VPC has them. */
    gatewayEndpoints: z.boolean({ error: "expected true or false" }).default(true),
    /**
     * Internet egress (Teams, SMTP, image pulls, the MSK event source pollers' calls to Lambda and
     * STS): 1 by default, one per zone for no single point of failure.
     */
    natGateways: positiveInt(3).default(1),
  })
  .strict()
  .prefault({});

const topicsSchema = z
  .object({
    raw: z.string().min(1).default("raw-logs"),
    classified: z.string().min(1).default("classified-logs"),
    anomalies: z.string().min(1).default("anomalies"),
    deadLetter: z.string().min(1).default("sentinel-dead-letter"),
  })
  .strict()
  .prefault({});

const kafkaSchema = z
  .object({
    /** serverless: MSK Serverless (IAM); provisioned: an MSK cluster (IAM); existing: by ARN. */
    mode: z
      .enum(["serverless", "provisioned", "existing"], {
        error: "expected serverless, provisioned or existing",
      })
      .default("serverless"),
    clusterArn: arn("kafka", "cluster/").optional(),
    /** The existing cluster's security group, which must let the Lambdas and tasks in on 9098. */
    clusterSecurityGroupId: z.string().min(1).optional(),
    brokerInstanceType: z.string().min(1).default("kafka.m7g.large"),
    brokerNodes: positiveInt(30).default(2),
    brokerVolumeGiB: positiveInt(16_384).default(100),
    kafkaVersion: z.string().min(1).default("3.6.0"),
    partitions: positiveInt(10_000).default(6),
    /** Provisioned and existing clusters only: MSK Serverless always keeps 3 replicas. */
    replicationFactor: positiveInt(16).default(2),
    topics: topicsSchema,
  })
  .strict()
  .prefault({});

const eventSourceSchema = z
  .object({
    batchSize: positiveInt(10_000).default(100),
    maxBatchingWindowSeconds: z
      .number()
      .min(0, { error: "expected 0 to 300 seconds" })
      .max(300, { error: "expected 0 to 300 seconds" })
      .default(1),
    startingPosition: z
      .enum(["TRIM_HORIZON", "LATEST"], { error: "expected TRIM_HORIZON or LATEST" })
      .default("TRIM_HORIZON"),
    /** Retries of a failed batch (from its first failed record) before the on-failure queue. */
    retryAttempts: z
      .number()
      .int({ error: "expected a whole number" })
      .min(0, { error: "expected 0 to 10000" })
      .max(10_000, { error: "expected 0 to 10000" })
      .default(2),
    /** Provisioned pollers (needed for MSK retries and partial batch responses). */
    maxPollers: positiveInt(2_000).default(2),
  })
  .strict()
  .prefault({});

const ingestionSchema = z
  .object({
    /** Log groups forwarded by subscription filter (each takes one of its group's 2 slots). */
    subscribedLogGroups: z.array(logGroupName).default([]),
    /** Log groups read by the scheduled FilterLogEvents poller instead. */
    polledLogGroups: z.array(logGroupName).default([]),
    pollIntervalMinutes: positiveInt(60).default(1),
    /** CloudWatch Logs filter pattern of the subscription filters and the poller ("": all). */
    filterPattern: z.string().max(1024).default(""),
  })
  .strict()
  .prefault({});

const classifierSchema = z
  .object({
    /** GPU: EC2 GPU instances with the CUDA image; otherwise Fargate on the CPU. */
    gpu: z.boolean({ error: "expected true or false" }).default(false),
    gpuInstanceType: z.string().min(1).default("g4dn.xlarge"),
    cpu: z
      .union([z.literal(1024), z.literal(2048), z.literal(4096), z.literal(8192)], {
        error: "expected 1024, 2048, 4096 or 8192 (CPU units)",
      })
      .default(2048),
    memoryMiB: positiveInt(61_440).default(6144),
    minTasks: positiveInt(100).default(1),
    maxTasks: positiveInt(10_000).default(3),
    /** raw-logs lag (records) above which a task is added (5× adds two; a tenth removes one). */
    scaleOutLag: positiveInt(100_000_000).default(5_000),
    /** The GGUF's key in the model bucket (upload it there before the first deploy). */
    modelKey: z
      .string()
      .regex(/^models\/[\w./-]+\.gguf$/, {
        error: "expected an S3 key under models/ ending in .gguf (the tasks may read models/ only)",
      })
      .default("models/qwen2-1.5b-log-classifier-Q4_K_M.gguf"),
    /** A Hugging Face reference (hf:…) pulled at start instead of the bucket's file. */
    huggingFaceModel: z
      .string()
      .regex(/^hf:/, { error: "expected a Hugging Face reference such as hf:owner/repo/file.gguf" })
      .optional(),
  })
  .strict()
  .prefault({});

const alertingSchema = z
  .object({
    emailTransport: z.enum(["smtp", "ses"], { error: "expected smtp or ses" }).default("smtp"),
    emailFrom: email.optional(),
    emailRecipients: z.array(email).default([]),
    smtpHost: z.string().min(1).optional(),
    smtpPort: positiveInt(65_535).default(587),
    /** Import existing secrets instead of creating empty ones (values are never in the template). */
    smtpCredentialsSecretArn: arn("secretsmanager", "secret:").optional(),
    teamsWebhookUrlSecretArn: arn("secretsmanager", "secret:").optional(),
    /** An SES identity to create: a domain (DKIM records to add) or an e-mail address. */
    sesIdentity: z.string().min(3).optional(),
    dedupWindowMinutes: positiveInt(1_440).default(10),
    sendPreventiveEmails: z.boolean({ error: "expected true or false" }).default(false),
    /** Notification groups: ALERT_GROUP_BY, ALERT_GROUP_WAIT_SECONDS and the rest. */
    groupBy: z
      .array(
        z.enum(["service", "kind", "severity"], { error: "expected service, kind or severity" }),
      )
      .min(1)
      .default(["service"]),
    groupWaitSeconds: z.number().int().min(0).max(3600).default(30),
    groupIntervalMinutes: positiveInt(1_440).default(5),
    repeatIntervalHours: z.number().positive().max(168).default(4),
    resolveAfterMinutes: positiveInt(10_080).default(15),
    sendResolved: z.boolean({ error: "expected true or false" }).default(true),
  })
  .strict()
  .prefault({});

const observabilitySchema = z
  .object({
    /** VictoriaMetrics and Grafana on ECS; off: no remote write, no dashboards. */
    enabled: z.boolean({ error: "expected true or false" }).default(true),
    retentionMonths: positiveInt(120).default(3),
    /** Who may reach Grafana's internal load balancer (default: the VPC's own range). */
    grafanaAllowedCidr: cidr.optional(),
  })
  .strict()
  .prefault({});

const alarmsSchema = z
  .object({
    /** Subscribed to the alarm topic (confirm the e-mail AWS sends). */
    email: email.optional(),
    consumerLagThreshold: positiveInt(1_000_000_000).default(50_000),
  })
  .strict()
  .prefault({});

export const infraConfigSchema = z
  .object({
    /** Prefix of resource names (functions, cluster, table, log groups). */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,20}$/, { error: "expected 2-21 lowercase letters, digits or -" })
      .default("sentinel"),
    logLevel: z
      .enum(["trace", "debug", "info", "warn", "error"], {
        error: "expected trace, debug, info, warn or error",
      })
      .default("info"),
    logRetentionDays: z
      .union(
        [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365].map((days) => z.literal(days)) as [
          z.ZodLiteral<number>,
          ...z.ZodLiteral<number>[],
        ],
        { error: "expected one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365" },
      )
      .default(30),
    vpc: vpcSchema,
    kafka: kafkaSchema,
    eventSource: eventSourceSchema,
    ingestion: ingestionSchema,
    classifier: classifierSchema,
    alerting: alertingSchema,
    observability: observabilitySchema,
    alarms: alarmsSchema,
  })
  .strict()
  .superRefine((config, context) => {
    const issue = (path: (string | number)[], message: string) =>
      context.addIssue({ code: "custom", path, message });
    const { vpc, kafka, classifier, alerting, ingestion } = config;
    if (vpc.vpcId !== undefined) {
      if (vpc.availabilityZones.length < 2)
        issue(["vpc", "availabilityZones"], "required with vpc.vpcId: at least 2 zones");
      if (vpc.privateSubnetIds.length !== vpc.availabilityZones.length)
        issue(
          ["vpc", "privateSubnetIds"],
          `required with vpc.vpcId: one private subnet per availability zone (${vpc.availabilityZones.length})`,
        );
      if (vpc.privateSubnetRouteTableIds.length !== vpc.privateSubnetIds.length)
        issue(
          ["vpc", "privateSubnetRouteTableIds"],
          "required with vpc.vpcId: one route table per private subnet (for the S3 and DynamoDB gateway endpoints)",
        );
      if (vpc.vpcCidr === undefined)
        issue(["vpc", "vpcCidr"], "required with vpc.vpcId: the VPC's IPv4 range");
    }
    if (kafka.mode === "existing" && kafka.clusterArn === undefined)
      issue(["kafka", "clusterArn"], "required when kafka.mode is existing");
    if (kafka.mode === "existing" && kafka.clusterSecurityGroupId === undefined)
      issue(["kafka", "clusterSecurityGroupId"], "required when kafka.mode is existing");
    if (kafka.mode !== "existing" && kafka.clusterArn !== undefined)
      issue(["kafka", "clusterArn"], "only with kafka.mode existing");
    const zones = vpc.vpcId !== undefined ? vpc.availabilityZones.length : vpc.maxAzs;
    if (kafka.mode === "provisioned" && kafka.brokerNodes % zones !== 0)
      issue(
        ["kafka", "brokerNodes"],
        `expected a multiple of the availability zones (${zones}), got ${kafka.brokerNodes}`,
      );
    if (kafka.mode === "provisioned" && kafka.replicationFactor > kafka.brokerNodes)
      issue(
        ["kafka", "replicationFactor"],
        `expected at most kafka.brokerNodes (${kafka.brokerNodes}), got ${kafka.replicationFactor}`,
      );
    if (classifier.maxTasks > kafka.partitions)
      issue(
        ["classifier", "maxTasks"],
        `expected at most kafka.partitions (${kafka.partitions}), got ${classifier.maxTasks}: a consumer beyond the partition count has nothing to read`,
      );
    if (classifier.minTasks > classifier.maxTasks)
      issue(
        ["classifier", "minTasks"],
        `expected at most classifier.maxTasks (${classifier.maxTasks}), got ${classifier.minTasks}`,
      );
    if (alerting.smtpHost !== undefined || alerting.emailTransport === "ses") {
      const because =
        alerting.emailTransport === "ses"
          ? "alerting.emailTransport is ses"
          : "alerting.smtpHost is set";
      if (alerting.emailFrom === undefined)
        issue(["alerting", "emailFrom"], `required when ${because}`);
      if (alerting.emailRecipients.length === 0)
        issue(["alerting", "emailRecipients"], `required when ${because}`);
    }
    const both = ingestion.subscribedLogGroups.filter((g) => ingestion.polledLogGroups.includes(g));
    if (both.length > 0)
      issue(
        ["ingestion", "polledLogGroups"],
        `${both.join(", ")} also in ingestion.subscribedLogGroups: each event would be read twice`,
      );
  });

export type InfraConfig = z.infer<typeof infraConfigSchema>;

export class InfraConfigError extends Error {
  override name = "InfraConfigError";
}

/** Validates raw settings; throws an InfraConfigError naming every bad setting. */
export function parseInfraConfig(raw: unknown): InfraConfig {
  const parsed = infraConfigSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const setting = issue.path.length > 0 ? issue.path.join(".") : "settings";
    const message =
      issue.code === "unrecognized_keys"
        ? `unknown setting${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`
        : issue.message;
    return `  ${setting}: ${message}`;
  });
  return throwConfigError(lines);
}

function throwConfigError(lines: string[]): never {
  throw new InfraConfigError(`Invalid SentinelLLM deployment settings:\n${lines.join("\n")}`);
}

/** A plain object, merged key by key (arrays and values replace). */
function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = merge(base[key], value);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A context value given on the command line arrives as a string: JSON is parsed. */
function fromContext(value: unknown, name: string): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    throwConfigError([`  ${name}: expected JSON (${(error as Error).message})`]);
  }
}

/**
 * The settings from the app's context: the JSON file named by `configFile`, then the `sentinel`
 * object over it.
 */
export function infraConfigFromContext(tryGetContext: (key: string) => unknown): InfraConfig {
  const file = tryGetContext("configFile");
  let fromFile: unknown = {};
  if (file !== undefined) {
    if (typeof file !== "string")
      throwConfigError(["  configFile: expected a path to a JSON file"]);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throwConfigError([`  configFile: cannot read ${file}: ${(error as Error).message}`]);
    }
    try {
      fromFile = JSON.parse(text);
    } catch (error) {
      throwConfigError([`  configFile: ${file} is not JSON (${(error as Error).message})`]);
    }
  }
  return parseInfraConfig(merge(fromFile, fromContext(tryGetContext("sentinel"), "sentinel")));
}
