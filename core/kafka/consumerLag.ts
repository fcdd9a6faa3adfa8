import type { Admin, Kafka } from "kafkajs";
import type { Logger } from "../logging/logger.js";
import { emfLine } from "../metrics/embeddedMetricFormat.js";
import type { AtLeastOnceConsumer } from "./consumer.js";

/** The partitions of each topic a group member owns, as KafkaJS's GROUP_JOIN event gives them. */
export type Assignment = Readonly<Record<string, readonly number[]>>;

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Records after the group's committed position (the log start when nothing is committed). */
  lag: number;
}

/**
 * The consumer lag of `groupId` on the partitions in `assignment`, measured on the cluster: each
 * partition's end (high watermark) less the group's committed offset. Unlike lag sampled when a
 * batch is fetched, it keeps growing while a consumer is stuck on a slow batch, which is what
 * autoscaling needs to see. The committed offset trails what was processed by up to a commit
 * interval (a second).
 */
export async function measureConsumerLag(
  admin: Pick<Admin, "fetchTopicOffsets" | "fetchOffsets">,
  groupId: string,
  assignment: Assignment,
): Promise<PartitionLag[]> {
  const lags: PartitionLag[] = [];
  for (const [topic, partitions] of Object.entries(assignment)) {
    if (partitions.length === 0) continue;
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const positions = new Map(
      (committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [
        p.partition,
        BigInt(p.offset),
      ]),
    );
    for (const partition of [...partitions].sort((a, b) => a - b)) {
      const end = ends.find((e) => e.partition === partition);
      if (!end) continue;
      const position = positions.get(partition) ?? -1n;
      const from = position >= 0n ? position : BigInt(end.low);
      const lag = BigInt(end.high) - from;
      lags.push({ topic, partition, lag: lag > 0n ? Number(lag) : 0 });
    }
  }
  return lags;
}

export interface LagPublisherOptions {
  consumer: Pick<AtLeastOnceConsumer<unknown>, "groupId" | "topics" | "assignment">;
  /** For the admin requests that measure the lag. */
  kafka: Kafka;
  /** CloudWatch namespace (SENTINEL_CLOUDWATCH_METRICS_NAMESPACE). */
  namespace: string;
  /** Default 60 s, CloudWatch's standard resolution. */
  intervalMs?: number;
  /** Where each line goes; default stdout, which ECS's awslogs driver ships to CloudWatch Logs. */
  write?: (line: string) => void;
  logger?: Logger;
  now?: () => number;
}

/**
 * Publishes a consumer's lag as the CloudWatch metric `ConsumerLag` (Count; dimensions
 * ConsumerGroup and Topic) in the Embedded Metric Format: every interval, one log line per
 * subscribed topic with the lag summed over the partitions this member owns (0 when it owns
 * none, so a Sum across tasks is the group's lag). CloudWatch Logs extracts the metric; ECS
 * service autoscaling can track it. A measurement that fails is logged and skipped: no line
 * rather than a false 0.
 */
export function publishConsumerLag(options: LagPublisherOptions): { stop(): Promise<void> } {
  const { consumer, namespace, logger } = options;
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? Date.now;
  let admin: Promise<Admin> | undefined;
  let running: Promise<void> = Promise.resolve();
  const connected = () => {
    admin ??= (async () => {
      const client = options.kafka.admin();
      await client.connect();
      return client;
    })().catch((error: unknown) => {
      admin = undefined;
      throw error;
    });
    return admin;
  };
  const publish = async () => {
    try {
      const lags = await measureConsumerLag(
        await connected(),
        consumer.groupId,
        consumer.assignment,
      );
      const timestamp = now();
      for (const topic of consumer.topics) {
        const lag = lags.filter((l) => l.topic === topic).reduce((sum, l) => sum + l.lag, 0);
        write(
          `${emfLine({
            namespace,
            timestamp,
            dimensions: { ConsumerGroup: consumer.groupId, Topic: topic },
            metrics: [{ name: "ConsumerLag", unit: "Count", value: lag }],
          })}\n`,
        );
      }
    } catch (error) {
      logger?.warn({ error: (error as Error).message }, "consumer lag not measured");
    }
  };
  const timer = setInterval(() => {
    running = running.then(publish);
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      const client = await admin?.catch(() => undefined);
      await client?.disconnect();
    },
  };
}
