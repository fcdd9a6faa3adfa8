import { escapeHtml } from "../../core/email/message.js";
import { LABELS } from "../../core/events/types.js";
import type { GateOutcome } from "./evalGate.js";
import type { ModelEvaluation } from "./modelEvaluation.js";

export interface EvalReportInput {
  /** The labelled file, as given. */
  data: string;
  generatedAt: string;
  candidate: ModelEvaluation;
  old?: ModelEvaluation;
  /** Present when a gate (thresholds or a comparison) was asked for. */
  gate?: GateOutcome;
}

const BAR_WIDTH = 220;
const BAR_HEIGHT = 14;
const METRICS = ["precision", "recall", "f1"] as const;
const METRIC_COLOURS: Record<(typeof METRICS)[number], string> = {
  precision: "#3b6fb6",
  recall: "#d08a1e",
  f1: "#3a8f5c",
};

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

function summaryRow(role: string, m: ModelEvaluation): string {
  return `<tr data-role="${role}"><th scope="row">${escapeHtml(role)}</th><td>${escapeHtml(m.model)}</td><td>${m.lines}</td><td>${percent(m.accuracy)}</td><td>${m.macroF1.toFixed(3)}</td><td>${m.llmCalls}</td><td>${m.distinctTemplates}</td><td>${m.meanLatencyMs} ms</td></tr>`;
}

/** Rows are the truth, columns the prediction; a cell's shade is its share of the row. */
function confusionTable(m: ModelEvaluation): string {
  const header = LABELS.map((p) => `<th scope="col">${p}</th>`).join("");
  const rows = LABELS.map((truth) => {
    const total = LABELS.reduce((sum, p) => sum + m.confusion[truth][p], 0);
    const cells = LABELS.map((predicted) => {
      const count = m.confusion[truth][predicted];
      const share = total === 0 ? 0 : count / total;
      const hue = truth === predicted ? "58, 143, 92" : "196, 49, 75";
      return `<td class="cell${truth === predicted ? " diagonal" : ""}" data-truth="${truth}" data-predicted="${predicted}" style="background: rgba(${hue}, ${(0.08 + 0.8 * share).toFixed(3)})">${count}</td>`;
    }).join("");
    return `<tr><th scope="row">${truth}</th>${cells}</tr>`;
  }).join("");
  return `<table class="confusion"><caption>Confusion (rows: truth, columns: predicted)</caption><thead><tr><th></th>${header}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** Precision, recall and F1 per label as horizontal bars. */
function perLabelBars(m: ModelEvaluation): string {
  const rowHeight = METRICS.length * (BAR_HEIGHT + 2) + 14;
  const height = LABELS.length * rowHeight;
  const groups = LABELS.map((label, li) => {
    const top = li * rowHeight;
    const bars = METRICS.map((metric, mi) => {
      const value = m.perLabel[label][metric];
      const y = top + 14 + mi * (BAR_HEIGHT + 2);
      return `<rect class="bar" data-label="${label}" data-metric="${metric}" data-value="${value}" x="130" y="${y}" width="${(BAR_WIDTH * value).toFixed(1)}" height="${BAR_HEIGHT}" fill="${METRIC_COLOURS[metric]}"/><text x="125" y="${y + 11}" text-anchor="end">${metric}</text><text x="${(135 + BAR_WIDTH * value).toFixed(1)}" y="${y + 11}">${value.toFixed(3)}</text>`;
    }).join("");
    return `<text class="label" x="0" y="${top + 11}">${label} (support ${m.perLabel[label].support})</text>${bars}`;
  }).join("");
  return `<svg class="bars" xmlns="http://www.w3.org/2000/svg" width="${130 + BAR_WIDTH + 60}" height="${height}" role="img" aria-label="precision, recall and F1 per label">${groups}</svg>`;
}

function misclassifiedTable(m: ModelEvaluation): string {
  if (m.misclassified.length === 0) return `<p class="none">No misclassified lines.</p>`;
  const rows = m.misclassified
    .map(
      (x) =>
        `<tr><td>${x.truth}</td><td>${x.predicted}</td><td>${x.confidence.toFixed(2)}</td><td class="message">${escapeHtml(x.message)}</td></tr>`,
    )
    .join("");
  return `<table class="misclassified"><caption>First misclassified lines (secrets masked)</caption><thead><tr><th>truth</th><th>predicted</th><th>confidence</th><th>message</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function modelSection(role: string, m: ModelEvaluation): string {
  return `<section class="model" data-role="${role}"><h2>${escapeHtml(role)}: ${escapeHtml(m.model)}</h2>${confusionTable(m)}${perLabelBars(m)}${misclassifiedTable(m)}</section>`;
}

function gateBlock(gate: GateOutcome | undefined): string {
  if (!gate) return "";
  if (gate.passed) return `<div id="gate" class="passed">Gate passed</div>`;
  const failures = gate.failures.map((f) => `<li>${escapeHtml(f)}</li>`).join("");
  return `<div id="gate" class="failed">Gate failed<ul>${failures}</ul></div>`;
}

/**
 * `sentinel eval --report`: one self-contained HTML page (inline CSS and SVG, nothing fetched)
 * with the models side by side: summary, confusion matrices, per-label bars, misclassified lines.
 */
export function renderEvalReport(input: EvalReportInput): string {
  const models: [string, ModelEvaluation][] = [["candidate", input.candidate]];
  if (input.old) models.push(["old", input.old]);
  const legend = METRICS.map(
    (metric) => `<span><i style="background:${METRIC_COLOURS[metric]}"></i>${metric}</span>`,
  ).join(" ");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SentinelLLM evaluation</title>
<style>
body { font: 14px/1.4 "DejaVu Sans", system-ui, sans-serif; color: #242424; margin: 24px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 0 0 8px; }
.meta { color: #616161; margin-bottom: 16px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border: 1px solid #d1d1d1; padding: 4px 8px; text-align: right; }
th[scope="row"], caption, table.misclassified td { text-align: left; }
caption { font-weight: bold; padding-bottom: 4px; }
td.message { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; max-width: 520px; overflow-wrap: anywhere; }
.models { display: flex; flex-wrap: wrap; gap: 32px; }
.model { flex: 1 1 420px; }
svg.bars text { font-size: 11px; fill: #424242; } svg.bars text.label { font-weight: bold; }
.legend i { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 8px; }
#gate { padding: 8px 12px; margin-bottom: 16px; font-weight: bold; border-radius: 4px; }
#gate.passed { background: #e7f2da; color: #237b4b; } #gate.failed { background: #fdf3f4; color: #c4314b; }
</style></head>
<body>
<h1>SentinelLLM evaluation</h1>
<div class="meta">${escapeHtml(input.data)} · ${input.candidate.lines} lines · ${escapeHtml(input.generatedAt)}</div>
${gateBlock(input.gate)}
<table id="summary"><thead><tr><th></th><th>model</th><th>lines</th><th>accuracy</th><th>macro-F1</th><th>LLM calls</th><th>templates</th><th>mean latency</th></tr></thead><tbody>${models.map(([role, m]) => summaryRow(role, m)).join("")}</tbody></table>
<div class="legend">${legend}</div>
<div class="models">${models.map(([role, m]) => modelSection(role, m)).join("")}</div>
</body></html>
`;
}
