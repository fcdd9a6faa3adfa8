import { LABELS } from "../core/events/types.js";
import type { SummaryReport } from "./pipeline/summary.js";
import { formatCount } from "./progress.js";

const LABEL_TITLE = {
  incident: "Incidents",
  preventive_action: "Preventive actions",
  normal: "Normal",
};

/** The human summary of `sentinel analyze`. */
export function renderSummary(report: SummaryReport): string {
  const out: string[] = [];
  const { input, classifier, labels } = report;
  const total = Math.max(1, input.accepted);
  const pct = (n: number) => `${((100 * n) / total).toFixed(1)}%`;

  out.push(`SentinelLLM analysis (${classifier.model} model)`);
  out.push(
    `Lines: ${formatCount(input.lines)} read, ${formatCount(input.accepted)} analysed, ${formatCount(input.rejected)} rejected` +
      (input.truncated ? `, ${formatCount(input.truncated)} cut to size` : "") +
      (input.repaired ? `, ${formatCount(input.repaired)} repaired` : ""),
  );
  for (const [reason, count] of Object.entries(input.rejectReasons)) {
    out.push(`  rejected: ${reason} × ${formatCount(count)}`);
  }
  if (report.timeRange)
    out.push(`Time range: ${report.timeRange.first} → ${report.timeRange.last}`);
  out.push(
    `Classifier: ${formatCount(classifier.modelCalls)} model calls, cache hit ratio ${(100 * classifier.cache.hitRatio).toFixed(1)}%`,
  );

  out.push("", "Labels");
  for (const label of LABELS) {
    out.push(
      `  ${label.padEnd(18)} ${formatCount(labels[label]).padStart(10)}  ${pct(labels[label]).padStart(6)}`,
    );
  }

  out.push("", "Services");
  out.push(
    `  ${"service".padEnd(24)} ${"total".padStart(9)} ${"incident".padStart(9)} ${"prevent.".padStart(9)} ${"normal".padStart(9)}`,
  );
  for (const s of report.services.slice(0, 15)) {
    out.push(
      `  ${s.service.slice(0, 24).padEnd(24)} ${formatCount(s.total).padStart(9)} ${formatCount(s.incident).padStart(9)} ${formatCount(s.preventive_action).padStart(9)} ${formatCount(s.normal).padStart(9)}`,
    );
  }
  if (report.services.length > 15) out.push(`  … and ${report.services.length - 15} more`);

  for (const label of LABELS) {
    const templates = report.templates[label];
    if (templates.length === 0) continue;
    out.push("", `Top ${LABEL_TITLE[label].toLowerCase()} templates`);
    for (const t of templates) {
      out.push(`  ${formatCount(t.count).padStart(8)}  ${t.template.slice(0, 110)}`);
      out.push(`            e.g. ${t.example.slice(0, 110)}  [${t.services.join(", ")}]`);
    }
  }

  const { alerts } = report;
  out.push("", "Would alert");
  out.push(
    `  e-mail ${formatCount(alerts.sent.email)}, Teams ${formatCount(alerts.sent.teams)} notifications from ${formatCount(alerts.groups.length)} groups, for ${formatCount(alerts.alerts)} alerting lines and anomalies`,
    `  then, as the input ends and its groups go quiet: e-mail ${formatCount(alerts.sentAfterInput.email)}, Teams ${formatCount(alerts.sentAfterInput.teams)} (updates still due, resolved notices)`,
  );
  for (const g of alerts.groups.slice(0, 12)) {
    const reasons = Object.entries(g.byReason)
      .map(([reason, count]) => `${reason} ${count}`)
      .join(", ");
    const labels = Object.entries(g.labels)
      .map(([name, value]) => `${name}=${value}`)
      .join(" ");
    out.push(
      `  ${(g.channel === "email" ? "e-mail" : "Teams").padEnd(7)}${labels.slice(0, 60).padEnd(28)} ${String(g.notifications).padStart(3)} (${reasons}), ${formatCount(g.templates)} templates named`,
    );
  }
  if (alerts.groups.length > 12)
    out.push(
      `  … and ${alerts.groups.length - 12} more groups (--output json lists every notification)`,
    );
  for (const a of alerts.items.slice(0, 10)) {
    out.push(
      `  ${a.label === "incident" ? "INCIDENT " : a.label === "anomaly" ? "ANOMALY  " : "WARNING  "} ${a.service}: ${a.template.slice(0, 90)} → ${a.channels.join("+")}, ${formatCount(a.alerts)} alerts, named in ${a.notifications} notifications`,
    );
  }
  out.push("", ...renderAnomalies(report));
  return out.join("\n");
}

function renderAnomalies(report: SummaryReport): string[] {
  const { detector, anomalies } = report;
  if (!detector.enabled) return [`Anomalies: ${detector.message}`];
  const ignored = Object.entries(detector.eventsIgnored)
    .map(([reason, count]) => `${formatCount(count)} ${reason.replaceAll("_", " ")}`)
    .join(", ");
  const out = [
    `Anomalies: ${formatCount(anomalies.length)}`,
    `  detector ${detector.status === "learning" ? "" : `${detector.status}: `}${detector.message}; ${formatCount(detector.bucketsJudged)} service buckets of ${detector.bucketSeconds} s judged` +
      (ignored ? `; events ignored: ${ignored}` : ""),
  ];
  for (const a of anomalies.slice(0, 20)) {
    out.push(`  ${a.kind.padEnd(17)} ${a.score.toFixed(2)}  ${a.explanation}`);
  }
  if (anomalies.length > 20)
    out.push(`  … and ${anomalies.length - 20} more (--output json lists all)`);
  return out;
}
