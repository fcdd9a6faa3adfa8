import type { Consumer, Kafka, KafkaMessage } from "kafkajs";
import type { ScheduledEvent } from "../core/eventbridge/scheduledEvent.js";
import { countDeadLetters } from "../core/kafka/deadLetter.js";
import { encodeMskEvent } from "../core/kafka/msk/mskEvent.js";
import type { KafkaBatchResponse, KafkaRecord, MskEvent } from "../core/kafka/msk/types.js";
import type { DurableProducer } from "../core/kafka/producer.js";
import type { Logger } from "../core/logging/logger.js";
import { withRetry } from "../core/retry/backoff.js";
import { LambdaSchedule } from "./lambdaSchedule.js";

/** A Lambda handler for a Kafka event source: the MSK event in, optionally partial batch failures out. */
export type KafkaLambdaHandler = (
  event: MskEvent,
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler that reports nothing is an async function returning void
) => Promise<KafkaBatchResponse | undefined | void>;

export interface LambdaRunnerOptions {
  kafka: Kafka;
  /** The function's name; as with the event source mapping, it is the consumer group. */
  functionName: string;
  topics: string[];
  handler: KafkaLambdaHandler;
  /** Records per invocation (the mapping's BatchSize). */
  batchSize: number;
  /** How long to wait gathering records (the mapping's MaximumBatchingWindowInSeconds). */
  batchWindowMs: number;
  /** Retries of a failed invocation before its records go to the on-failure destination. */
  maxRetries: number;
  /** Where records of an invocation that kept failing go, as the MSK event the handler got. */
  onFailure?: { producer: DurableProducer; topic: string };
  /**
   * An EventBridge schedule as well (the notifier's minute flush): `handler` invoked with a
   * scheduled event every `everyMs`, from the rule `<functionName>-flush`.
   */
  schedule?: { everyMs: number; handler: (event: ScheduledEvent) => Promise<unknown> };
  /** The region scheduled events name (default us-east-1). */
  region?: string;
  logger?: Logger;
}

export interface RunnerCounts {
  invocations: number;
  failedInvocations: number;
  recordsDelivered: number;
  recordsSentOnFailure: number;
}

/**
 * Runs a Lambda handler against Kafka the way the MSK event source mapping does: a consumer group
 * per function, batches of up to `batchSize` records in the MSK event shape, retries of a failing
 * batch (from the first failed record when the handler reports partial batch failures), and, once
 * retries run out, the batch to the on-failure destination so the partition moves on. Offsets are
 * committed only after an invocation succeeded or its records were handed to the destination.
 * Like one Lambda instance, it runs one invocation at a time: a batch and a scheduled tick
 * never overlap.
 */
export class LambdaRunner {
  readonly #options: LambdaRunnerOptions;
  readonly #consumer: Consumer;
  readonly #schedule: LambdaSchedule | undefined;
  /** The invocation running now (or the last one): the next waits for it. */
  #invocation: Promise<unknown> = Promise.resolve();
  readonly counts: RunnerCounts = {
    invocations: 0,
    failedInvocations: 0,
    recordsDelivered: 0,
    recordsSentOnFailure: 0,
  };

  constructor(options: LambdaRunnerOptions) {
    this.#options = options;
    this.#consumer = options.kafka.consumer({
      groupId: options.functionName,
      maxWaitTimeInMs: options.batchWindowMs,
      allowAutoTopicCreation: false,
    });
    const { schedule } = options;
    if (schedule)
      this.#schedule = new LambdaSchedule({
        everyMs: schedule.everyMs,
        invoke: (event) => this.#exclusive(() => schedule.handler(event)),
        ruleName: `${options.functionName}-flush`,
        ...(options.region && { region: options.region }),
        ...(options.logger && { logger: options.logger }),
      });
  }

  /** Scheduled invocations so far, when there is a schedule. */
  get scheduled(): { invocations: number; failedInvocations: number } | undefined {
    return this.#schedule?.counts;
  }

  async start(): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: this.#options.topics, fromBeginning: true });
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const { batchSize } = this.#options;
        for (let start = 0; start < batch.messages.length; start += batchSize) {
          if (!isRunning() || isStale()) return;
          const messages = batch.messages.slice(start, start + batchSize);
          await this.#deliver(messages.map((m) => toRecord(batch.topic, batch.partition, m)));
          const last = (messages[messages.length - 1] as KafkaMessage).offset;
          await this.#consumer.commitOffsets([
            {
              topic: batch.topic,
              partition: batch.partition,
              offset: (BigInt(last) + 1n).toString(),
            },
          ]);
          resolveOffset(last);
          await heartbeat();
        }
      },
    });
    this.#schedule?.start();
  }

  /** Runs `invoke` once the invocation before it has returned, as one Lambda instance would. */
  #exclusive<T>(invoke: () => Promise<T>): Promise<T> {
    const run = this.#invocation.then(invoke);
    this.#invocation = run.catch(() => undefined);
    return run;
  }

  async #deliver(records: KafkaRecord[]): Promise<void> {
    const { handler, maxRetries, logger } = this.#options;
    let pending = records;
    try {
      await withRetry(
        async (attempt) => {
          const event = encodeMskEvent(pending, { eventSource: "aws:kafka" });
          this.counts.invocations++;
          let failedFrom: string | undefined;
          let error: unknown;
          try {
            const response = await this.#exclusive(() => handler(event));
            const failures = response?.batchItemFailures ?? [];
            if (failures.length === 0) {
              this.counts.recordsDelivered += pending.length;
              return;
            }
            // Like the mapping, resume from the lowest failed offset of the batch.
            failedFrom = failures
              .map((f) => BigInt(f.itemIdentifier.offset))
              // biome-ignore lint/complexity/useMathMinMax: bigint offsets, which Math.min does not take
              .reduce((a, b) => (b < a ? b : a))
              .toString();
          } catch (caught) {
            error = caught;
          }
          this.counts.failedInvocations++;
          if (failedFrom !== undefined) {
            const from = BigInt(failedFrom);
            const succeeded = pending.filter((r) => BigInt(r.offset) < from);
            this.counts.recordsDelivered += succeeded.length;
            pending = pending.filter((r) => BigInt(r.offset) >= from);
          }
          const reason = error ? (error as Error).message : "partial batch failure";
          logger?.warn(
            { attempt, records: pending.length, error: reason },
            "lambda handler failed",
          );
          throw new InvocationFailed(reason);
        },
        // Like the mapping: the first invocation and `maxRetries` more, backing off up to 10 s.
        { maxAttempts: maxRetries + 1, baseDelayMs: 200, maxDelayMs: 10_000 },
        { isRetryable: (error) => error instanceof InvocationFailed },
      );
    } catch (error) {
      if (!(error instanceof InvocationFailed)) throw error;
      await this.#sendOnFailure(pending);
    }
  }

  async #sendOnFailure(records: KafkaRecord[]): Promise<void> {
    const { onFailure, logger, functionName } = this.#options;
    if (!onFailure) {
      // The mapping without a destination drops the batch after its retries; say so loudly.
      logger?.error(
        { records: records.length, functionName },
        "batch dropped after retries: no on-failure topic",
      );
      countDeadLetters(
        "lambda-runner",
        records.map(() => "dropped"),
      );
      return;
    }
    const event = encodeMskEvent(records, { eventSource: "aws:kafka" });
    await onFailure.producer.send(onFailure.topic, [
      {
        key: functionName,
        value: JSON.stringify({ functionName, failedAt: new Date().toISOString(), event }),
        headers: { "sentinel-stage": "lambda-runner" },
      },
    ]);
    this.counts.recordsSentOnFailure += records.length;
    countDeadLetters(
      "lambda-runner",
      records.map(() => "retries_exhausted"),
    );
  }

  async stop(): Promise<void> {
    await this.#schedule?.stop();
    await this.#consumer.disconnect();
  }
}

/** An invocation that threw or reported failed records: retried, then sent to the destination. */
class InvocationFailed extends Error {
  override name = "InvocationFailed";
}

function toRecord(topic: string, partition: number, message: KafkaMessage): KafkaRecord {
  const headers: Record<string, Buffer[]> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values
      .filter((v) => v !== undefined)
      .map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v))));
  }
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: Number(message.timestamp),
    timestampType: "CREATE_TIME",
    key: message.key ?? null,
    value: message.value ?? null,
    headers,
  };
}
