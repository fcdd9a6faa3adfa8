import {
  buildView,
  type ContentBudget,
  type MessageView,
  type RenderOptions,
} from "../alerting/render/view.js";
import type { Notification, Severity } from "../alerting/types.js";

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** E-mail has no hard size limit, but a mailbox full of megabyte alerts helps nobody. */
export const EMAIL_BUDGET: ContentBudget = {
  logLines: 20,
  lineChars: 4000,
  digestAlerts: 100,
  textChars: 4000,
};

const COLORS: Record<Severity, { band: string; text: string }> = {
  critical: { band: "#b3261e", text: "#ffffff" },
  warning: { band: "#a15c00", text: "#ffffff" },
};

/**
 * Renders a notification as an e-mail: a subject with severity, service and summary, an HTML
 * body (inline styles and tables only, no images or remote content, so every client shows the
 * same) and the same content as plain text.
 */
export function renderEmail(
  notification: Notification,
  options: RenderOptions = {},
  budget: ContentBudget = EMAIL_BUDGET,
): RenderedEmail {
  const view = buildView(notification, budget, options);
  return { subject: view.subject, html: emailHtml(view), text: emailText(view) };
}

function emailHtml(view: MessageView): string {
  const color = COLORS[view.severity];
  const parts: string[] = [];
  parts.push(
    `<div style="background:${color.band};color:${color.text};padding:16px 24px">`,
    `<div style="font-size:12px;font-weight:bold;letter-spacing:0.08em">${escapeHtml(view.badge)}</div>`,
    `<div style="font-size:20px;font-weight:bold;margin-top:4px">${escapeHtml(view.title)}</div>`,
    "</div>",
    `<div style="padding:16px 24px">`,
  );
  if (view.similar)
    parts.push(
      `<p style="margin:0 0 12px;padding:8px 12px;background:#f3f3f3;border-left:4px solid ${color.band}">${escapeHtml(view.similar)}</p>`,
    );
  parts.push(factsTable(view));
  if (view.logLines.length > 0)
    parts.push(
      heading("Log lines"),
      `<div style="padding:12px 12px 6px;background:#1e1e1e;color:#f0f0f0;font-family:Consolas,Menlo,'Courier New',monospace;font-size:12px;line-height:1.5">${view.logLines
        .map(
          (line) =>
            `<div style="margin:0 0 6px;white-space:pre-wrap;word-break:break-all">${escapeHtml(line)}</div>`,
        )
        .join("")}</div>`,
    );
  if (view.suggestion)
    parts.push(heading("Suggestion"), paragraph(view.suggestion, "#eef6ee", "#2e7d32"));
  if (view.explanation)
    parts.push(heading("Why this is unusual"), paragraph(view.explanation, "#f3f3f3", "#666666"));
  if (view.digestRows.length > 0) parts.push(heading("Alerts"), digestTable(view));
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
    '<div style="max-width:720px;margin:0 auto;background:#ffffff;border:1px solid #dddddd">',
    ...parts,
    "</div></body></html>",
  ].join("\n");
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

function digestTable(view: MessageView): string {
  const rows = view.digestRows
    .map((row) => {
      const color = COLORS[row.severity].band;
      const summary = row.link
        ? `<a href="${escapeHtml(row.link.url)}" style="color:#0b5cad">${escapeHtml(row.summary)}</a>`
        : escapeHtml(row.summary);
      const similar = row.similar
        ? `<br><span style="color:#666666;font-size:12px">${escapeHtml(row.similar)}</span>`
        : "";
      return `<tr><td style="padding:6px 8px;border-top:1px solid #eeeeee;color:${color};font-weight:bold;white-space:nowrap;vertical-align:top">${escapeHtml(row.badge)}</td><td style="padding:6px 8px;border-top:1px solid #eeeeee;vertical-align:top">${escapeHtml(row.service)}</td><td style="padding:6px 8px;border-top:1px solid #eeeeee;vertical-align:top">${summary}${similar}</td><td style="padding:6px 8px;border-top:1px solid #eeeeee;white-space:nowrap;color:#666666;vertical-align:top">${escapeHtml(row.at)}</td></tr>`;
    })
    .join("");
  return `<table role="presentation" style="border-collapse:collapse;font-size:13px;width:100%">${rows}</table>`;
}

function heading(text: string): string {
  return `<h3 style="margin:20px 0 8px;font-size:14px;text-transform:uppercase;letter-spacing:0.05em;color:#444444">${escapeHtml(text)}</h3>`;
}

function paragraph(text: string, background: string, border: string): string {
  return `<p style="margin:0;padding:8px 12px;background:${background};border-left:4px solid ${border};white-space:pre-wrap">${escapeHtml(text)}</p>`;
}

function footerHtml(view: MessageView): string {
  const product = view.productUrl
    ? `<a href="${escapeHtml(view.productUrl)}" style="color:#666666">${escapeHtml(view.productName)}</a>`
    : escapeHtml(view.productName);
  return `<div style="padding:12px 24px;border-top:1px solid #eeeeee;color:#888888;font-size:12px">Sent by ${product} · ${escapeHtml(view.reference)}</div>`;
}

function emailText(view: MessageView): string {
  const lines: string[] = [view.badge, view.title, ""];
  if (view.similar) lines.push(view.similar, "");
  const width = Math.max(...view.facts.map((fact) => fact.name.length));
  for (const fact of view.facts) lines.push(`${`${fact.name}:`.padEnd(width + 2)}${fact.value}`);
  if (view.logLines.length > 0) lines.push("", "Log lines:", ...view.logLines.map((l) => `  ${l}`));
  if (view.suggestion) lines.push("", "Suggestion:", view.suggestion);
  if (view.explanation) lines.push("", "Why this is unusual:", view.explanation);
  if (view.digestRows.length > 0) {
    lines.push("", "Alerts:");
    for (const row of view.digestRows) {
      lines.push(`- ${row.at}  ${row.badge}  ${row.service}: ${row.summary}`);
      if (row.similar) lines.push(`  ${row.similar}`);
      if (row.link) lines.push(`  ${row.link.title}: ${row.link.url}`);
    }
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
