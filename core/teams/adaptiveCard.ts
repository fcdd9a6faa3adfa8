import type { MessageView, TemplateRow, Tone } from "../alerting/render/view.js";
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

const CONTAINER_STYLE: Record<Tone, string> = {
  critical: "attention",
  warning: "warning",
  resolved: "good",
};
const TONE_COLOR: Record<Tone, string> = {
  critical: "Attention",
  warning: "Warning",
  resolved: "Good",
};
const TEXT_COLOR: Record<Severity, string> = { critical: "Attention", warning: "Warning" };

export function adaptiveCardMessage(view: MessageView): AdaptiveCardMessage {
  const body: CardElement[] = [
    {
      type: "Container",
      style: CONTAINER_STYLE[view.tone],
      bleed: true,
      items: [
        {
          type: "TextBlock",
          text: view.badge,
          weight: "Bolder",
          size: "Small",
          color: TONE_COLOR[view.tone],
          wrap: true,
        },
        richText([{ text: view.title, weight: "Bolder", size: "Large" }], { spacing: "None" }),
        richText([{ text: view.why }], { spacing: "Small" }),
      ],
    },
  ];
  for (const row of view.rows) if (row.anomaly) body.push(anomalyCallout(row));
  body.push({
    type: "FactSet",
    facts: view.facts.map((fact) => ({ title: fact.name, value: escapeMarkdown(fact.value) })),
  });
  if (view.rows.length > 0 || view.more) {
    body.push(heading("Templates"), {
      type: "TextBlock",
      text: `Count, trend (${escapeMarkdown(view.trendLegend)}) and first → last seen (UTC).`,
      isSubtle: true,
      size: "Small",
      wrap: true,
      spacing: "None",
    });
    for (const row of view.rows) body.push(templateRow(row));
    if (view.more)
      body.push({
        type: "TextBlock",
        text: escapeMarkdown(view.more),
        isSubtle: true,
        wrap: true,
        separator: true,
      });
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
      { separator: true },
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

/** The anomaly, prominent: its kind and score large, observed against expected, the explanation. */
function anomalyCallout(row: TemplateRow): CardElement {
  const a = row.anomaly as NonNullable<TemplateRow["anomaly"]>;
  return {
    type: "Container",
    style: CONTAINER_STYLE[row.severity],
    items: [
      {
        type: "TextBlock",
        text: row.badge.toUpperCase(),
        weight: "Bolder",
        size: "Small",
        color: TEXT_COLOR[row.severity],
      },
      richText([{ text: `${a.kind} · score ${a.score}`, weight: "Bolder", size: "Medium" }], {
        spacing: "None",
      }),
      richText(
        [
          { text: a.observed, weight: "Bolder" },
          { text: " observed, " },
          { text: a.expected, weight: "Bolder" },
          { text: ` expected (${a.window})` },
        ],
        { spacing: "Small" },
      ),
      richText([{ text: a.explanation }], { spacing: "Small" }),
    ],
  };
}

/**
 * One row of the template table: badge and template beside the count, then the trend, when it
 * was seen and its links, then (for the top rows) the example line and the suggested fix.
 */
function templateRow(row: TemplateRow): CardElement {
  const count: CardElement[] = [
    { type: "TextBlock", text: row.count, weight: "Bolder", horizontalAlignment: "Right" },
  ];
  if (row.newCount)
    count.push({
      type: "TextBlock",
      text: row.newCount,
      size: "Small",
      color: "Accent",
      spacing: "None",
      horizontalAlignment: "Right",
    });
  const stats: Record<string, unknown>[] = [
    {
      text: `${row.trend}  ${row.seen}${row.links.length > 0 ? "   " : ""}`,
      fontType: "Monospace",
      isSubtle: true,
    },
  ];
  row.links.forEach((link, index) => {
    if (index > 0) stats.push({ text: " · ", isSubtle: true });
    stats.push({
      text: link.title,
      color: "Accent",
      selectAction: { type: "Action.OpenUrl", url: link.url },
    });
  });
  const items: CardElement[] = [
    {
      type: "ColumnSet",
      columns: [
        {
          type: "Column",
          width: "stretch",
          items: [
            richText([
              {
                text: `${row.badge}  `,
                weight: "Bolder",
                size: "Small",
                color: TEXT_COLOR[row.severity],
              },
              { text: row.title, fontType: "Monospace" },
            ]),
          ],
        },
        { type: "Column", width: "auto", items: count },
      ],
    },
    richText(
      stats.map((inline) => ({ ...inline, size: "Small" })),
      { spacing: "None" },
    ),
  ];
  if (row.example)
    items.push({
      type: "Container",
      style: "emphasis",
      spacing: "Small",
      items: [richText([{ text: row.example, fontType: "Monospace", size: "Small" }])],
    });
  if (row.suggestion)
    items.push(
      richText(
        [{ text: "Suggested fix: ", weight: "Bolder", color: "Good" }, { text: row.suggestion }],
        { spacing: "Small" },
      ),
    );
  return { type: "Container", separator: true, spacing: "Small", items };
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
