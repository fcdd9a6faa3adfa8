import type { Consumer, Kafka, KafkaMessage } from "kafkajs";
import type { Logger } from "../logging/logger.js";
import { type PipelineMetrics, pipelineMetrics } from "../metrics/catalog.js";
import type { Assignment } from "./consumerLag.js";
import { type ConsumedRecord, type DeadLetterTarget, deadLetterPoison } from "./deadLetter.js";
import { type Decoded, decodeAll } from "./decodeRecord.js";

const COMMIT_INTERVAL_MS = 1_000;

export interface AtLeastOnceOptions<T> {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /** Turns a record into a value, or says why it is poison (it then goes to the dead-letter topic). */
  decode(record: ConsumedRecord): Decoded<T>;
  /** Handles a chunk of good records; must make its output durable before it resolves. Throw to retry. */
  process(items: { record: ConsumedRecord; value: T }[]): Promise<void>;
  deadLetter: DeadLetterTarget;
  /** Records handled and committed together. */
  chunkSize?: number;
  fromBeginning?: boolean;
  /** Partitions processed at the same time (each still strictly in order). */
  partitionsConcurrently?: number;
  logger?: Logger;
  /** Where dead letters and consumer lag are recorded; default the process-wide catalog. */
  metrics?: PipelineMetrics;
}

export interface ConsumerCounts {
  consumed: number;
  processed: number;
  deadLettered: number;
  commits: number;
}

/**
 * An at-least-once consumer: for each chunk of a fetched batch, dead-letter the poison records,
 * process the rest (which produces their output), and only then commit. A crash before the commit
 * re-delivers the uncommitted tail, which downstream absorbs by event id; nothing is skipped, and a
 * poison record never stops the partition.
 */
export class AtLeastOnceConsumer<T> {
  readonly #options: AtLeastOnceOptions<T>;
  readonly #consumer: Consumer;
  /** Next offset to commit per partition, for what has been processed and produced. */
  readonly #pending = new Map<string, { topic: string; partition: number; offset: string }>();
  #lastCommit = Date.now();
  #commitTimer: NodeJS.Timeout | undefined;
  #stopping = false;
  #assignment: Assignment = {};
  readonly counts: ConsumerCounts = {
    consumed: 0,
    processed: 0,
    deadLettered: 0,
    commits: 0,
  };

  constructor(options: AtLeastOnceOptions<T>) {
    this.#options = options;
    this.#consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
    const { GROUP_JOIN, CRASH, STOP } = this.#consumer.events;
    this.#consumer.on(GROUP_JOIN, (event) => {
      this.#assignment = event.payload.memberAssignment;
    });
    for (const left of [CRASH, STOP])
      this.#consumer.on(left, () => {
        this.#assignment = {};
      });
  }

  get groupId(): string {
    return this.#options.groupId;
  }

  get topics(): readonly string[] {
    return this.#options.topics;
  }

  /** The partitions this member owns since the group's last rebalance (none before it joined). */
  get assignment(): Assignment {
    return this.#assignment;
  }

  async start(): Promise<void> {
    const { topics, fromBeginning } = this.#options;
    const metrics = this.#options.metrics ?? pipelineMetrics;
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics, fromBeginning: fromBeginning ?? true });
    await this.#consumer.run({
      // Partitions are handled side by side, so one's produce round trip overlaps another's work.
      partitionsConsumedConcurrently: this.#options.partitionsConcurrently ?? 6,
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const chunkSize = this.#options.chunkSize ?? 500;
        // Lag as of this fetch: the partition's end then, less what this consumer has handled.
        const lag = metrics.consumerLag.labels({
          group: this.#options.groupId,
          topic: batch.topic,
          partition: String(batch.partition),
        });
        const highWatermark = BigInt(batch.highWatermark);
        const first = batch.messages[0];
        if (first) lag.set(Number(highWatermark - BigInt(first.offset)));
        for (let start = 0; start < batch.messages.length; start += chunkSize) {
          if (!isRunning() || isStale()) break;
          const messages = batch.messages.slice(start, start + chunkSize);
          await this.#handleChunk(batch.topic, batch.partition, messages);
          const last = (messages[messages.length - 1] as KafkaMessage).offset;
          resolveOffset(last);
          this.#pending.set(`${batch.topic}\0${batch.partition}`, {
            topic: batch.topic,
            partition: batch.partition,
            offset: (BigInt(last) + 1n).toString(),
          });
          lag.set(Math.max(0, Number(highWatermark - BigInt(last) - 1n)));
          if (this.#stopping || Date.now() - this.#lastCommit >= COMMIT_INTERVAL_MS)
            await this.#commitPending();
          await heartbeat();
        }
      },
    });
    this.#commitTimer = setInterval(() => {
      if (Date.now() - this.#lastCommit >= COMMIT_INTERVAL_MS) void this.#commitPending();
    }, COMMIT_INTERVAL_MS);
    this.#commitTimer.unref();
  }

  /**
   * Commits every partition's processed position in one request. Commits are at most once a
   * second, not once a batch: a batch's commit round trip would otherwise sit on every
   * partition's path, and a crash re-delivers at most a second's worth, absorbed by event ids.
   */
  async #commitPending(): Promise<void> {
    if (this.#pending.size === 0) return;
    const offsets = [...this.#pending.values()];
    this.#pending.clear();
    this.#lastCommit = Date.now();
    try {
      await this.#consumer.commitOffsets(offsets);
      this.counts.commits++;
    } catch (error) {
      // Not lost: uncommitted records are consumed again, here or by the partition's new owner.
      this.#options.logger?.warn(
        { error: (error as Error).message, partitions: offsets.length },
        "offset commit failed; those records will be delivered again",
      );
    }
  }

  async #handleChunk(topic: string, partition: number, messages: KafkaMessage[]): Promise<void> {
    const { decode, process, deadLetter, metrics, logger } = this.#options;
    const records = messages.map(
      (message): ConsumedRecord => ({
        topic,
        partition,
        offset: message.offset,
        key: message.key ?? null,
        value: message.value ?? null,
        timestamp: message.timestamp,
      }),
    );
    const { good, poison } = decodeAll(records, decode);
    await deadLetterPoison(poison, deadLetter, { metrics, logger });
    if (good.length > 0) await process(good);
    this.counts.consumed += messages.length;
    this.counts.processed += good.length;
    this.counts.deadLettered += poison.length;
  }

  /** Stops after the chunk in flight is processed and committed, then leaves the group. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#commitTimer);
    await this.#commitPending();
    await this.#consumer.disconnect();
  }
}
