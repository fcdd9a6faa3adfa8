import {
  type ContentBudget,
  fitView,
  type MessageView,
  type RenderOptions,
  type TemplateRow,
  type Tone,
} from "../alerting/render/view.js";
import type { Notification, Severity } from "../alerting/types.js";

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** Keys of the alerts the message lists (after size fitting), in the order it lists them. */
  alertKeys: string[];
  /** What was cut to fit (empty when nothing was). */
  notes: string[];
}

/**
 * Gmail clips an HTML part over about 102 KB behind "View entire message"; staying under it keeps
 * the whole group readable in every client. The text part is held to the same size.
 */
export const EMAIL_MAX_BYTES = 100_000;

/**
 * Budgets tried in turn until both parts fit EMAIL_MAX_BYTES: examples and their length first,
 * then the rows. The last is used even when it does not fit (e-mail has no hard limit).
 */
export const EMAIL_BUDGETS: readonly ContentBudget[] = [
  { rows: 100, detailRows: 30, lineChars: 2000, textChars: 2000 },
  { rows: 100, detailRows: 20, lineChars: 1000, textChars: 1000 },
  { rows: 80, detailRows: 10, lineChars: 500, textChars: 500 },
  { rows: 60, detailRows: 5, lineChars: 300, textChars: 300 },
  { rows: 40, detailRows: 3, lineChars: 200, textChars: 200 },
  { rows: 20, detailRows: 1, lineChars: 200, textChars: 160 },
  { rows: 5, detailRows: 1, lineChars: 160, textChars: 120 },
];

const TONE: Record<Tone, { band: string; text: string }> = {
  critical: { band: "#b3261e", text: "#ffffff" },
  warning: { band: "#a15c00", text: "#ffffff" },
  resolved: { band: "#237b4b", text: "#ffffff" },
};
const SEVERITY_COLOR: Record<Severity, string> = { critical: "#b3261e", warning: "#a15c00" };
const SEVERITY_BACKGROUND: Record<Severity, string> = { critical: "#fdf3f4", warning: "#fbf6d9" };

/**
 * Renders a group notification as an e-mail: a subject with what it is (ANOMALY, RESOLVED or the
 * severity), the group and its counts; an HTML body (inline styles and tables only, no images
 * or remote content, so every client shows the same) and the same content as plain text.
 */
export function renderEmail(
  notification: Notification,
  options: RenderOptions = {},
  maxBytes = EMAIL_MAX_BYTES,
): RenderedEmail {
  const { view, rendered } = fitView(
    notification,
    EMAIL_BUDGETS,
    options,
    (v) => ({ html: emailHtml(v), text: emailText(v) }),
    (parts) => Math.max(Buffer.byteLength(parts.html), Buffer.byteLength(parts.text)),
    maxBytes,
  );
  return {
    subject: view.subject,
    ...rendered,
    alertKeys: view.rows.map((row) => row.alertKey),
    notes: view.notes,
  };
}

function emailHtml(view: MessageView): string {
  const tone = TONE[view.tone];
  const parts: string[] = [];
  parts.push(
    `<div style="background:${tone.band};color:${tone.text};padding:16px 24px">`,
    `<div style="font-size:12px;font-weight:bold;letter-spacing:0.08em">${escapeHtml(view.badge)}</div>`,
    `<div style="font-size:20px;font-weight:bold;margin-top:4px">${escapeHtml(view.title)}</div>`,
    `<div style="font-size:14px;margin-top:4px">${escapeHtml(view.why)}</div>`,
    "</div>",
    `<div style="padding:16px 24px">`,
  );
  for (const row of view.rows) if (row.anomaly) parts.push(anomalyBox(row));
  parts.push(factsTable(view));
  if (view.rows.length > 0 || view.more) parts.push(heading("Templates"), templateTable(view));
  if (view.notes.length > 0)
    parts.push(
      `<p style="margin:12px 0 0;color:#666666;font-size:12px">${view.notes.map(escapeHtml).join("<br>")}</p>`,
    );
  if (view.links.length > 0)
    parts.push(
      `<p style="margin:20px 0 0">${view.links
        .map(
          (link) =>
            `<a href="${escapeHtml(link.url)}" style="display:inline-block;margin:0 8px 8px 0;padding:8px 16px;background:#0b5cad;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold">${escapeHtml(link.title)}</a>`,
        )
        .join("")}</p>`,
    );
  parts.push("</div>", footerHtml(view));

  return [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(view.subject)}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f5f5f5;font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#1f1f1f">',
    '<div style="max-width:760px;margin:0 auto;background:#ffffff;border:1px solid #dddddd">',
    ...parts,
    "</div></body></html>",
  ].join("\n");
}

function anomalyBox(row: TemplateRow): string {
  const a = row.anomaly;
  if (!a) return "";
  const color = SEVERITY_COLOR[row.severity];
  return [
    `<div style="margin:0 0 16px;padding:12px 16px;border:2px solid ${color};border-radius:4px;background:${SEVERITY_BACKGROUND[row.severity]}">`,
    `<div style="font-size:12px;font-weight:bold;letter-spacing:0.08em;color:${color}">${escapeHtml(row.badge.toUpperCase())}</div>`,
    `<div style="font-size:18px;font-weight:bold;margin-top:4px">${escapeHtml(a.kind)} · score ${escapeHtml(a.score)}</div>`,
    `<div style="font-size:16px;margin-top:4px"><b>${escapeHtml(a.observed)}</b> observed, <b>${escapeHtml(a.expected)}</b> expected <span style="color:#666666;font-size:13px">(${escapeHtml(a.window)})</span></div>`,
    `<div style="margin-top:8px;white-space:pre-wrap">${escapeHtml(a.explanation)}</div>`,
    "</div>",
  ].join("");
}

function factsTable(view: MessageView): string {
  const rows = view.facts
    .map(
      (fact) =>
        `<tr><td style="padding:4px 16px 4px 0;color:#666666;vertical-align:top;white-space:nowrap">${escapeHtml(fact.name)}</td><td style="padding:4px 0;word-break:break-word">${escapeHtml(fact.value)}</td></tr>`,
    )
    .join("");
  return `<table role="presentation" style="border-collapse:collapse;font-size:14px">${rows}</table>`;
}

const CELL = "padding:6px 8px;border-top:1px solid #eeeeee;vertical-align:top";
const MONO = "font-family:Consolas,Menlo,'Courier New',monospace";

function templateTable(view: MessageView): string {
  const header = `<tr style="color:#666666;font-size:12px;text-align:left"><th style="padding:4px 8px">Template</th><th style="padding:4px 8px;text-align:right">Count</th><th style="padding:4px 8px" title="${escapeHtml(view.trendLegend)}">Trend</th><th style="padding:4px 8px">Seen (UTC)</th></tr>`;
  const rows = view.rows.map((row) => {
    const details: string[] = [];
    if (row.example)
      details.push(
        `<div style="margin-top:6px;padding:6px 8px;background:#1e1e1e;color:#f0f0f0;${MONO};font-size:12px;white-space:pre-wrap;word-break:break-all">${escapeHtml(row.example)}</div>`,
      );
    if (row.suggestion)
      details.push(
        `<div style="margin-top:6px;padding:6px 8px;background:#eef6ee;border-left:4px solid #2e7d32;white-space:pre-wrap"><b>Suggested fix:</b> ${escapeHtml(row.suggestion)}</div>`,
      );
    if (row.links.length > 0)
      details.push(
        `<div style="margin-top:4px;font-size:12px">${row.links
          .map(
            (link) =>
              `<a href="${escapeHtml(link.url)}" style="color:#0b5cad">${escapeHtml(link.title)}</a>`,
          )
          .join(" · ")}</div>`,
      );
    const fresh = row.newCount
      ? `<br><span style="color:#0b5cad;font-size:12px;white-space:nowrap">${escapeHtml(row.newCount)}</span>`
      : "";
    const badge = `<div style="color:${SEVERITY_COLOR[row.severity]};font-weight:bold;font-size:11px;letter-spacing:0.05em">${escapeHtml(row.badge.toUpperCase())}</div>`;
    return `<tr><td style="${CELL};word-break:break-word">${badge}<span style="${MONO}">${escapeHtml(row.title)}</span>${details.join("")}</td><td style="${CELL};text-align:right;font-weight:bold">${escapeHtml(row.count)}${fresh}</td><td style="${CELL};${MONO};white-space:nowrap;letter-spacing:-1px">${escapeHtml(row.trend)}</td><td style="${CELL};color:#666666;font-size:12px;white-space:nowrap">${escapeHtml(row.seen)}</td></tr>`;
  });
  if (view.more)
    rows.push(
      `<tr><td colspan="4" style="${CELL};color:#666666;font-style:italic">${escapeHtml(view.more)}</td></tr>`,
    );
  return `<table role="presentation" style="border-collapse:collapse;font-size:13px;width:100%">${header}${rows.join("")}</table><p style="margin:4px 0 0;color:#888888;font-size:11px">Trend: ${escapeHtml(view.trendLegend)}.</p>`;
}

function heading(text: string): string {
  return `<h3 style="margin:20px 0 8px;font-size:14px;text-transform:uppercase;letter-spacing:0.05em;color:#444444">${escapeHtml(text)}</h3>`;
}

function footerHtml(view: MessageView): string {
  const product = view.productUrl
    ? `<a href="${escapeHtml(view.productUrl)}" style="color:#666666">${escapeHtml(view.productName)}</a>`
    : escapeHtml(view.productName);
  return `<div style="padding:12px 24px;border-top:1px solid #eeeeee;color:#888888;font-size:12px">Sent by ${product} · ${escapeHtml(view.reference)}</div>`;
}

function emailText(view: MessageView): string {
  const lines: string[] = [view.badge, view.title, view.why, ""];
  for (const row of view.rows) {
    const a = row.anomaly;
    if (!a) continue;
    lines.push(
      `!! ${row.badge.toUpperCase()}: ${a.kind}, score ${a.score}`,
      `   ${a.observed} observed, ${a.expected} expected (${a.window})`,
      `   ${indented(a.explanation, "   ")}`,
      "",
    );
  }
  const width = Math.max(0, ...view.facts.map((fact) => fact.name.length));
  for (const fact of view.facts) lines.push(`${`${fact.name}:`.padEnd(width + 2)}${fact.value}`);
  if (view.rows.length > 0 || view.more) {
    lines.push("", `Templates (count, trend: ${view.trendLegend}; seen, UTC):`);
    view.rows.forEach((row, index) => {
      const fresh = row.newCount ? ` (${row.newCount})` : "";
      lines.push(
        `${index + 1}. [${row.badge}] ${row.title}`,
        `   ${row.count}×${fresh}  ${row.trend}  ${row.seen}`,
      );
      if (row.example) lines.push(`   > ${indented(row.example, "     ")}`);
      if (row.suggestion) lines.push(`   Suggested fix: ${indented(row.suggestion, "     ")}`);
      for (const link of row.links) lines.push(`   ${link.title}: ${link.url}`);
    });
    if (view.more) lines.push(view.more);
  }
  if (view.notes.length > 0) lines.push("", ...view.notes);
  if (view.links.length > 0) {
    lines.push("");
    for (const link of view.links) lines.push(`${link.title}: ${link.url}`);
  }
  lines.push(
    "",
    "--",
    `Sent by ${view.productName}${view.productUrl ? ` (${view.productUrl})` : ""} · ${view.reference}`,
  );
  return `${lines.join("\n")}\n`;
}

/** Continuation lines of a multi-line text indented like its first. */
function indented(text: string, indent: string): string {
  return text.replace(/\r?\n/g, `\n${indent}`);
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
