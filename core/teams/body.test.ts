import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  classifiedEvent,
  FIXTURE_EMAILS,
  FIXTURE_IPS,
  FIXTURE_SECRETS,
  groupedAlert,
  groupNotification,
  incidentAlert,
  leakyGroupNotification,
} from "../alerting/render/fixtures.js";
import type { AdaptiveCard, AdaptiveCardMessage, CardElement } from "./adaptiveCard.js";
import { CardTooLargeError, renderTeamsBody, TEAMS_MAX_BODY_BYTES } from "./body.js";
import type { MessageCard } from "./messageCard.js";

function adaptive(body: string): AdaptiveCard {
  const message = JSON.parse(body) as AdaptiveCardMessage;
  return message.attachments[0].content;
}

/** Every element of the card body, containers and columns opened. */
function elements(items: CardElement[]): CardElement[] {
  return items.flatMap((item) => [
    item,
    ...(Array.isArray(item.items) ? elements(item.items as CardElement[]) : []),
    ...(Array.isArray(item.columns) ? elements(item.columns as CardElement[]) : []),
  ]);
}

function factsOf(card: AdaptiveCard): Record<string, string> {
  const factSet = card.body.find((e) => e.type === "FactSet");
  assert.ok(factSet, "the card has a FactSet");
  const facts = factSet.facts as { title: string; value: string }[];
  return Object.fromEntries(facts.map((fact) => [fact.title, fact.value]));
}

function runs(items: CardElement[]): { text: string; selectAction?: { url: string } }[] {
  return elements(items)
    .filter((e) => e.type === "RichTextBlock")
    .flatMap((e) => e.inlines as { text: string; selectAction?: { url: string } }[]);
}

/** The template rows of the card: badge and template, as the card lists them. */
function cardRows(card: AdaptiveCard): { badge: string; title: string }[] {
  return card.body
    .filter((e) => e.type === "Container" && (e.items as CardElement[])[0]?.type === "ColumnSet")
    .map((row) => {
      const columns = ((row.items as CardElement[])[0] as CardElement).columns as CardElement[];
      const block = ((columns[0] as CardElement).items as CardElement[])[0] as CardElement;
      const [badge, title] = block.inlines as { text: string }[];
      return { badge: badge?.text.trim() ?? "", title: title?.text ?? "" };
    });
}

const ALL_LEAKS = [...FIXTURE_SECRETS, ...FIXTURE_EMAILS, ...FIXTURE_IPS];

describe("renderTeamsBody (Adaptive Card)", () => {
  it("builds a Workflows message with an Adaptive Card 1.4: header, facts, rows, buttons", () => {
    const { body, bytes, notes, alertKeys } = renderTeamsBody(groupNotification(), "adaptive");
    const message = JSON.parse(body) as AdaptiveCardMessage;
    assert.equal(message.type, "message");
    assert.equal(message.attachments.length, 1);
    assert.equal(message.attachments[0].contentType, "application/vnd.microsoft.card.adaptive");
    const card = message.attachments[0].content;
    assert.equal(card.type, "AdaptiveCard");
    assert.equal(card.version, "1.4");
    assert.equal(bytes, Buffer.byteLength(body));
    assert.deepEqual(notes, []);
    assert.equal(alertKeys.length, 6);

    const header = card.body[0] as CardElement;
    assert.equal(header.style, "attention");
    assert.equal((header.items as CardElement[])[0]?.text, "ANOMALY · CRITICAL · FIRING");
    assert.match(card.fallbackText, /^\[SentinelLLM\] ANOMALY · checkout · /);
    const facts = factsOf(card);
    assert.equal(facts.Service, "checkout");
    assert.equal(facts.Window, "2026-03-14 09:17:30 → 09:26:53 UTC (event time)");
    assert.equal(facts.Reason, "firing: first notification (#1)");
    assert.deepEqual(
      card.actions.map((a) => [a.type, a.title]),
      [
        ["Action.OpenUrl", "Open dashboard"],
        ["Action.OpenUrl", "Open logs"],
        ["Action.OpenUrl", "Runbook"],
      ],
    );
    assert.deepEqual(cardRows(card).slice(0, 3), [
      { badge: "CRITICAL anomaly", title: "error_rate, score 0.94: 412 observed, 35 expected" },
      {
        badge: "CRITICAL incident",
        title: "Payment DB connection failed: <*> (pool <*>/<*> busy)",
      },
      {
        badge: "CRITICAL incident",
        title: "Charge request to <*> timed out after <*> ms (customer <*>, client <*>)",
      },
    ]);
    const texts = runs(card.body).map((run) => run.text);
    assert.ok(texts.includes("▁▁▁▂▂▂▃▅█▆▃▂  09:19:10 → 09:26:53   "));
    assert.ok(texts.some((t) => t.startsWith("2026-03-14T09:19:10.000Z ERROR Payment DB")));
    assert.ok(
      texts.includes("Raise DB_POOL_MAX to 80 or add a read replica; pool waits grow past 90%."),
    );
    assert.ok(runs(card.body).some((run) => run.text === "Runbook" && run.selectAction?.url));
  });

  it("puts the anomaly first and prominently: kind, score, observed against expected", () => {
    const card = adaptive(renderTeamsBody(groupNotification(), "adaptive").body);
    const callout = card.body[1] as CardElement;
    assert.equal(callout.type, "Container");
    assert.equal(callout.style, "attention");
    const texts = runs([callout]).map((run) => run.text);
    assert.deepEqual(texts, [
      "error_rate · score 0.94",
      "412",
      " observed, ",
      "35",
      " expected (09:20:00 → 09:25:00)",
      "412 errors in 5 minutes against about 35 expected at this hour.",
    ]);

    const n = groupNotification();
    const [first] = n.alerts;
    if (first) n.alerts[0] = { ...first, severity: "warning" };
    const warning = adaptive(renderTeamsBody(n, "adaptive").body).body[1] as CardElement;
    assert.equal(warning.style, "warning", "a warning anomaly is not shown as critical");
  });

  it("says +N new on the rows of an update", () => {
    const card = adaptive(
      renderTeamsBody(groupNotification({ reason: "update" }), "adaptive").body,
    );
    const counts = elements(card.body)
      .filter((e) => e.type === "TextBlock" && e.horizontalAlignment === "Right")
      .map((e) => e.text);
    assert.ok(counts.includes("+64 new"), counts.join(" | "));
    assert.ok(counts.includes("new"));
  });

  it("keeps log text out of Markdown: lines in TextRuns, fact values escaped", () => {
    const n = groupNotification({ templates: 0, urgent: false });
    n.labels = { service: "evil[click](https://phish.example)" };
    n.alerts = [
      groupedAlert(
        incidentAlert({
          events: [classifiedEvent("**bold** [link](https://phish.example) # heading")],
        }),
      ),
    ];
    const card = adaptive(renderTeamsBody(n, "adaptive").body);
    assert.ok(
      runs(card.body).some((r) =>
        r.text.includes("**bold** [link](https://phish.example) # heading"),
      ),
    );
    const markdown = elements(card.body)
      .filter((e) => e.type === "TextBlock")
      .map((e) => String(e.text));
    assert.ok(markdown.every((t) => !t.includes("[link](") && !t.includes("[click](")));
    assert.equal(factsOf(card).Service, "evil\\[click\\](https://phish.example)");
  });

  it("masks every field on the card", () => {
    const leaky = leakyGroupNotification();
    const { body } = renderTeamsBody(leaky, "adaptive", {
      mask: { maskEmails: true, maskIps: true },
    });
    for (const leak of ALL_LEAKS) assert.ok(!body.includes(leak), `${leak} is on the card`);
    assert.match(body, /postgres:\/\/checkout:\*\*\*\*@\[ip\]/);
    const secretsOnly = renderTeamsBody(leaky, "adaptive").body;
    for (const secret of FIXTURE_SECRETS) assert.ok(!secretsOnly.includes(secret), secret);
    assert.match(secretsOnly, /jane\.doe@example\.com/);
  });

  it("looks resolved: green, RESOLVED, counts only for what was named before", () => {
    const named = groupNotification({ reason: "resolved" });
    for (const alert of named.alerts) alert.isNew = false;
    const { body } = renderTeamsBody(named, "adaptive");
    const card = adaptive(body);
    const header = card.body[0] as CardElement;
    assert.equal(header.style, "good");
    assert.equal((header.items as CardElement[])[0]?.text, "RESOLVED");
    assert.match(
      card.fallbackText,
      /^\[SentinelLLM\] RESOLVED · checkout · quiet since 2026-03-14 09:26:53 UTC/,
    );
    assert.equal(cardRows(card).length, 6);
    assert.ok(!card.body.some((e) => e.type === "Container" && e.style === "attention"));
    assert.ok(!runs(card.body).some((r) => r.selectAction || r.text.startsWith("2026-03-14T")));
  });

  it("fits a 300-template group with long lines under 28,672 bytes, with +N more templates", () => {
    const n = groupNotification({
      templates: 300,
      lineChars: 20_000,
      omitted: { templates: 60, alerts: 5000 },
    });
    const { body, bytes, notes, alertKeys } = renderTeamsBody(n, "adaptive");
    assert.ok(bytes < TEAMS_MAX_BODY_BYTES, `${bytes} bytes`);
    assert.equal(Buffer.byteLength(body, "utf8"), bytes);
    const card = adaptive(body);
    const rows = cardRows(card);
    assert.equal(rows.length, alertKeys.length);
    assert.ok(rows.length >= 5 && rows.length < 301, `${rows.length} rows`);
    const more = 301 - rows.length + 60;
    const moreBlock = card.body.find(
      (e) => e.type === "TextBlock" && String(e.text).startsWith(`+${more} more templates (`),
    );
    assert.ok(moreBlock, "the card says how many templates it does not list");
    assert.ok(notes.includes(`Listing ${rows.length} of 301 templates to fit.`), notes.join(" | "));
    assert.ok(
      card.body.some((e) => e.type === "TextBlock" && String(e.text).includes("templates to fit")),
      "the card itself says what was cut",
    );
    assert.equal(card.actions.length, 3, "the buttons survive the cut");
    assert.equal(rows[0]?.badge, "CRITICAL anomaly", "the anomaly stays on top");
  });

  it("fails clearly when even the shortest card cannot fit", () => {
    assert.throws(
      () => renderTeamsBody(groupNotification(), "adaptive", {}, 500),
      (error: unknown) =>
        error instanceof CardTooLargeError && /over the 500-byte limit/.test(error.message),
    );
  });
});

describe("renderTeamsBody (legacy MessageCard)", () => {
  it("builds a MessageCard with facts, the template table and OpenUri actions", () => {
    const card = JSON.parse(
      renderTeamsBody(groupNotification(), "messagecard").body,
    ) as MessageCard;
    assert.equal(card["@type"], "MessageCard");
    assert.equal(card["@context"], "https://schema.org/extensions");
    assert.equal(card.themeColor, "B3261E");
    assert.equal(card.title, "checkout: 1 anomaly, 5 templates, 1,700 events");
    assert.match(card.summary, /^\[SentinelLLM\] ANOMALY · checkout/);
    assert.ok(card.sections.every((s) => s.markdown === false));
    assert.ok(card.sections[0]?.facts?.some((f) => f.name === "Service" && f.value === "checkout"));
    assert.equal(card.sections[1]?.title, "CRITICAL ANOMALY: error_rate, score 0.94");
    const table = card.sections.find((s) => s.title?.startsWith("Templates"));
    assert.equal(table?.facts?.length, 6);
    assert.equal(table?.facts?.[1]?.name, "CRITICAL incident · 1,204");
    assert.equal(
      table?.facts?.[1]?.value,
      "Payment DB connection failed: <*> (pool <*>/<*> busy) · ▁▁▁▂▂▂▃▅█▆▃▂ · 09:19:10 → 09:26:53",
    );
    assert.deepEqual(
      card.potentialAction.map((a) => [a["@type"], a.name]),
      [
        ["OpenUri", "Open dashboard"],
        ["OpenUri", "Open logs"],
        ["OpenUri", "Runbook"],
      ],
    );
    assert.ok(card.sections.some((s) => s.text?.includes("Suggested fix: Raise DB_POOL_MAX")));
  });

  it("is green for a resolved notice and masks every field", () => {
    const resolved = JSON.parse(
      renderTeamsBody(groupNotification({ reason: "resolved" }), "messagecard").body,
    ) as MessageCard;
    assert.equal(resolved.themeColor, "237B4B");
    const { body } = renderTeamsBody(leakyGroupNotification(), "messagecard", {
      mask: { maskEmails: true, maskIps: true },
    });
    for (const leak of ALL_LEAKS) assert.ok(!body.includes(leak), leak);
  });

  it("fits a 300-template group too", () => {
    const n = groupNotification({ templates: 300, lineChars: 20_000 });
    const { body, bytes, alertKeys } = renderTeamsBody(n, "messagecard");
    assert.ok(bytes < TEAMS_MAX_BODY_BYTES, `${bytes} bytes`);
    const card = JSON.parse(body) as MessageCard;
    const table = card.sections.find((s) => s.title?.startsWith("Templates"));
    assert.equal((table?.facts?.length ?? 0) - 1, alertKeys.length);
    assert.match(
      table?.facts?.at(-1)?.value ?? "",
      new RegExp(`^\\+${301 - alertKeys.length} more templates`),
    );
  });
});
