import { CompressionTypes, type IHeaders, type Kafka, type Producer } from "kafkajs";
import type { Logger } from "../logging/logger.js";
import { withRetry } from "../retry/backoff.js";
import { PER_MESSAGE_OVERHEAD_BYTES, REQUEST_OVERHEAD_BYTES } from "./config.js";

export interface OutgoingMessage {
  key: string | null;
  value: Buffer | string;
  headers?: IHeaders;
}

export interface ProducerOptions {
  /** Idempotent producer: acks=all and no duplicates from KafkaJS's own retries. */
  idempotent: boolean;
  /** Each produce request stays under this many bytes (the broker's message.max.bytes). */
  maxBatchBytes: number;
  /** How long one send keeps retrying through broker outages before it gives up. */
  maxRetryMs?: number;
  logger?: Logger;
}

/** A message larger than a whole produce request may be: it can never be sent. */
export class MessageTooLargeError extends Error {
  override name = "MessageTooLargeError";
}

/**
 * Produces messages durably: gzip, acks from all in-sync replicas, requests kept under the broker's
 * size limit, and its own retry with backoff around KafkaJS, whose retries give up on a broker
 * outage of more than a few seconds. A send resolves only once every message is acknowledged, so
 * a caller that awaits it is slowed down, not overrun, while the cluster is away.
 */
export class DurableProducer {
  readonly #producer: Producer;
  readonly #options: Required<Omit<ProducerOptions, "logger">> & { logger?: Logger };
  #connected = false;

  constructor(kafka: Kafka, options: ProducerOptions) {
    this.#options = { maxRetryMs: 300_000, ...options };
    this.#producer = kafka.producer({
      idempotent: options.idempotent,
      // Idempotence in KafkaJS requires a single request in flight; ordering per key needs it too.
      maxInFlightRequests: options.idempotent ? 1 : 5,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
  }

  async connect(): Promise<void> {
    if (this.#connected) return;
    await this.#producer.connect();
    this.#connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.#connected) return;
    this.#connected = false;
    await this.#producer.disconnect();
  }

  /** Sends all messages to `topic`, in order, retrying until acknowledged or maxRetryMs passes. */
  async send(
    topic: string,
    messages: readonly OutgoingMessage[],
    signal?: AbortSignal,
  ): Promise<void> {
    await this.connect();
    for (const chunk of this.#chunks(messages)) await this.#sendWithRetry(topic, chunk, signal);
  }

  *#chunks(messages: readonly OutgoingMessage[]): Generator<OutgoingMessage[]> {
    const budget = this.#options.maxBatchBytes - REQUEST_OVERHEAD_BYTES;
    let chunk: OutgoingMessage[] = [];
    let bytes = 0;
    for (const message of messages) {
      const size = messageBytes(message);
      if (size > budget) {
        throw new MessageTooLargeError(
          `a message of ${size} bytes exceeds the ${this.#options.maxBatchBytes}-byte request limit (KAFKA_MAX_BATCH_BYTES)`,
        );
      }
      if (bytes + size > budget && chunk.length > 0) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(message);
      bytes += size;
    }
    if (chunk.length > 0) yield chunk;
  }

  async #sendWithRetry(
    topic: string,
    messages: OutgoingMessage[],
    signal?: AbortSignal,
  ): Promise<void> {
    const { logger, maxRetryMs } = this.#options;
    await withRetry(
      async (attempt) => {
        await this.#producer.send({
          topic,
          acks: -1,
          compression: CompressionTypes.GZIP,
          messages: messages.map((m) => ({
            key: m.key,
            value: m.value,
            ...(m.headers && { headers: m.headers }),
          })),
        });
        if (attempt > 1) logger?.info({ topic, attempt }, "produce succeeded after retrying");
      },
      {
        maxAttempts: Number.POSITIVE_INFINITY,
        baseDelayMs: 500,
        maxDelayMs: 30_000,
        maxElapsedMs: maxRetryMs,
      },
      {
        isRetryable: isRetriable,
        onRetry: ({ attempt, delayMs, error }) =>
          logger?.warn(
            { topic, attempt, retryInMs: delayMs, error: (error as Error).message },
            "produce failed, retrying",
          ),
        ...(signal && { signal }),
      },
    );
  }
}

function messageBytes(message: OutgoingMessage): number {
  let size =
    PER_MESSAGE_OVERHEAD_BYTES +
    Buffer.byteLength(message.value) +
    (message.key ? Buffer.byteLength(message.key) : 0);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    size += Buffer.byteLength(name) + (value === undefined ? 0 : Buffer.byteLength(String(value)));
  }
  return size;
}

/** Errors that no retry can fix: too large, not allowed, not authenticated. */
const PERMANENT =
  /MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE|INVALID_RECORD|AUTHORIZATION_FAILED|SASL_AUTHENTICATION_FAILED|SASL|UNSUPPORTED_VERSION/;

function isRetriable(error: unknown): boolean {
  if (error instanceof MessageTooLargeError) return false;
  const text = `${(error as { type?: string }).type ?? ""} ${(error as Error).message ?? ""} ${String((error as { cause?: Error }).cause?.message ?? "")}`;
  return !PERMANENT.test(text);
}
