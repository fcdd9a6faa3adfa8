import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { anomaly, classifiedEvent } from "../../core/events/testing/fixtures.js";
import { AnalysisSummary } from "./summary.js";

const cache = { hits: 0, misses: 0, size: 0 };

describe("would alert (sentinel analyze)", () => {
  it("applies the notifier's rules and event-time dedup, anomalies included", () => {
    const summary = new AnalysisSummary({
      alertRules: { sendPreventiveEmails: false, minConfidence: 0.5, anomalyThreshold: 0.7 },
      dedupWindowMs: 10 * 60_000,
    });
    for (const at of [0, 1, 2, 10, 11]) summary.recordClassified(classifiedEvent({ at }));
    summary.recordClassified(classifiedEvent({ label: "preventive_action", templateId: "w" }));
    summary.recordClassified(classifiedEvent({ templateId: "unsure", confidence: 0.4 }));
    summary.recordAnomaly(anomaly({ at: 3, score: 0.9 }));
    summary.recordAnomaly(anomaly({ at: 4, score: 0.9, id: "second" }));
    summary.recordAnomaly(anomaly({ at: 5, score: 0.5, kind: "quiet" }));
    const { alerts } = summary.report({ model: "baseline", modelCalls: 0, cache });
    assert.deepEqual(alerts.sent, { email: 3, teams: 4 });
    assert.equal(alerts.suppressed, 4);
    const byKey = Object.fromEntries(
      alerts.items.map((a) => [a.key, [a.label, a.sent, a.suppressed]]),
    );
    assert.deepEqual(byKey, {
      "incident:api:t1": ["incident", 2, 3],
      "preventive_action:api:w": ["preventive_action", 1, 0],
      "anomaly:api:incident_rate": ["anomaly", 1, 1],
    });
  });
});
