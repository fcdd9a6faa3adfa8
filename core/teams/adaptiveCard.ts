import type { MessageView } from "../alerting/render/view.js";
import type { Severity } from "../alerting/types.js";

/**
 * The Adaptive Card 1.4 message a Teams Workflows ("Post to a channel when a webhook request is
 * received") webhook expects. Text from logs goes into RichTextBlock/TextRun, which Teams shows
 * as it is; TextBlock and Fact values are Markdown, so only our own words and escaped values go
 * there (a log line must not become a link or a heading).
 */

export type CardElement = Record<string, unknown> & { type: string };

export interface AdaptiveCard {
  $schema: string;
  type: "AdaptiveCard";
  version: "1.4";
  fallbackText: string;
  msteams: { width: "Full" };
  body: CardElement[];
  actions: CardElement[];
}

export interface AdaptiveCardMessage {
  type: "message";
  attachments: [
    {
      contentType: "application/vnd.microsoft.card.adaptive";
      contentUrl: null;
      content: AdaptiveCard;
    },
  ];
}

const CONTAINER_STYLE: Record<Severity, string> = { critical: "attention", warning: "warning" };
const TEXT_COLOR: Record<Severity, string> = { critical: "Attention", warning: "Warning" };

export function adaptiveCardMessage(view: MessageView): AdaptiveCardMessage {
  const body: CardElement[] = [
    {
      type: "Container",
      style: CONTAINER_STYLE[view.severity],
      bleed: true,
      items: [
        {
          type: "TextBlock",
          text: view.badge,
          weight: "Bolder",
          size: "Small",
          color: TEXT_COLOR[view.severity],
          wrap: true,
        },
        richText([{ text: view.title, weight: "Bolder", size: "Large" }], { spacing: "None" }),
      ],
    },
  ];
  if (view.similar)
    body.push({
      type: "TextBlock",
      text: escapeMarkdown(view.similar),
      isSubtle: true,
      wrap: true,
    });
  body.push({
    type: "FactSet",
    facts: view.facts.map((fact) => ({ title: fact.name, value: escapeMarkdown(fact.value) })),
  });
  if (view.logLines.length > 0)
    body.push(heading("Log lines"), {
      type: "Container",
      style: "emphasis",
      items: view.logLines.map((line) =>
        richText([{ text: line, fontType: "Monospace", size: "Small" }], { spacing: "Small" }),
      ),
    });
  if (view.suggestion) body.push(heading("Suggestion"), richText([{ text: view.suggestion }]));
  if (view.explanation)
    body.push(heading("Why this is unusual"), richText([{ text: view.explanation }]));
  if (view.digestRows.length > 0) {
    body.push(heading("Alerts"));
    for (const row of view.digestRows) {
      const summary: Record<string, unknown> = { text: `${row.service}: ${row.summary}` };
      if (row.link) summary.selectAction = { type: "Action.OpenUrl", url: row.link.url };
      const inlines: Record<string, unknown>[] = [
        { text: `${row.badge}  `, weight: "Bolder", color: TEXT_COLOR[row.severity] },
        summary,
        { text: `  ${row.at}`, isSubtle: true },
      ];
      if (row.similar) inlines.push({ text: `  ${row.similar}`, isSubtle: true });
      body.push(richText(inlines, { spacing: "Small" }));
    }
  }
  if (view.notes.length > 0)
    body.push({
      type: "TextBlock",
      text: escapeMarkdown(view.notes.join(" ")),
      isSubtle: true,
      size: "Small",
      wrap: true,
    });
  body.push(
    richText(
      [{ text: `Sent by ${view.productName} · ${view.reference}`, isSubtle: true, size: "Small" }],
      {
        separator: true,
      },
    ),
  );
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          fallbackText: view.subject,
          msteams: { width: "Full" },
          body,
          actions: view.links.map((link) => ({
            type: "Action.OpenUrl",
            title: link.title,
            url: link.url,
          })),
        },
      },
    ],
  };
}

function heading(text: string): CardElement {
  return { type: "TextBlock", text, weight: "Bolder", separator: true, spacing: "Medium" };
}

function richText(
  inlines: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): CardElement {
  return {
    type: "RichTextBlock",
    ...extra,
    inlines: inlines.map((inline) => ({ type: "TextRun", ...inline })),
  };
}

/**
 * Escapes what would turn a value into a link, emphasis or code in Teams' Markdown. Underscores
 * stay: inside words (order_service) they are not emphasis, and identifiers are full of them.
 */
function escapeMarkdown(value: string): string {
  return value.replace(/[\\[\]*`]/g, (char) => `\\${char}`);
}
