import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderEmail } from "../../email/message.js";
import { renderTeamsBody } from "../../teams/body.js";
import type { MessageCard } from "../../teams/messageCard.js";
import { adaptiveCardTemplateRows } from "../../teams/testing/cardRows.js";
import { maskSensitive } from "../mask.js";
import type { GroupedAlert, GroupNotification } from "../types.js";
import { groupNotification } from "./fixtures.js";
import { namedAlertKeys } from "./namedAlertKeys.js";

/** The template column of each row, as each rendering lists it. */
const listed = {
  email(text: string): string[] {
    return [...text.matchAll(/^\d+\. \[[^\]]+\] (.*)$/gm)].map((m) => m[1] ?? "");
  },
  adaptive: adaptiveCardTemplateRows,
  messagecard(body: string): string[] {
    const card = JSON.parse(body) as MessageCard;
    const table = card.sections.find((s) => s.title?.startsWith("Templates"));
    return (table?.facts ?? [])
      .filter((fact) => fact.name !== "…")
      .map((fact) => fact.value.split(" · ")[0] ?? "");
  },
};

/** Whether `shown` is how a rendering shows `alert`'s template (maybe cut, ending in "…"). */
function shows(shown: string, alert: GroupedAlert): boolean {
  const anomaly = alert.example.anomaly;
  const full = anomaly
    ? `${anomaly.kind}, score ${anomaly.score.toFixed(2)}`
    : maskSensitive(alert.example.events?.[0]?.classification.template ?? alert.example.summary);
  if (anomaly) return shown.startsWith(full);
  return shown.endsWith("…") ? full.startsWith(shown.slice(0, -1)) : shown === full;
}

function assertAgrees(notification: GroupNotification, keys: string[], titles: string[]): void {
  assert.equal(titles.length, keys.length, "as many rows as keys named");
  const byKey = new Map(notification.alerts.map((alert) => [alert.key, alert]));
  keys.forEach((key, index) => {
    const alert = byKey.get(key);
    assert.ok(alert, `${key} is an alert of the group`);
    assert.ok(shows(titles[index] ?? "", alert), `row ${index} is not ${key}: ${titles[index]}`);
  });
}

const CASES: [string, GroupNotification][] = [
  ["a small urgent group", groupNotification()],
  ["an update of 40 templates", groupNotification({ templates: 40, reason: "update" })],
  ["120 templates", groupNotification({ templates: 120, lineChars: 500 })],
  ["300 templates with long lines", groupNotification({ templates: 300, lineChars: 20_000 })],
  ["a resolved group of 300", groupNotification({ templates: 300, reason: "resolved" })],
];

describe("namedAlertKeys", () => {
  for (const [name, notification] of CASES) {
    it(`names what the e-mail lists: ${name}`, () => {
      const keys = namedAlertKeys(notification, "email");
      assertAgrees(notification, keys, listed.email(renderEmail(notification).text));
    });

    it(`names what the Teams cards list: ${name}`, () => {
      const keys = namedAlertKeys(notification, "teams");
      assertAgrees(
        notification,
        keys,
        listed.adaptive(renderTeamsBody(notification, "adaptive").body),
      );
      const legacy = namedAlertKeys(notification, "teams", { teamsFormat: "messagecard" });
      assertAgrees(
        notification,
        legacy,
        listed.messagecard(renderTeamsBody(notification, "messagecard").body),
      );
    });
  }

  it("names every alert of a group that fits, in the notification's order", () => {
    const notification = groupNotification({ templates: 5 });
    const all = notification.alerts.map((alert) => alert.key);
    assert.deepEqual(namedAlertKeys(notification, "email"), all);
    assert.deepEqual(namedAlertKeys(notification, "teams"), all);
  });

  it("names fewer on Teams than by e-mail when the card must be cut, the anomaly first", () => {
    const notification = groupNotification({ templates: 300, lineChars: 20_000 });
    const email = namedAlertKeys(notification, "email");
    const teams = namedAlertKeys(notification, "teams");
    assert.ok(teams.length < email.length, `${teams.length} on Teams, ${email.length} by e-mail`);
    assert.deepEqual(email.slice(0, teams.length), teams);
    assert.equal(teams[0], "anomaly:checkout:error_rate");
  });

  it("names nothing when the card cannot fit at all", () => {
    assert.deepEqual(namedAlertKeys(groupNotification(), "teams", { teamsMaxBodyBytes: 500 }), []);
  });

  it("names what the card lists with the channel's mask options (masking changes sizes)", () => {
    const notification = groupNotification({ templates: 300, lineChars: 2000 });
    assert.deepEqual(
      namedAlertKeys(notification, "teams", { mask: { maskEmails: true, maskIps: true } }),
      listed
        .adaptive(
          renderTeamsBody(notification, "adaptive", { mask: { maskEmails: true, maskIps: true } })
            .body,
        )
        .map((_, index) => notification.alerts[index]?.key),
    );
  });
});
