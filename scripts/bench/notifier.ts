// The notifier's decisions per second: a 100k-event classified stream with 1% incidents through
// rules → dedup (memory store) → flood guard → channels that only record.
import { MemoryDedupStore } from "../../core/alerting/memoryDedupStore.js";
import { Notifier } from "../../core/alerting/notifier.js";
import { RecordingChannel } from "../../core/alerting/testing/recordingChannel.js";
import { classifiedEvent } from "../../core/events/testing/fixtures.js";
import type { ClassifiedEvent } from "../../core/events/types.js";
import { PipelineMetrics } from "../../core/metrics/catalog.js";

const EVENTS = 100_000;
const INCIDENT_EVERY = 100;

/** 100k events over 100 minutes of event time, 12 services, incidents from 60 templates. */
function stream(): ClassifiedEvent[] {
  return Array.from({ length: EVENTS }, (_, i) => {
    const incident = i % INCIDENT_EVERY === 0;
    return classifiedEvent({
      id: `e${i}`,
      at: i / 1000,
      service: `svc-${i % 12}`,
      label: incident ? "incident" : "normal",
      templateId: incident ? `t${(i / INCIDENT_EVERY) % 60}` : `n${i % 300}`,
      message: incident ? `upstream ${i} failed` : `request ${i} served`,
    });
  });
}

export async function benchNotifier(
  report: (name: string, value: number, unit: string, target?: string) => void,
): Promise<void> {
  const events = stream();
  const email = new RecordingChannel("email");
  const teams = new RecordingChannel("teams");
  const notifier = new Notifier({
    channels: [email, teams],
    dedup: new MemoryDedupStore({ windowMs: 10 * 60_000 }),
    deadLetters: { write: async () => undefined },
    rules: { sendPreventiveEmails: false, minConfidence: 0 },
    routing: {
      defaultRoute: {
        emailRecipients: ["oncall@example.com"],
        teamsWebhookUrl: "https://teams.example.invalid/hook",
      },
    },
    flood: { ratePerMinute: 10, burst: 20 },
    metrics: new PipelineMetrics(),
  });
  const started = performance.now();
  for (const event of events) await notifier.notifyClassified(event);
  await notifier.flush();
  const seconds = (performance.now() - started) / 1000;
  report("notifier decisions/s", EVENTS / seconds, "events/s");
  report(
    "notifier messages (100k, 1% inc.)",
    email.delivered.length + teams.delivered.length,
    "messages",
  );
}
