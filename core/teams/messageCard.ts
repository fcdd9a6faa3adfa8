import type { MessageView } from "../alerting/render/view.js";
import type { Severity } from "../alerting/types.js";

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

const THEME_COLOR: Record<Severity, string> = { critical: "B3261E", warning: "A15C00" };

export function messageCard(view: MessageView): MessageCard {
  const sections: MessageCardSection[] = [
    {
      activityTitle: view.badge,
      facts: view.facts.map(({ name, value }) => ({ name, value })),
      markdown: false,
    },
  ];
  if (view.similar) sections.push({ text: view.similar, markdown: false });
  view.logLines.forEach((line, index) => {
    sections.push(
      index === 0
        ? { title: "Log lines", text: line, markdown: false }
        : { text: line, markdown: false },
    );
  });
  if (view.suggestion)
    sections.push({ title: "Suggestion", text: view.suggestion, markdown: false });
  if (view.explanation)
    sections.push({ title: "Why this is unusual", text: view.explanation, markdown: false });
  if (view.digestRows.length > 0)
    sections.push({
      title: "Alerts",
      facts: view.digestRows.map((row) => ({
        name: `${row.badge} · ${row.service}`,
        value: `${row.summary} (${row.at}${row.similar ? `; ${row.similar}` : ""})`,
      })),
      markdown: false,
    });
  if (view.notes.length > 0) sections.push({ text: view.notes.join(" "), markdown: false });
  sections.push({ text: `Sent by ${view.productName} · ${view.reference}`, markdown: false });
  return {
    "@type": "MessageCard",
    "@context": "https://schema.org/extensions",
    summary: view.subject,
    themeColor: THEME_COLOR[view.severity],
    title: view.title,
    sections,
    potentialAction: view.links.map((link) => ({
      "@type": "OpenUri",
      name: link.title,
      targets: [{ os: "default", uri: link.url }],
    })),
  };
}
