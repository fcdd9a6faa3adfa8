// Forwarder throughput: CloudWatch subscription payloads (base64 + gzip JSON, as Lambda receives
// them) decoded and mapped to log events, on one thread, without Kafka.
import { cloudWatchLogEvent } from "../../core/cloudwatch/logEvent.js";
import {
  decodeCloudWatchLogsEvent,
  encodeSubscriptionPayload,
  subscriptionEvents,
} from "../../core/cloudwatch/subscriptionPayload.js";
import { type FixtureName, loadFixture } from "../../core/cloudwatch/testing/fixtures.js";
import type { CloudWatchLogsEvent, SubscriptionPayload } from "../../core/cloudwatch/types.js";

const EVENTS = Number(process.env.BENCH_AWS_EVENTS ?? 500_000);
/** CloudWatch batches up to ~1 MB of events per invocation; a few hundred lines is common. */
const EVENTS_PER_PAYLOAD = 500;

/** Payloads built from the recorded fixtures' lines, with distinct ids and numbers. */
function payloads(): CloudWatchLogsEvent[] {
  const sources: FixtureName[] = [
    "lambda-data-message",
    "ecs-data-message",
    "lambda-json-format-data-message",
  ];
  const fixtures = sources.map(loadFixture);
  const built: CloudWatchLogsEvent[] = [];
  let n = 0;
  for (let p = 0; n < EVENTS; p++) {
    const fixture = fixtures[p % fixtures.length] as SubscriptionPayload;
    const logEvents = [];
    for (let i = 0; i < EVENTS_PER_PAYLOAD && n < EVENTS; i++, n++) {
      const source = fixture.logEvents[i % fixture.logEvents.length];
      if (!source) continue;
      logEvents.push({
        id: `${n}`.padStart(56, "3"),
        timestamp: source.timestamp + n,
        message: source.message.replace(/\d+/, String(n % 9973)),
      });
    }
    built.push(encodeSubscriptionPayload({ ...fixture, logEvents }));
  }
  return built;
}

export async function benchIngestAws(
  report: (name: string, value: number, unit: string, target?: string) => void,
): Promise<void> {
  const inputs = payloads();
  const mapping = { region: "us-east-1", maxMessageBytes: 16_384 };
  const run = () => {
    let events = 0;
    const started = process.hrtime.bigint();
    for (const input of inputs) {
      const payload = decodeCloudWatchLogsEvent(input);
      const ingestedAt = new Date().toISOString();
      const withAccount = { ...mapping, account: payload.owner };
      for (const event of subscriptionEvents(payload)) {
        cloudWatchLogEvent(event, withAccount, ingestedAt);
        events++;
      }
    }
    return events / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  run(); // warm-up
  report("cloudwatch forwarder decode (events/s)", run(), "events/s");
}
