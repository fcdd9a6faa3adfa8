import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Channel, Notification } from "./types.js";

/** A notification that could not be delivered after the last retry, and why. */
export interface NotificationDeadLetter {
  reason: string;
  stage: "notifier";
  channel: Channel;
  /** Delivery attempts made. */
  attempts: number;
  /** Whether the last error was one that retrying could have helped. */
  retryable: boolean;
  failedAt: string;
  /** The group notification that could not be delivered, as it was to be sent. */
  notification: Notification;
}

/** Where undeliverable notifications go: the dead-letter topic in AWS, a JSONL file locally. */
export interface NotificationDeadLetterSink {
  write(letters: readonly NotificationDeadLetter[]): Promise<void>;
}

/** One JSON object per line, appended; the embedded mode's dead-letter place. */
export class JsonlDeadLetterFile implements NotificationDeadLetterSink {
  constructor(readonly path: string) {}

  async write(letters: readonly NotificationDeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, letters.map((letter) => `${JSON.stringify(letter)}\n`).join(""));
  }
}

/** The part of DurableProducer this needs, so this module does not load a Kafka client. */
export interface TopicProducer {
  send(
    topic: string,
    messages: readonly { key: string | null; value: string; headers?: Record<string, string> }[],
  ): Promise<void>;
}

/**
 * The dead-letter topic, shared with the rest of the pipeline: keyed by service, with the
 * `sentinel-stage` (`notifier`) and `sentinel-reason` headers every dead letter there carries.
 */
export class KafkaDeadLetterSink implements NotificationDeadLetterSink {
  constructor(
    readonly producer: TopicProducer,
    readonly topic: string,
  ) {}

  async write(letters: readonly NotificationDeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.producer.send(
      this.topic,
      letters.map((letter) => ({
        key: serviceOf(letter.notification),
        value: JSON.stringify(letter),
        headers: {
          "sentinel-stage": letter.stage,
          "sentinel-reason": letter.reason.slice(0, 200),
          "sentinel-channel": letter.channel,
        },
      })),
    );
  }
}

/** The Kafka key of a group's letter: its service label, or the one service all its alerts share. */
function serviceOf(notification: Notification): string | null {
  const label = notification.labels.service;
  if (label) return label;
  const services = new Set(notification.alerts.map((alert) => alert.example.service));
  return services.size === 1 ? ([...services][0] ?? null) : null;
}
