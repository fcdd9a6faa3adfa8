import * as z from "zod";
import { positiveInt } from "../../core/config/fields.js";
import { createKafka } from "../../core/kafka/client.js";
import {
  applyTopics,
  type TopicAdmin,
  type TopicChanges,
  type TopicSpec,
} from "../../core/kafka/topics.js";
import type { Logger } from "../../core/logging/logger.js";
import { lambdaEnvironment, withMetrics } from "./lambdaEnvironment.js";

/**
 * The pipeline's Kafka topics as a CloudFormation custom resource, behind the CDK Provider
 * framework (which answers CloudFormation; this is its onEvent handler):
 *
 * - Create and Update make every listed topic that does not exist (ReplicationFactor defaults to
 *   KAFKA_REPLICATION_FACTOR) and add partitions to a topic that has fewer than listed. A topic
 *   with more keeps them (Kafka cannot remove partitions; a log line says so); topics not listed,
 *   or no longer listed, are left alone. Running it again changes nothing.
 * - Delete keeps the topics and their data (a log line says so): a stack deletion or a replaced
 *   resource must never drop the log stream.
 *
 * The physical id is always `sentinel-topics`, so an Update never makes CloudFormation delete
 * the "old" resource. The cluster is the function's Kafka configuration: MSK_CLUSTER_ARN with
 * KAFKA_SASL_MECHANISM=aws-msk-iam in AWS (the role needs kafka-cluster:Connect, DescribeTopic,
 * CreateTopic and AlterTopic).
 *
 * @example ResourceProperties
 * { "Topics": [{ "Name": "raw-logs", "Partitions": "12", "ReplicationFactor": "3" }] }
 */

export const PHYSICAL_RESOURCE_ID = "sentinel-topics";

export interface TopicsResourceEvent {
  RequestType: "Create" | "Update" | "Delete";
  ResourceProperties: unknown;
  PhysicalResourceId?: string;
}

export interface TopicsResourceResponse {
  PhysicalResourceId: string;
  /** Comma-separated topic names, readable with Fn::GetAtt. */
  Data: { Topics: string; Created: string; Grown: string };
}

/** CloudFormation passes every property as a string: "12" is 12 (decimal only). */
const count = positiveInt;

const propertiesSchema = z.object({
  Topics: z
    .array(
      z.object({
        Name: z
          .string({ error: "expected a topic name" })
          .regex(/^[A-Za-z0-9._-]{1,249}$/, { error: "expected a Kafka topic name" }),
        Partitions: count(10_000),
        ReplicationFactor: count(16).optional(),
      }),
      { error: "expected a list of topics" },
    )
    .min(1, { error: "expected at least one topic" })
    .refine((topics) => new Set(topics.map((t) => t.Name)).size === topics.length, {
      error: "expected each topic once",
    }),
});

/** ResourceProperties as topic specs; the error names each property that is wrong. */
export function topicSpecs(properties: unknown, defaultReplicationFactor: number): TopicSpec[] {
  const parsed = propertiesSchema.safeParse(properties);
  if (!parsed.success)
    throw new Error(
      `Invalid ResourceProperties: ${parsed.error.issues
        .map((issue) => `${["ResourceProperties", ...issue.path].join(".")}: ${issue.message}`)
        .join("; ")}`,
    );
  return parsed.data.Topics.map((topic) => ({
    name: topic.Name,
    partitions: topic.Partitions,
    replicationFactor: topic.ReplicationFactor ?? defaultReplicationFactor,
  }));
}

export interface TopicsResourceOptions {
  /** A connected admin for the cluster, and how to let it go. */
  admin: () => Promise<TopicAdmin & { disconnect(): Promise<void> }>;
  defaultReplicationFactor: number;
  logger?: Logger;
}

export function createTopicsResourceHandler(
  options: TopicsResourceOptions,
): (event: TopicsResourceEvent) => Promise<TopicsResourceResponse> {
  const { logger } = options;
  return async (event) => {
    if (event.RequestType === "Delete") {
      // Never fails, whatever the properties: a failed Delete would block the stack's rollback.
      const listed = propertiesSchema.safeParse(event.ResourceProperties);
      const names = listed.success ? listed.data.Topics.map((t) => t.Name).join(",") : "";
      logger?.info(
        { topics: names },
        "custom resource deleted: the topics and their data are kept; delete them by hand if they are no longer wanted",
      );
      return response(names, { created: [], grown: [] });
    }
    const specs = topicSpecs(event.ResourceProperties, options.defaultReplicationFactor);
    const names = specs.map((spec) => spec.name).join(",");
    const admin = await options.admin();
    try {
      const changes = await applyTopics(admin, specs, { grow: true, ...(logger && { logger }) });
      logger?.info(
        {
          request: event.RequestType,
          created: changes.created,
          grown: changes.grown,
          unchanged: changes.unchanged,
        },
        "topics in place",
      );
      return response(names, changes);
    } finally {
      await admin.disconnect();
    }
  };
}

function response(
  topics: string,
  changes: Pick<TopicChanges, "created" | "grown">,
): TopicsResourceResponse {
  return {
    PhysicalResourceId: PHYSICAL_RESOURCE_ID,
    Data: {
      Topics: topics,
      Created: changes.created.join(","),
      Grown: changes.grown.map((g) => g.name).join(","),
    },
  };
}

/** The Lambda entry point: the Kafka client from the function's configuration. */
export function handler(event: TopicsResourceEvent): Promise<TopicsResourceResponse> {
  return withMetrics("kafka-topics", async () => {
    const { config, logger } = await lambdaEnvironment("kafka-topics");
    return createTopicsResourceHandler({
      admin: async () => {
        const admin = createKafka(config, logger).admin();
        await admin.connect();
        return admin;
      },
      defaultReplicationFactor: config.KAFKA_REPLICATION_FACTOR,
      logger,
    })(event);
  });
}
