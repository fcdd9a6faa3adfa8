/**
 * Renders what operators receive for a group notification, for reviewers and the docs:
 *   docs/alerts/email.html       the e-mail's HTML part, exactly as sent
 *   docs/alerts/email.txt        its plain-text part
 *   docs/alerts/teams-card.json  the Teams webhook request body (Adaptive Card 1.4), exactly as sent
 *   docs/alerts/teams-card.html  a self-contained visualisation of that card (no scripts, no fonts
 *                                or images from outside), laid out the way Teams shows one
 *   docs/alerts/email.png, docs/alerts/teams-card.png  screenshots of the two HTML files
 *
 * Run:  node --import tsx scripts/render-alert-previews.ts [--no-screenshots]
 *
 * Screenshots come from Debian's headless Chromium, kept off the network
 * (scripts/headlessChromium.ts). The notification is the test fixture `groupNotification()`:
 * the checkout service's first, urgent notification (an error-rate anomaly, three incident
 * templates and two preventive-action warnings), with e-mail and IP masking on, so the masks are
 * visible.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { groupNotification } from "../core/alerting/render/fixtures.js";
import type { RenderOptions } from "../core/alerting/render/view.js";
import { renderEmail } from "../core/email/message.js";
import type { AdaptiveCardMessage, CardElement } from "../core/teams/adaptiveCard.js";
import { renderTeamsBody } from "../core/teams/body.js";
import { headlessChromium } from "./headlessChromium.js";

const OUT = resolve("docs/alerts");
const options: RenderOptions = {
  mask: { maskEmails: true, maskIps: true },
  productUrl: "https://grafana.example.com",
};

function main(): void {
  mkdirSync(OUT, { recursive: true });
  const notification = groupNotification({ templates: 5, urgent: true, reason: "firing" });
  const email = renderEmail(notification, options);
  writeFileSync(join(OUT, "email.html"), email.html);
  writeFileSync(join(OUT, "email.txt"), `Subject: ${email.subject}\n\n${email.text}`);

  const teams = renderTeamsBody(notification, "adaptive", options);
  const message = JSON.parse(teams.body) as AdaptiveCardMessage;
  writeFileSync(join(OUT, "teams-card.json"), `${JSON.stringify(message, null, 2)}\n`);
  writeFileSync(join(OUT, "teams-card.html"), cardPreviewHtml(message, teams.bytes));

  if (process.argv.includes("--no-screenshots")) return;
  screenshot("email.html", "email.png", "860,1450");
  screenshot("teams-card.html", "teams-card.png", "760,1450");
}

function screenshot(html: string, png: string, windowSize: string): void {
  headlessChromium(join(OUT, html), [`--screenshot=${join(OUT, png)}`], { windowSize });
  console.log(`wrote ${join("docs/alerts", png)}`);
}

// --- A small Adaptive Card visualiser: the elements and properties our cards use. ------------

const COLORS: Record<string, string> = {
  Attention: "#c4314b",
  Warning: "#835b00",
  Good: "#237b4b",
  Accent: "#5b5fc7",
  Default: "#242424",
};
const CONTAINER_BACKGROUND: Record<string, string> = {
  attention: "#fdf3f4",
  warning: "#fbf6d9",
  emphasis: "#f5f5f5",
  good: "#e7f2da",
  default: "transparent",
};
const SIZES: Record<string, string> = {
  Small: "12px",
  Default: "14px",
  Medium: "16px",
  Large: "20px",
  ExtraLarge: "24px",
};

function cardPreviewHtml(message: AdaptiveCardMessage, bytes: number): string {
  const card = message.attachments[0].content;
  const actions = card.actions
    .map(
      (action) =>
        `<a class="action" href="${escapeHtml(String(action.url))}">${escapeHtml(String(action.title))}</a>`,
    )
    .join("");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Teams card preview</title>
<style>
  body { margin: 0; padding: 24px; background: #f0f0f0; font-family: "Segoe UI", system-ui, -apple-system, Helvetica, Arial, sans-serif; color: #242424; }
  .post { max-width: 680px; margin: 0 auto; }
  .sender { display: flex; align-items: center; gap: 10px; margin-bottom: 8px; font-size: 13px; color: #616161; }
  .avatar { width: 32px; height: 32px; border-radius: 50%; background: #5b5fc7; color: #fff; display: flex; align-items: center; justify-content: center; font-weight: 600; }
  .sender b { color: #242424; }
  .card { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; padding: 16px; overflow: hidden; }
  .container { margin: 0 -16px; padding: 12px 16px; }
  .card > .container:first-child { margin-top: -16px; }
  .container.nobleed { margin: 8px 0; padding: 8px 12px; border-radius: 4px; }
  .container.plain { margin: 8px 0 0; padding: 0; }
  .container.nobleed > .tb:first-child { margin-top: 0; }
  .separator { border-top: 1px solid #e0e0e0; padding-top: 8px; }
  .tb { margin: 8px 0 0; white-space: pre-wrap; word-break: break-word; }
  .facts { border-collapse: collapse; margin-top: 8px; font-size: 14px; }
  .facts td { padding: 2px 16px 2px 0; vertical-align: top; }
  .facts td:first-child { font-weight: 600; white-space: nowrap; }
  .mono { font-family: Consolas, Menlo, "DejaVu Sans Mono", monospace; }
  .columns { display: flex; gap: 8px; margin-top: 8px; }
  .columns > .column { min-width: 0; }
  .columns > .column.stretch { flex: 1; }
  .columns > .column > .tb:first-child { margin-top: 0; }
  .actions { display: flex; gap: 8px; margin-top: 16px; flex-wrap: wrap; }
  .action { flex: 1; text-align: center; padding: 6px 12px; border: 1px solid #d1d1d1; border-radius: 4px; color: #242424; text-decoration: none; font-weight: 600; font-size: 14px; }
  .meta { max-width: 680px; margin: 12px auto 0; font-size: 12px; color: #616161; }
</style></head>
<body><div class="post">
<div class="sender"><div class="avatar">W</div><div><b>Workflows</b> · posted by ${escapeHtml(card.fallbackText.split("]")[0]?.slice(1) ?? "SentinelLLM")}</div></div>
<div class="card">
${card.body.map(renderElement).join("\n")}
<div class="actions">${actions}</div>
</div>
<div class="meta">Adaptive Card ${escapeHtml(card.version)}, request body ${bytes.toLocaleString("en")} bytes (Workflows limit 28,672). Rendered from docs/alerts/teams-card.json.</div>
</div></body></html>
`;
}

function renderElement(element: CardElement): string {
  const classes = element.separator ? " separator" : "";
  switch (element.type) {
    case "Container": {
      const style = String(element.style ?? "default");
      const items = (element.items as CardElement[]).map(renderElement).join("\n");
      const kind = element.style === undefined ? " plain" : element.bleed ? "" : " nobleed";
      return `<div class="container${kind}${classes}" style="background:${CONTAINER_BACKGROUND[style] ?? "transparent"}">${items}</div>`;
    }
    case "TextBlock":
      return `<p class="tb${classes}" style="${textStyle(element)};${spacing(element)}">${escapeHtml(unescapeMarkdown(String(element.text)))}</p>`;
    case "RichTextBlock": {
      const inlines = (element.inlines as CardElement[]).map((run) => {
        const text = escapeHtml(String(run.text));
        const link = run.selectAction as { url?: string } | undefined;
        const content = link?.url
          ? `<a href="${escapeHtml(link.url)}" style="color:#5b5fc7">${text}</a>`
          : text;
        return `<span class="${run.fontType === "Monospace" ? "mono" : ""}" style="${textStyle(run)}">${content}</span>`;
      });
      return `<p class="tb${classes}" style="${spacing(element)}">${inlines.join("")}</p>`;
    }
    case "ColumnSet": {
      const columns = (element.columns as CardElement[])
        .map((column) => {
          const items = (column.items as CardElement[]).map(renderElement).join("");
          return `<div class="column${column.width === "stretch" ? " stretch" : ""}">${items}</div>`;
        })
        .join("");
      return `<div class="columns${classes}">${columns}</div>`;
    }
    case "FactSet": {
      const rows = (element.facts as { title: string; value: string }[])
        .map(
          (fact) =>
            `<tr><td>${escapeHtml(fact.title)}</td><td>${escapeHtml(unescapeMarkdown(fact.value))}</td></tr>`,
        )
        .join("");
      return `<table class="facts${classes}">${rows}</table>`;
    }
    default:
      return `<p class="tb"><i>(${escapeHtml(element.type)} not shown)</i></p>`;
  }
}

/** Adaptive Cards' spacing above an element ("None", "Small", default). */
function spacing(element: Record<string, unknown>): string {
  if (element.spacing === "None") return "margin-top:0";
  if (element.spacing === "Small") return "margin-top:4px";
  return "";
}

function textStyle(element: Record<string, unknown>): string {
  const styles = [`font-size:${SIZES[String(element.size ?? "Default")] ?? "14px"}`];
  if (element.horizontalAlignment === "Right") styles.push("text-align:right");
  if (element.fontType === "Monospace")
    styles.push("font-family:Consolas,Menlo,'DejaVu Sans Mono',monospace");
  if (element.weight === "Bolder") styles.push("font-weight:600");
  const color = COLORS[String(element.color ?? "Default")] ?? COLORS.Default;
  styles.push(`color:${color}`);
  if (element.isSubtle) styles.push("opacity:0.7");
  return styles.join(";");
}

/** Teams shows a backslash-escaped Markdown character as the character itself. */
function unescapeMarkdown(text: string): string {
  return text.replace(/\\([\\[\]*`])/g, "$1");
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

main();
