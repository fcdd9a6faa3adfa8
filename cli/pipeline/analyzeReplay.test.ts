import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import {
  describeScenario,
  generateSyntheticLogs,
  type Scenario,
} from "../../core/synthetic/index.js";
import type { SummaryReport } from "./summary.js";

// `sentinel produce | sentinel analyze --output json`, end to end: detection replays the file's
// event time, so a produced scenario's effect shows up in the summary's anomalies.
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const env = { ...process.env, SENTINEL_LOG_LEVEL: "error", SENTINEL_ENV_FILE: "" };

/** What `sentinel produce --scenario S --seed N --rate R` prints, piped into `sentinel analyze`. */
function produceAndAnalyze(scenario: Scenario, seed: number, rate: number): SummaryReport {
  const produced = [...generateSyntheticLogs({ scenario, seed, rate })]
    .map((record) => `${JSON.stringify(record)}\n`)
    .join("");
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", MAIN, "analyze", "-", "--baseline", "--output", "json"],
    { input: produced, env, maxBuffer: 256 * 1024 * 1024 },
  );
  assert.equal(result.status, 0, result.stderr.toString());
  return JSON.parse(result.stdout.toString()) as SummaryReport;
}

describe("detection through sentinel analyze", () => {
  it("reports the spike of `produce --scenario incident-spike` on the affected service", () => {
    const report = produceAndAnalyze("incident-spike", 4, 10);
    const truth = describeScenario({ scenario: "incident-spike", seed: 4, rate: 10 });
    const spikes = report.anomalies.filter((a) => a.kind === "incident-spike");
    assert.ok(spikes.length > 0, JSON.stringify(report.detector));
    for (const anomaly of spikes) {
      assert.equal(anomaly.service, truth.affectedService);
      assert.ok(anomaly.window.start >= (truth.start as string));
      assert.ok(anomaly.window.start < (truth.end as string));
      assert.ok(anomaly.score >= 0.7 && anomaly.observed > anomaly.expected);
      assert.match(
        anomaly.explanation,
        new RegExp(`^${anomaly.service} logged \\d+ incident events`),
      );
    }
    assert.equal(report.detector.status, "ready");
  });

  it("reports nothing for `produce --scenario steady`", () => {
    const report = produceAndAnalyze("steady", 4, 10);
    assert.deepEqual(report.anomalies, []);
    assert.equal(report.detector.enabled, true);
    assert.ok(report.detector.bucketsJudged > 0);
  });
});
