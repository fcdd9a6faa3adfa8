import * as z from "zod";
import { arnOf } from "../config/arn.js";
import {
  type CrossFieldRule,
  commaList,
  flag,
  hostPort,
  positiveInt,
  requiredWhen,
} from "../config/fields.js";
import type { Config } from "../config/schema.js";

/** Room for the record batch and request headers around the messages of a produce request. */
export const REQUEST_OVERHEAD_BYTES = 4_096;
/** Room for a record's own framing besides its key, value and headers. */
export const PER_MESSAGE_OVERHEAD_BYTES = 64;

/** Where a client connects when neither KAFKA_BROKERS nor MSK_CLUSTER_ARN is set. */
export const DEFAULT_KAFKA_BROKERS: readonly string[] = ["localhost:9092"];

/** Kafka's variables (core/kafka): brokers, TLS and SASL, topics, and the producer's limits. */
export const kafkaVariables = {
  /** Unset: MSK_CLUSTER_ARN's bootstrap brokers when that is set, else DEFAULT_KAFKA_BROKERS. */
  KAFKA_BROKERS: commaList(hostPort).optional(),
  /**
   * An Amazon MSK cluster whose bootstrap brokers are looked up at start (kafka:GetBootstrapBrokers,
   * core/kafka/msk/bootstrapBrokers.ts) when KAFKA_BROKERS is not set; its region is the ARN's.
   */
  MSK_CLUSTER_ARN: arnOf("kafka", "cluster/").optional(),
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
};

type KafkaConfig = Pick<
  Config,
  | "KAFKA_SASL_MECHANISM"
  | "KAFKA_SASL_USERNAME"
  | "KAFKA_SASL_PASSWORD"
  | "KAFKA_MAX_BATCH_BYTES"
  | "SENTINEL_MAX_MESSAGE_BYTES"
  | "AWS_REGION"
  | "MSK_CLUSTER_ARN"
>;

export const kafkaRules: readonly CrossFieldRule<KafkaConfig>[] = [
  {
    name: "kafka-sasl-credentials",
    check: (config) => {
      const sasl = config.KAFKA_SASL_MECHANISM;
      const userPassword = sasl === "plain" || sasl.startsWith("scram");
      return [
        ...requiredWhen(
          config,
          "KAFKA_SASL_USERNAME",
          userPassword,
          `KAFKA_SASL_MECHANISM is ${sasl}`,
        ),
        ...requiredWhen(
          config,
          "KAFKA_SASL_PASSWORD",
          userPassword,
          `KAFKA_SASL_MECHANISM is ${sasl}`,
        ),
      ];
    },
  },
  {
    // Tokens are signed for the cluster's region: MSK_CLUSTER_ARN names it, else AWS_REGION must.
    name: "kafka-msk-iam-region",
    check: (config) =>
      requiredWhen(
        config,
        "AWS_REGION",
        config.KAFKA_SASL_MECHANISM === "aws-msk-iam" && config.MSK_CLUSTER_ARN === undefined,
        "KAFKA_SASL_MECHANISM is aws-msk-iam and MSK_CLUSTER_ARN is not set",
      ),
  },
  {
    // The producer refuses a record larger than a whole request (MessageTooLargeError): below
    // this, an event whose message is as long as SENTINEL_MAX_MESSAGE_BYTES allows could never be
    // sent, and the pipeline would stop on it.
    name: "kafka-batch-fits-message",
    check: (config) => {
      const least =
        config.SENTINEL_MAX_MESSAGE_BYTES + REQUEST_OVERHEAD_BYTES + PER_MESSAGE_OVERHEAD_BYTES;
      return config.KAFKA_MAX_BATCH_BYTES < least
        ? [
            {
              variable: "KAFKA_MAX_BATCH_BYTES",
              message: `expected at least SENTINEL_MAX_MESSAGE_BYTES (${config.SENTINEL_MAX_MESSAGE_BYTES}) + ${REQUEST_OVERHEAD_BYTES + PER_MESSAGE_OVERHEAD_BYTES} bytes of request overhead, ${least}, or an event with a message that long could never be sent; got ${config.KAFKA_MAX_BATCH_BYTES}`,
            },
          ]
        : [];
    },
  },
];

/** TLS to the brokers: KAFKA_SSL, and always with MSK IAM, which MSK offers only over TLS. */
export function kafkaUsesTls(
  settings: Pick<Config, "KAFKA_SSL" | "KAFKA_SASL_MECHANISM">,
): boolean {
  return settings.KAFKA_SSL || settings.KAFKA_SASL_MECHANISM === "aws-msk-iam";
}
