import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  alertNotification,
  classifiedEvent,
  digestNotification,
  incidentAlert,
  preventiveAlert,
} from "../alerting/render/fixtures.js";
import type { AdaptiveCardMessage, CardElement } from "./adaptiveCard.js";
import { CardTooLargeError, renderTeamsBody, TEAMS_MAX_BODY_BYTES } from "./body.js";
import type { MessageCard } from "./messageCard.js";

function adaptive(body: string) {
  const message = JSON.parse(body) as AdaptiveCardMessage;
  return message.attachments[0].content;
}

/** Every element of the card body, containers opened. */
function elements(items: CardElement[]): CardElement[] {
  return items.flatMap((item) => [
    item,
    ...(Array.isArray(item.items) ? elements(item.items as CardElement[]) : []),
  ]);
}

function factsOf(items: CardElement[]): { title: string; value: string }[] {
  const factSet = items.find((e) => e.type === "FactSet");
  assert.ok(factSet, "the card has a FactSet");
  return factSet.facts as { title: string; value: string }[];
}

function runs(items: CardElement[]): string[] {
  return elements(items)
    .filter((e) => e.type === "RichTextBlock")
    .flatMap((e) => (e.inlines as { text: string }[]).map((inline) => inline.text));
}

function hugeAlert() {
  const events = Array.from({ length: 60 }, (_, i) =>
    classifiedEvent(`huge line ${i} ${"€x".repeat(50_000)}`, { id: `e${i}` }),
  );
  return incidentAlert({ events, summary: `summary ${"y".repeat(100_000)}` });
}

describe("renderTeamsBody (Adaptive Card)", () => {
  it("builds a Workflows message with an Adaptive Card 1.4, facts and action buttons", () => {
    const { body, bytes, notes } = renderTeamsBody(alertNotification(), "adaptive");
    const message = JSON.parse(body) as AdaptiveCardMessage;
    assert.equal(message.type, "message");
    assert.equal(message.attachments.length, 1);
    assert.equal(message.attachments[0].contentType, "application/vnd.microsoft.card.adaptive");
    const card = message.attachments[0].content;
    assert.equal(card.type, "AdaptiveCard");
    assert.equal(card.version, "1.4");
    assert.equal(bytes, Buffer.byteLength(body));
    assert.deepEqual(notes, []);

    const facts = Object.fromEntries(factsOf(card.body).map((f) => [f.title, f.value]));
    assert.equal(facts.Service, "checkout");
    assert.equal(facts.Severity, "CRITICAL");
    assert.equal(facts.Label, "incident (confidence 97%)");
    assert.deepEqual(
      card.actions.map((a) => [a.type, a.title, a.url]),
      [
        [
          "Action.OpenUrl",
          "Open dashboard",
          "https://grafana.example.com/d/sentinel-service?var-service=checkout",
        ],
        [
          "Action.OpenUrl",
          "Open logs",
          "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Fecs$252Fcheckout",
        ],
        ["Action.OpenUrl", "Runbook", "https://runbooks.example.com/checkout/db-connections"],
      ],
    );
    const texts = runs(card.body);
    assert.ok(
      texts.includes("checkout: Payment DB connection failed: too many clients (pool 50/50 busy)"),
    );
    assert.ok(
      texts.some((t) =>
        t.startsWith("2026-03-14T09:26:53.000Z ERROR Payment DB connection failed"),
      ),
    );
    const similar = card.body.find(
      (e) => e.type === "TextBlock" && String(e.text).startsWith("+41 similar"),
    );
    assert.ok(similar, "the similar line is on the card");
  });

  it("keeps log text out of Markdown: lines in TextRuns, fact values escaped", () => {
    const alert = incidentAlert({
      service: "evil[click](https://phish.example)",
      events: [classifiedEvent("**bold** [link](https://phish.example) # heading")],
    });
    const card = adaptive(renderTeamsBody(alertNotification(alert), "adaptive").body);
    assert.ok(
      runs(card.body).some((t) => t.includes("**bold** [link](https://phish.example) # heading")),
    );
    const markdown = elements(card.body)
      .filter((e) => e.type === "TextBlock")
      .map((e) => String(e.text));
    assert.ok(markdown.every((t) => !t.includes("[link](")));
    assert.ok(factsOf(card.body).some((f) => f.value === "evil\\[click\\](https://phish.example)"));
  });

  it("masks secrets on the card", () => {
    const { body } = renderTeamsBody(alertNotification(), "adaptive", {
      mask: { maskEmails: true, maskIps: true },
    });
    assert.doesNotMatch(
      body,
      /NotARealPassword|AKIAIOSFODNN7EXAMPLE|fake-token-0123456789|jane\.doe|10\.20\.3\.4/,
    );
    assert.match(body, /postgres:\/\/checkout:\*\*\*\*@\[ip\]/);
  });

  it("shows the suggestion of a preventive action", () => {
    const card = adaptive(renderTeamsBody(alertNotification(preventiveAlert()), "adaptive").body);
    assert.ok(
      runs(card.body).includes("Expand the volume or prune WAL archives before it reaches 95%."),
    );
    assert.equal(card.body[0]?.style, "warning");
  });

  it("cuts a huge alert to fit 28,672 bytes and says what was cut", () => {
    const { body, bytes, notes } = renderTeamsBody(alertNotification(hugeAlert()), "adaptive");
    assert.ok(bytes <= TEAMS_MAX_BODY_BYTES, `${bytes} bytes`);
    assert.equal(Buffer.byteLength(body, "utf8"), bytes);
    assert.ok(
      notes.some((n) => /^Showing \d+ of 60 log lines\.$/.test(n)),
      notes.join(" | "),
    );
    assert.ok(notes.some((n) => /cut/.test(n)));
    const card = adaptive(body);
    const noteBlock = card.body.find(
      (e) => e.type === "TextBlock" && String(e.text).includes("of 60 log lines"),
    );
    assert.ok(noteBlock, "the card itself says what was cut");
    assert.equal(card.actions.length, 3, "the buttons survive the cut");
    assert.ok(
      runs(card.body).some((t) => t.startsWith("checkout: summary yyy") && t.endsWith("…")),
    );
  });

  it("fits a 500-alert digest, listing some and giving the total", () => {
    const { body, bytes, notes } = renderTeamsBody(digestNotification(500), "adaptive");
    assert.ok(bytes <= TEAMS_MAX_BODY_BYTES, `${bytes} bytes`);
    const card = adaptive(body);
    const listed = runs(card.body).filter((t) => /^\w[\w-]*: Upstream call \d+ failed/.test(t));
    assert.ok(listed.length >= 5 && listed.length < 500, `${listed.length} listed`);
    assert.deepEqual(notes, [`Showing ${listed.length} of 500 alerts.`]);
    assert.equal(factsOf(card.body).find((f) => f.title === "Alerts")?.value, "500");
  });

  it("fails clearly when even the shortest card cannot fit", () => {
    assert.throws(
      () => renderTeamsBody(alertNotification(), "adaptive", {}, 500),
      (error: unknown) =>
        error instanceof CardTooLargeError && /over the 500-byte limit/.test(error.message),
    );
  });
});

describe("renderTeamsBody (legacy MessageCard)", () => {
  it("builds a MessageCard with facts, plain-text sections and OpenUri actions", () => {
    const card = JSON.parse(
      renderTeamsBody(alertNotification(), "messagecard").body,
    ) as MessageCard;
    assert.equal(card["@type"], "MessageCard");
    assert.equal(card["@context"], "https://schema.org/extensions");
    assert.equal(card.themeColor, "B3261E");
    assert.equal(
      card.title,
      "checkout: Payment DB connection failed: too many clients (pool 50/50 busy)",
    );
    assert.match(card.summary, /^\[SentinelLLM\] CRITICAL incident · checkout/);
    assert.ok(card.sections.every((s) => s.markdown === false));
    assert.ok(card.sections[0]?.facts?.some((f) => f.name === "Service" && f.value === "checkout"));
    assert.deepEqual(
      card.potentialAction.map((a) => [a["@type"], a.name, a.targets[0]?.uri]),
      [
        [
          "OpenUri",
          "Open dashboard",
          "https://grafana.example.com/d/sentinel-service?var-service=checkout",
        ],
        [
          "OpenUri",
          "Open logs",
          "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Fecs$252Fcheckout",
        ],
        ["OpenUri", "Runbook", "https://runbooks.example.com/checkout/db-connections"],
      ],
    );
    assert.ok(card.sections.some((s) => s.title === "Log lines"));
  });

  it("fits a huge alert and a 500-alert digest too", () => {
    for (const notification of [alertNotification(hugeAlert()), digestNotification(500)]) {
      const { bytes, notes } = renderTeamsBody(notification, "messagecard");
      assert.ok(bytes <= TEAMS_MAX_BODY_BYTES, `${bytes} bytes`);
      assert.ok(notes.length > 0);
    }
  });
});
