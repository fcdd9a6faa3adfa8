import type { MessageView, Tone } from "../alerting/render/view.js";

/**
 * The legacy Office 365 connector MessageCard, for webhooks that still take it. Every section
 * says `markdown: false`, so text from logs is shown as it is.
 */

export interface MessageCardSection {
  activityTitle?: string;
  activitySubtitle?: string;
  title?: string;
  text?: string;
  facts?: { name: string; value: string }[];
  markdown: false;
}

export interface MessageCard {
  "@type": "MessageCard";
  "@context": "https://schema.org/extensions";
  summary: string;
  themeColor: string;
  title: string;
  sections: MessageCardSection[];
  potentialAction: {
    "@type": "OpenUri";
    name: string;
    targets: { os: "default"; uri: string }[];
  }[];
}

const THEME_COLOR: Record<Tone, string> = {
  critical: "B3261E",
  warning: "A15C00",
  resolved: "237B4B",
};

export function messageCard(view: MessageView): MessageCard {
  const sections: MessageCardSection[] = [
    {
      activityTitle: view.badge,
      activitySubtitle: view.why,
      facts: view.facts.map(({ name, value }) => ({ name, value })),
      markdown: false,
    },
  ];
  for (const row of view.rows) {
    const a = row.anomaly;
    if (a)
      sections.push({
        title: `${row.badge.toUpperCase()}: ${a.kind}, score ${a.score}`,
        text: `${a.observed} observed, ${a.expected} expected (${a.window}). ${a.explanation}`,
        markdown: false,
      });
  }
  if (view.rows.length > 0 || view.more) {
    const facts = view.rows.map((row) => ({
      name: `${row.badge} · ${row.count}${row.newCount ? ` (${row.newCount})` : ""}`,
      value: `${row.title} · ${row.trend} · ${row.seen}`,
    }));
    if (view.more) facts.push({ name: "…", value: view.more });
    sections.push({
      title: `Templates (count, trend: ${view.trendLegend}; seen, UTC)`,
      facts,
      markdown: false,
    });
  }
  for (const row of view.rows) {
    if (!row.example && !row.suggestion) continue;
    const parts: string[] = [];
    if (row.example) parts.push(row.example);
    if (row.suggestion) parts.push(`Suggested fix: ${row.suggestion}`);
    sections.push({ activityTitle: row.title, text: parts.join("\n\n"), markdown: false });
  }
  if (view.notes.length > 0) sections.push({ text: view.notes.join(" "), markdown: false });
  sections.push({ text: `Sent by ${view.productName} · ${view.reference}`, markdown: false });
  return {
    "@type": "MessageCard",
    "@context": "https://schema.org/extensions",
    summary: view.subject,
    themeColor: THEME_COLOR[view.tone],
    title: view.title,
    sections,
    potentialAction: view.links.map((link) => ({
      "@type": "OpenUri",
      name: link.title,
      targets: [{ os: "default", uri: link.url }],
    })),
  };
}
