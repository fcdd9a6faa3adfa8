import type { Admin } from "kafkajs";
import type { TopicAdmin } from "../topics.js";
import type { MockCluster } from "./mockCluster.js";

/** What a `clusterTopicAdmin` was asked to change. */
export interface TopicAdminCalls {
  created: string[];
  grown: { topic: string; count: number }[];
}

/**
 * A TopicAdmin on librdkafka's mock cluster: the real KafkaJS admin for what the mock answers
 * (Metadata: which topics exist, with how many partitions), the mock's control channel for
 * CreateTopics, which it does not answer, so a created topic really exists afterwards. Partition
 * growth, which the mock cannot do, is only recorded.
 */
export function clusterTopicAdmin(
  cluster: MockCluster,
  admin: Admin,
): { topics: TopicAdmin & { disconnect(): Promise<void> }; calls: TopicAdminCalls } {
  const calls: TopicAdminCalls = { created: [], grown: [] };
  const topics: TopicAdmin & { disconnect(): Promise<void> } = {
    listTopics: () => admin.listTopics(),
    fetchTopicMetadata: (options) => admin.fetchTopicMetadata(options),
    async createTopics({ topics }) {
      for (const topic of topics) {
        await cluster.createTopic(topic.topic, topic.numPartitions ?? 1, topic.replicationFactor);
        calls.created.push(topic.topic);
      }
      return true;
    },
    async createPartitions({ topicPartitions }) {
      calls.grown.push(...topicPartitions.map(({ topic, count }) => ({ topic, count })));
      return true;
    },
    disconnect: async () => {},
  };
  return { topics, calls };
}
