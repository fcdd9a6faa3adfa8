import {
  GetBootstrapBrokersCommand,
  type GetBootstrapBrokersResponse,
  KafkaClient,
} from "@aws-sdk/client-kafka";
import { regionOfArn } from "../../config/arn.js";
import type { Config } from "../../config/schema.js";
import { kafkaUsesTls } from "../config.js";
import { MskBootstrapBrokersError } from "./errors.js";

/**
 * The bootstrap brokers of an Amazon MSK cluster, from its ARN (MSK_CLUSTER_ARN): looked up once
 * per process with kafka:GetBootstrapBrokers in the ARN's region and kept, so warm Lambda
 * invocations and reconnects do not ask again; a failed lookup is asked again next time. The SDK
 * finds its endpoint itself (AWS_ENDPOINT_URL_KAFKA points it at a stand-in in tests).
 */

export type BootstrapSettings = Pick<Config, "KAFKA_SASL_MECHANISM" | "KAFKA_SSL">;

type BrokerString = keyof GetBootstrapBrokersResponse;

/** The one of GetBootstrapBrokers' strings that a client with these settings connects to. */
export function bootstrapBrokerString(settings: BootstrapSettings): BrokerString {
  switch (settings.KAFKA_SASL_MECHANISM) {
    case "aws-msk-iam":
      return "BootstrapBrokerStringSaslIam";
    case "scram-sha-256":
    case "scram-sha-512":
      return "BootstrapBrokerStringSaslScram";
    default:
      return kafkaUsesTls(settings) ? "BootstrapBrokerStringTls" : "BootstrapBrokerString";
  }
}

/** `host:port` of each broker in the response's string for these settings; throws when it has none. */
export function pickBootstrapBrokers(
  clusterArn: string,
  response: GetBootstrapBrokersResponse,
  settings: BootstrapSettings,
): string[] {
  const field = bootstrapBrokerString(settings);
  const brokers = (response[field] ?? "")
    .split(",")
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  if (brokers.length === 0)
    throw new MskBootstrapBrokersError(
      `MSK_CLUSTER_ARN: cluster ${clusterArn} has no ${field} for KAFKA_SASL_MECHANISM=${settings.KAFKA_SASL_MECHANISM}${settings.KAFKA_SSL ? " with KAFKA_SSL" : ""}: turn that access on for the cluster, or change KAFKA_SASL_MECHANISM / KAFKA_SSL`,
    );
  return brokers;
}

const lookups = new Map<string, Promise<string[]>>();

/** The cluster's bootstrap brokers for these settings, looked up on first use and kept. */
export function mskBootstrapBrokers(
  clusterArn: string,
  settings: BootstrapSettings,
  options: { client?: KafkaClient } = {},
): Promise<string[]> {
  const key = `${clusterArn}\0${bootstrapBrokerString(settings)}`;
  let lookup = lookups.get(key);
  if (!lookup) {
    lookup = lookUp(clusterArn, settings, options.client).catch((error: unknown) => {
      lookups.delete(key);
      throw error;
    });
    lookups.set(key, lookup);
  }
  return lookup;
}

async function lookUp(
  clusterArn: string,
  settings: BootstrapSettings,
  given: KafkaClient | undefined,
): Promise<string[]> {
  const client = given ?? new KafkaClient({ region: regionOfArn(clusterArn), maxAttempts: 3 });
  try {
    const response = await client
      .send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }))
      .catch((error: Error) => {
        throw new MskBootstrapBrokersError(
          `MSK_CLUSTER_ARN: cannot get the bootstrap brokers of ${clusterArn}: ${error.name}: ${error.message}`,
          { cause: error },
        );
      });
    return pickBootstrapBrokers(clusterArn, response, settings);
  } finally {
    if (!given) client.destroy();
  }
}

/** Forgets the brokers looked up so far (tests). */
export function forgetBootstrapBrokers(): void {
  lookups.clear();
}
