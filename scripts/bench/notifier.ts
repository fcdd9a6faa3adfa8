// Alert grouping, measured as operators meet it:
// - `sentinel analyze` (the built CLI) on examples/shop-incident-spike.log and on a steady day of
//   synthetic traffic: notifications per channel (during the input, and after it as its groups go
//   quiet), and coverage (every incident template and the anomaly named in some notification, as
//   the channels render them);
// - the notifier's decisions per second: a classified stream through rules → groups (memory
//   store) → flood limit → channels that only record.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SummaryReport } from "../../cli/pipeline/summary.js";
import { GroupClock } from "../../core/alerting/grouping/groupClock.js";
import { MemoryGroupStore } from "../../core/alerting/grouping/groupStore.js";
import { Notifier } from "../../core/alerting/notifier.js";
import { RecordingChannel } from "../../core/alerting/testing/recordingChannel.js";
import { classifiedEvent } from "../../core/events/testing/fixtures.js";
import type { ClassifiedEvent } from "../../core/events/types.js";
import { PipelineMetrics } from "../../core/metrics/catalog.js";

type Report = (name: string, value: number, unit: string, target?: string) => void;

const EVENTS = 100_000;
const INCIDENT_EVERY = 100;
const STEADY_HOURS = 24;
const STEADY_RATE = 2;

export async function benchNotifier(report: Report, cli: string): Promise<void> {
  benchExample(report, cli);
  benchSteadyDay(report, cli);
  await benchDecisions(report);
}

function analyze(cli: string, path: string): SummaryReport {
  const out = execFileSync("node", [cli, "analyze", path, "--output", "json", "--top", "100000"], {
    maxBuffer: 1 << 30,
    env: { ...process.env, LOG_LEVEL: "error" },
  });
  return JSON.parse(out.toString()) as SummaryReport;
}

function benchExample(report: Report, cli: string): void {
  const summary = analyze(cli, "examples/shop-incident-spike.log");
  const { alerts } = summary;
  console.log(
    `alert grouping on examples/shop-incident-spike.log (${summary.input.lines} lines, ${alerts.alerts} alerting lines and anomalies, ${alerts.groups.length} groups)`,
  );
  report("grouped e-mails during the 90 minutes", alerts.sent.email, "", "≤ 40");
  report("grouped Teams messages during the 90 minutes", alerts.sent.teams, "", "≤ 60");
  report("grouped e-mails after the input (resolved notices)", alerts.sentAfterInput.email, "");
  report("grouped Teams after the input (resolved notices)", alerts.sentAfterInput.teams, "");
  const named = new Set(alerts.notifications.flatMap((n) => n.templates.map((t) => t.key)));
  const incidents = alerts.items.filter((item) => item.label === "incident");
  const anomalies = alerts.items.filter((item) => item.label === "anomaly");
  const covered = (items: typeof incidents) =>
    items.length === 0 ? 1 : items.filter((item) => named.has(item.key)).length / items.length;
  report(
    `incident templates named (of ${incidents.length})`,
    covered(incidents) * 100,
    "%",
    "100%",
  );
  report(`anomalies named (of ${anomalies.length})`, covered(anomalies) * 100, "%", "100%");
  const duringOnly = new Set(
    alerts.notifications.filter((n) => !n.afterInput).flatMap((n) => n.templates.map((t) => t.key)),
  );
  report(
    "incident templates named during the 90 minutes",
    (incidents.filter((item) => duringOnly.has(item.key)).length / Math.max(1, incidents.length)) *
      100,
    "%",
  );
}

function benchSteadyDay(report: Report, cli: string): void {
  const dir = mkdtempSync(join(tmpdir(), "sentinel-bench-steady-"));
  try {
    const path = join(dir, "steady.jsonl");
    const lines = execFileSync(
      "node",
      [
        cli,
        "produce",
        "--scenario",
        "steady",
        "--rate",
        String(STEADY_RATE),
        "--count",
        String(STEADY_RATE * 3600 * STEADY_HOURS),
        "--seed",
        "11",
        "--start",
        "2026-01-01T00:00:00Z",
      ],
      { maxBuffer: 1 << 30 },
    );
    writeFileSync(path, lines);
    const summary = analyze(cli, path);
    const { alerts } = summary;
    const services = summary.services.length;
    const notifications = alerts.sent.email + alerts.sent.teams;
    console.log(
      `alert grouping on a steady day (${summary.input.lines} lines, ${services} services, ${alerts.alerts} alerting lines)`,
    );
    report("steady day: e-mails", alerts.sent.email, "");
    report("steady day: Teams messages", alerts.sent.teams, "");
    report(
      "steady day: notifications per service per hour",
      notifications / services / STEADY_HOURS,
      "",
      "≤ 2",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 100k events over 100 minutes of event time, 12 services, incidents from 60 templates. */
function stream(): ClassifiedEvent[] {
  return Array.from({ length: EVENTS }, (_, i) => {
    const incident = i % INCIDENT_EVERY === 0;
    const event = classifiedEvent({
      id: `e${i}`,
      at: i / 1000,
      service: `svc-${i % 12}`,
      label: incident ? "incident" : "normal",
      templateId: incident ? `t${(i / INCIDENT_EVERY) % 60}` : `n${i % 300}`,
      message: incident ? `upstream ${i} failed` : `request ${i} served`,
    });
    if (incident)
      event.classification.template = `upstream <*> failed (kind ${(i / INCIDENT_EVERY) % 60})`;
    return event;
  });
}

async function benchDecisions(report: Report): Promise<void> {
  const events = stream();
  const email = new RecordingChannel("email");
  const teams = new RecordingChannel("teams");
  const notifier = new Notifier({
    channels: [email, teams],
    groups: new MemoryGroupStore(),
    deadLetters: { write: async () => undefined },
    rules: { sendPreventiveEmails: false, minConfidence: 0 },
    routing: {
      defaultRoute: {
        emailRecipients: ["oncall@example.com"],
        teamsWebhookUrl: "https://teams.example.invalid/hook",
      },
    },
    grouping: {
      groupBy: ["service"],
      settings: {
        waitMs: 30_000,
        intervalMs: 5 * 60_000,
        repeatMs: 4 * 3_600_000,
        resolveAfterMs: 15 * 60_000,
        sendResolved: true,
        changeFactor: 2,
        dedupWindowMs: 10 * 60_000,
        maxItems: 50,
      },
    },
    flood: { ratePerMinute: 10, burst: 20 },
    clock: new GroupClock({ followWall: false }),
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
