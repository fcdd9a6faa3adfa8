import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_GROUP_SETTINGS } from "../../core/alerting/grouping/testing/settings.js";
import { anomaly, classifiedEvent } from "../../core/events/testing/fixtures.js";
import { AnalysisSummary } from "./summary.js";

const cache = { hits: 0, misses: 0, size: 0 };
const _MINUTE = 60_000;
const SETTINGS = DEFAULT_GROUP_SETTINGS;

describe("would alert (sentinel analyze)", () => {
  it("replays the notifier's rules and groups on event time, and lists every notification", () => {
    const summary = new AnalysisSummary({
      alertRules: { sendPreventiveEmails: false, minConfidence: 0.5, anomalyThreshold: 0.7 },
      grouping: { settings: SETTINGS, groupBy: ["service"] },
    });
    for (const at of [0, 0.1, 0.2]) summary.recordClassified(classifiedEvent({ at, id: `e${at}` }));
    summary.recordClassified(
      classifiedEvent({ at: 0.3, label: "preventive_action", templateId: "w" }),
    );
    summary.recordClassified(classifiedEvent({ at: 0.3, templateId: "unsure", confidence: 0.4 }));
    summary.recordClassified(classifiedEvent({ at: 0.3, label: "normal", templateId: "n" }));
    for (const at of [1, 2]) summary.recordClassified(classifiedEvent({ at, id: `e${at}` }));
    summary.recordAnomaly(anomaly({ at: 3, score: 0.9 }));
    summary.recordAnomaly(anomaly({ at: 4, score: 0.5, kind: "quiet" }));
    // The other service, an hour later: its own group.
    summary.recordClassified(classifiedEvent({ at: 60, service: "db", templateId: "d" }));
    const { alerts } = summary.report({ model: "baseline", modelCalls: 0, cache });

    const timeline = alerts.notifications.map((n) => [
      n.channel,
      n.at.slice(11, 19),
      n.reason,
      n.afterInput,
      n.templates.map((t) => `${t.key}×${t.count}`).join(" "),
    ]);
    assert.deepEqual(timeline, [
      ["email", "00:00:30", "firing", false, "incident:api:t1×3"],
      ["teams", "00:00:30", "firing", false, "incident:api:t1×3 preventive_action:api:w×1"],
      // The anomaly does not wait for the group interval, and leads.
      ["email", "00:03:00", "update", false, "anomaly:api:incident_rate×1 incident:api:t1×5"],
      [
        "teams",
        "00:03:00",
        "update",
        false,
        "anomaly:api:incident_rate×1 incident:api:t1×5 preventive_action:api:w×1",
      ],
      ["email", "00:18:00", "resolved", false, "anomaly:api:incident_rate×1 incident:api:t1×5"],
      [
        "teams",
        "00:18:00",
        "resolved",
        false,
        "anomaly:api:incident_rate×1 incident:api:t1×5 preventive_action:api:w×1",
      ],
      ["email", "01:00:30", "firing", true, "incident:db:d×1"],
      ["teams", "01:00:30", "firing", true, "incident:db:d×1"],
      ["email", "01:15:00", "resolved", true, "incident:db:d×1"],
      ["teams", "01:15:00", "resolved", true, "incident:db:d×1"],
    ]);
    assert.deepEqual(alerts.sent, { email: 3, teams: 3 });
    assert.deepEqual(alerts.sentAfterInput, { email: 2, teams: 2 });
    assert.equal(alerts.alerts, 8, "six incident lines, one warning, one anomaly");
    const api = alerts.groups.find((g) => g.group === "teams|default|service=api");
    assert.deepEqual(api?.byReason, { firing: 1, update: 1, resolved: 1 });
    assert.equal(api?.templates, 3);
    const byKey = Object.fromEntries(alerts.items.map((a) => [a.key, [a.alerts, a.notifications]]));
    assert.deepEqual(byKey["incident:api:t1"], [5, 6]);
  });
});
