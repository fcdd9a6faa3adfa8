import { promisify } from "node:util";
import { gzip, unzip } from "node:zlib";
import kafkajs, {
  CompressionTypes,
  Kafka,
  type KafkaConfig,
  logLevel,
  type SASLOptions,
} from "kafkajs";
import { regionOfArn } from "../config/arn.js";
import type { Config } from "../config/schema.js";
import type { Logger } from "../logging/logger.js";
import { DEFAULT_KAFKA_BROKERS, kafkaUsesTls } from "./config.js";
import { mskBootstrapBrokers } from "./msk/bootstrapBrokers.js";
import { mskIamTokenProvider } from "./mskIamToken.js";

export type KafkaSettings = Pick<
  Config,
  | "KAFKA_BROKERS"
  | "MSK_CLUSTER_ARN"
  | "KAFKA_CLIENT_ID"
  | "KAFKA_SSL"
  | "KAFKA_SASL_MECHANISM"
  | "KAFKA_SASL_USERNAME"
  | "KAFKA_SASL_PASSWORD"
  | "AWS_REGION"
>;

const gzipFast = promisify(gzip);
const gunzip = promisify(unzip);

// KafkaJS's gzip codec uses zlib's default level 6; level 1 compresses log JSON several times
// faster for a little more size, and any consumer reads it the same.
// (CompressionCodecs is reachable only through the CommonJS module object.)
kafkajs.CompressionCodecs[CompressionTypes.GZIP] = () => ({
  compress: (encoder: { buffer: Buffer }) => gzipFast(encoder.buffer, { level: 1 }),
  decompress: (buffer: Buffer) => gunzip(buffer),
});

/**
 * The KafkaJS client configuration for brokers, TLS and SASL (PLAIN, SCRAM, or MSK IAM). The
 * brokers are KAFKA_BROKERS; without it, MSK_CLUSTER_ARN's bootstrap brokers, looked up when the
 * client first connects (and kept for the process); without either, localhost:9092.
 */
export function kafkaConfig(settings: KafkaSettings, logger?: Logger): KafkaConfig {
  const clusterArn = settings.MSK_CLUSTER_ARN;
  const config: KafkaConfig = {
    clientId: settings.KAFKA_CLIENT_ID,
    brokers:
      settings.KAFKA_BROKERS ??
      (clusterArn ? () => mskBootstrapBrokers(clusterArn, settings) : [...DEFAULT_KAFKA_BROKERS]),
    ssl: kafkaUsesTls(settings),
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 30_000 },
    logLevel: logLevel.WARN,
  };
  const sasl = saslOptions(settings);
  if (sasl) config.sasl = sasl;
  if (logger) config.logCreator = kafkaLogCreator(logger);
  return config;
}

export function createKafka(settings: KafkaSettings, logger?: Logger): Kafka {
  return new Kafka(kafkaConfig(settings, logger));
}

function saslOptions(settings: KafkaSettings): SASLOptions | undefined {
  const username = settings.KAFKA_SASL_USERNAME ?? "";
  const password = settings.KAFKA_SASL_PASSWORD ?? "";
  switch (settings.KAFKA_SASL_MECHANISM) {
    case "none":
      return undefined;
    case "plain":
      return { mechanism: "plain", username, password };
    case "scram-sha-256":
      return { mechanism: "scram-sha-256", username, password };
    case "scram-sha-512":
      return { mechanism: "scram-sha-512", username, password };
    case "aws-msk-iam":
      return {
        mechanism: "oauthbearer",
        // The cluster's region; the config's rules make sure one of the two names it.
        oauthBearerProvider: mskIamTokenProvider(
          settings.MSK_CLUSTER_ARN
            ? regionOfArn(settings.MSK_CLUSTER_ARN)
            : (settings.AWS_REGION ?? ""),
        ),
      };
  }
}

/** Sends KafkaJS's own log lines to our logger, as structured entries. */
function kafkaLogCreator(logger: Logger): KafkaConfig["logCreator"] {
  const child = logger.child({ component: "kafkajs" });
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
      else if (level === logLevel.INFO) child.info(fields, message);
      else child.debug(fields, message);
    };
}
