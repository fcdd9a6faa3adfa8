import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Kafka, Kafka as KafkaClient, logLevel } from "kafkajs";
import {
  KafkaDeadLetterSink,
  type NotificationDeadLetter,
} from "../../core/alerting/deadLetters.js";
import { GroupClock } from "../../core/alerting/grouping/groupClock.js";
import { MemoryGroupStore } from "../../core/alerting/grouping/groupStore.js";
import { DEFAULT_GROUP_SETTINGS } from "../../core/alerting/grouping/testing/settings.js";
import { Notifier } from "../../core/alerting/notifier.js";
import { RecordingChannel } from "../../core/alerting/testing/recordingChannel.js";
import { DeliveryError } from "../../core/alerting/types.js";
import { retentionMs } from "../../core/detection/detector.js";
import { MemoryDetectorState } from "../../core/detection/memoryDetectorState.js";
import { DEFAULT_DETECTOR_SETTINGS } from "../../core/detection/settings.js";
import { classifiedEvent } from "../../core/events/testing/fixtures.js";
import type { LogEvent } from "../../core/events/types.js";
import { AtLeastOnceConsumer } from "../../core/kafka/consumer.js";
import type { DeadLetter } from "../../core/kafka/deadLetter.js";
import { decodeLogEvent } from "../../core/kafka/logEventRecords.js";
import { encodeMskEvent, type KafkaRecord } from "../../core/kafka/msk/index.js";
import { DurableProducer, type OutgoingMessage } from "../../core/kafka/producer.js";
import { type MockCluster, startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import { PipelineMetrics } from "../../core/metrics/catalog.js";
import { createAnomalyDetectorHandler } from "./anomalyDetector.js";
import { createNotifierHandler } from "./notifier.js";

// The same malformed records through each consumer that dead-letters: the Kafka consumer (as the
// classifier worker runs it) and the two MSK Lambda handlers. Each reason comes a different number
// of times, so a count ties a reason label to its record.
const MALFORMED: [value: string, reason: string, times: number][] = [
  ["{not json", "not_json", 1],
  ["", "empty_value", 2],
  ['{"id":"x"}', "does_not_match_the_contract", 3],
];
const values = MALFORMED.flatMap(([value, , times]) => Array<string>(times).fill(value));
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);

let cluster: MockCluster;
let kafka: Kafka;
before(async () => {
  cluster = await startMockCluster({ brokers: 1 });
  kafka = new KafkaClient({
    clientId: "reasons-test",
    brokers: cluster.bootstrapServers,
    logLevel: logLevel.NOTHING,
  });
});
after(() => cluster?.stop());

/** A producer that keeps what it is asked to send: the dead letters of one path. */
function recordingProducer() {
  const letters: DeadLetter[] = [];
  const headers: OutgoingMessage["headers"][] = [];
  return {
    letters,
    headers,
    send: async (_topic: string, messages: readonly OutgoingMessage[]) => {
      for (const message of messages) {
        letters.push(JSON.parse(String(message.value)) as DeadLetter);
        headers.push(message.headers);
      }
    },
  };
}

function mskRecord(topic: string, offset: number, value: string): KafkaRecord {
  return {
    topic,
    partition: 0,
    offset: String(offset),
    timestamp: T0,
    timestampType: "CREATE_TIME",
    key: null,
    value: Buffer.from(value),
    headers: {},
  };
}

function mskRecords(topic: string): KafkaRecord[] {
  return values.map((value, i) => mskRecord(topic, i, value));
}

/** What a path dead-lettered: counts by reason label, and each letter's value with its reason words. */
async function outcome(metrics: PipelineMetrics, letters: DeadLetter[]) {
  const { values: counted } = await metrics.deadLetters.get();
  return {
    reasons: Object.fromEntries(counted.map((v) => [v.labels.reason, v.value])),
    letters: letters
      .map((l) => [Buffer.from(l.value ?? "", "base64").toString(), l.reason.split(":")[0]])
      .sort(),
  };
}

async function throughKafkaConsumer() {
  await cluster.createTopic("reasons-raw", 1, 1);
  const producer = new DurableProducer(kafka, { idempotent: true, maxBatchBytes: 900_000 });
  await producer.send(
    "reasons-raw",
    values.map((value) => ({ key: "x", value })),
  );
  await producer.disconnect();
  const deadLetters = recordingProducer();
  const metrics = new PipelineMetrics();
  const consumer = new AtLeastOnceConsumer<LogEvent>({
    kafka,
    groupId: "reasons-group",
    topics: ["reasons-raw"],
    decode: decodeLogEvent,
    process: async () => undefined,
    deadLetter: { producer: deadLetters, topic: "dead-letter", stage: "classifier-worker" },
    metrics,
  });
  try {
    await consumer.start();
    const deadline = Date.now() + 30_000;
    while (consumer.counts.consumed < values.length && Date.now() < deadline) await sleep(50);
  } finally {
    await consumer.stop();
  }
  return outcome(metrics, deadLetters.letters);
}

async function throughAnomalyDetector() {
  const producer = recordingProducer();
  const metrics = new PipelineMetrics();
  const handler = createAnomalyDetectorHandler({
    state: new MemoryDetectorState({
      retainMs: retentionMs(DEFAULT_DETECTOR_SETTINGS),
      templateMemoryMs: DEFAULT_DETECTOR_SETTINGS.templateMemoryMs,
    }),
    settings: DEFAULT_DETECTOR_SETTINGS,
    producer,
    topics: { anomalies: "anomalies", deadLetter: "dead-letter" },
    metrics,
  });
  assert.deepEqual(await handler(encodeMskEvent(mskRecords("classified-logs"))), {
    batchItemFailures: [],
  });
  return outcome(metrics, producer.letters);
}

/**
 * The notifier Lambda with one e-mail channel; its undeliverable notifications go to the same
 * dead-letter producer as its undecodable records, as in AWS.
 */
function notifierLambda() {
  const producer = recordingProducer();
  const metrics = new PipelineMetrics();
  const email = new RecordingChannel("email");
  // Events are in the past: the wall clock is a day after them and stands still.
  const wall = T0 + 24 * 60 * MINUTE;
  const handler = createNotifierHandler({
    notifier: new Notifier({
      channels: [email],
      groups: new MemoryGroupStore(),
      grouping: {
        settings: DEFAULT_GROUP_SETTINGS,
        groupBy: ["service"],
      },
      clock: new GroupClock({ followWall: true, wall: () => wall }),
      deadLetters: new KafkaDeadLetterSink(producer, "dead-letter"),
      rules: { sendPreventiveEmails: false, minConfidence: 0, anomalyThreshold: 0.7 },
      routing: { defaultRoute: { emailRecipients: ["oncall@example.com"] } },
      flood: false,
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      tickIntervalMs: 0,
      metrics,
    }),
    topics: { classified: "classified-logs", anomalies: "anomalies" },
    deadLetters: { producer, topic: "dead-letter" },
    metrics,
  });
  return { handler, email, letters: producer.letters, headers: producer.headers, metrics };
}

async function throughNotifier(topic: "classified-logs" | "anomalies") {
  const { handler, letters, metrics } = notifierLambda();
  assert.deepEqual(await handler(encodeMskEvent(mskRecords(topic))), { batchItemFailures: [] });
  return outcome(metrics, letters);
}

describe("dead-letter reasons", () => {
  it("are the same for the same malformed record from the Kafka consumer and both MSK handlers", async () => {
    const expected = {
      reasons: Object.fromEntries(MALFORMED.map(([, reason, times]) => [reason, times])),
      letters: MALFORMED.flatMap(([value, , times]) =>
        Array.from({ length: times }, () => [
          value,
          { "": "empty value", "{not json": "not JSON" }[value] ?? "does not match the contract",
        ]),
      ).sort(),
    };
    assert.deepEqual(await throughKafkaConsumer(), expected, "Kafka consumer");
    assert.deepEqual(await throughAnomalyDetector(), expected, "anomaly detector Lambda");
    assert.deepEqual(await throughNotifier("classified-logs"), expected, "notifier Lambda");
    assert.deepEqual(await throughNotifier("anomalies"), expected, "notifier Lambda (anomalies)");
  });

  it("name a record of a topic the notifier does not read", async () => {
    const { handler, letters, metrics } = notifierLambda();
    await handler(encodeMskEvent(mskRecords("raw-logs").slice(0, 1)));
    const { values: counted } = await metrics.deadLetters.get();
    assert.deepEqual(
      counted.map((v) => [v.labels.stage, v.labels.reason, v.value]),
      [["notifier-decode", "unexpected_topic", 1]],
    );
    assert.equal(letters[0]?.reason, "unexpected topic: raw-logs");
  });

  it("say why a notification could not be delivered, with the group notification as it was to go out", async () => {
    const { handler, email, letters, headers, metrics } = notifierLambda();
    email.failAlways(new DeliveryError("mailbox unavailable (550)", { retryable: false }));
    const good = (offset: number, event: unknown) =>
      mskRecord("classified-logs", offset, JSON.stringify(event));
    const batch = [
      good(0, classifiedEvent({ at: 0 })),
      good(1, classifiedEvent({ at: 0.1, templateId: "t2" })),
      // Past the group wait: the group goes out, and fails, in this invocation.
      good(2, classifiedEvent({ at: 1, label: "normal", templateId: "n" })),
    ];
    assert.deepEqual(await handler(encodeMskEvent(batch)), { batchItemFailures: [] });
    assert.equal(email.attempts.length, 1);
    const [letter, ...more] = letters as unknown as NotificationDeadLetter[];
    assert.deepEqual(more, []);
    assert.equal(letter?.stage, "notifier");
    assert.equal(letter?.channel, "email");
    assert.equal(letter?.retryable, false);
    assert.equal(
      letter?.reason,
      "email delivery failed after 1 attempt: mailbox unavailable (550)",
    );
    assert.deepEqual(
      letter?.notification,
      JSON.parse(JSON.stringify(email.attempts[0]?.notification)),
      "the group notification that was to be sent",
    );
    assert.equal(letter?.notification.type, "group");
    assert.equal(letter?.notification.groupId, "email|default|service=api");
    assert.deepEqual(
      letter?.notification.alerts.map((a) => [a.key, a.count]),
      [
        ["incident:api:t1", 1],
        ["incident:api:t2", 1],
      ],
    );
    assert.deepEqual(headers[0], {
      "sentinel-stage": "notifier",
      "sentinel-reason": letter?.reason,
      "sentinel-channel": "email",
    });
    const { values: counted } = await metrics.deadLetters.get();
    assert.deepEqual(
      counted.map((v) => [v.labels.stage, v.labels.reason, v.value]),
      [["notifier", "permanent", 1]],
    );
  });
});
