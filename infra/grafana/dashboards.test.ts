import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { BaselineModel } from "../../core/classifier/baselineModel.js";
import { CachingClassifier } from "../../core/classifier/cachingClassifier.js";
import { ClassificationCache } from "../../core/classifier/classificationCache.js";
import { loadConfig } from "../../core/config/load.js";
import type { ClassifiedEvent } from "../../core/events/types.js";
import { countDeadLetters } from "../../core/kafka/deadLetter.js";
import { decodeLogEvent } from "../../core/kafka/logEventRecords.js";
import { PipelineMetrics } from "../../core/metrics/catalog.js";
import { RemoteWriteClient } from "../../core/metrics/remoteWrite/client.js";
import { MetricsPusher } from "../../core/metrics/remoteWrite/pusher.js";
import {
  startVictoriaMetrics,
  type VictoriaMetrics,
} from "../../core/metrics/testing/victoriaMetrics.js";
import { describeScenario, generateSyntheticLogs } from "../../core/synthetic/index.js";
import { syntheticLogEvent } from "../../core/synthetic/toLogEvent.js";

// Every query of every provisioned dashboard, run against a real VictoriaMetrics loaded with the
// pipeline's output: a query error, or no data where the pipeline produced some, fails the test.

const DASHBOARDS = new URL("./dashboards/", import.meta.url);
const DATASOURCE = new URL("./provisioning/datasources/victoriametrics.yml", import.meta.url);
const STEP_MS = 60_000;
/** Grafana's variables, as a dashboard over the last hour would fill them in. */
const VARIABLES: Record<string, string> = {
  __rate_interval: "5m",
  __interval: "1m",
  __range: "1h",
  service: ".*",
};

interface Target {
  expr?: string;
  instant?: boolean;
  refId?: string;
  datasource?: { uid?: string; type?: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  title: string;
  panels: Panel[];
  annotations?: {
    list: { name: string; expr?: string; datasource?: { uid?: string; type?: string } }[];
  };
  templating?: { list: { name: string; query?: { query?: string } | string }[] };
}

const dashboards = readdirSync(DASHBOARDS)
  .filter((name) => name.endsWith(".json"))
  .map((name) => ({
    name,
    dashboard: JSON.parse(readFileSync(new URL(name, DASHBOARDS), "utf8")) as Dashboard,
  }));
const datasourceUid = /^\s+uid:\s*(\S+)\s*$/m.exec(readFileSync(DATASOURCE, "utf8"))?.[1];

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

function substitute(expr: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => VARIABLES[name] ?? whole);
}

let vm: VictoriaMetrics;
let end: Date;
let eventCount = 0;

/**
 * Runs synthetic logs through the classifier in three rounds a minute apart, recording what the
 * detector, notifier, consumers and pusher record (they write into the same catalog), and pushes
 * a snapshot after each round through the remote-write pusher.
 */
async function loadPipelineOutput(): Promise<void> {
  const metrics = new PipelineMetrics();
  const options = { scenario: "incident-spike" as const, seed: 11, rate: 20, count: 3_000 };
  const affected = describeScenario(options).affectedService ?? "checkout";
  const classifier = new CachingClassifier(
    new BaselineModel(),
    new ClassificationCache({ maxEntries: 10_000, ttlMs: 3_600_000 }),
    { metrics },
  );
  const ingestedAt = new Date().toISOString();
  const events = [...generateSyntheticLogs(options)].map((record, index) =>
    syntheticLogEvent(record, options.seed, index, ingestedAt),
  );
  eventCount = events.length;
  const config = loadConfig({ env: {}, envFile: false });
  metrics.anomalyThreshold.set(config.ANOMALY_THRESHOLD);

  // A store that is down for a moment first: the pusher drops and counts beyond its tiny buffer.
  const unreachable = new MetricsPusher({
    registry: metrics.registry,
    client: new RemoteWriteClient({ url: "http://127.0.0.1:9/api/v1/write", timeoutMs: 500 }),
    maxBufferedSamples: 1,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    metrics,
  });
  await unreachable.collect();

  end = new Date(Math.floor(Date.now() / 1000) * 1000);
  let clock = end.getTime() - 2 * STEP_MS;
  const pusher = new MetricsPusher({
    registry: metrics.registry,
    client: new RemoteWriteClient({ url: vm.writeUrl }),
    targetLabels: { job: "dashboards-test", instance: "test" },
    maxBufferedSamples: 100_000,
    metrics,
    now: () => clock,
  });

  const rounds = 3;
  const perRound = Math.ceil(events.length / rounds);
  for (let round = 0; round < rounds; round++) {
    const slice = events.slice(round * perRound, (round + 1) * perRound);
    metrics.eventsIngested.inc({ provider: "synthetic" }, slice.length);
    const classified: ClassifiedEvent[] = [];
    for (let i = 0; i < slice.length; i += 250)
      classified.push(...(await classifier.classify(slice.slice(i, i + 250))));

    assert.equal(classified.length, slice.length);
    // The detector: a score per service and kind, and an anomaly once the spike crosses the
    // threshold in the last round.
    const score = round === rounds - 1 ? 0.93 : 0.2 + 0.1 * round;
    metrics.anomalyScore.set({ service: affected, kind: "incident_rate" }, score);
    if (score >= config.ANOMALY_THRESHOLD)
      metrics.anomalies.inc({ service: affected, kind: "incident_rate" });
    metrics.detectorEventsIgnored.inc({ reason: "too_old" }, round + 1);
    // The notifier, per channel and outcome.
    metrics.alerts.inc({ channel: "email", outcome: "sent" });
    metrics.alerts.inc({ channel: "teams", outcome: "grouped" }, 2);
    metrics.alerts.inc({ channel: "teams", outcome: "failed" });
    // Consumers: poison records dead-lettered with the decoder's own reasons, and lag.
    const poison = [Buffer.from("{not json"), Buffer.from(""), Buffer.from('{"id":"x"}')];
    const reasons = poison.map((value) => {
      const decoded = decodeLogEvent({
        topic: "raw-logs",
        partition: 0,
        offset: String(round),
        key: null,
        value,
        timestamp: "0",
      });
      assert.ok(!decoded.ok);
      return decoded.reason;
    });
    countDeadLetters("classifier-worker", reasons, metrics);
    metrics.consumerLag.set(
      { group: "sentinel-classifier", topic: "raw-logs", partition: "0" },
      (rounds - round) * 100,
    );

    const stats = await pusher.flush();
    assert.equal(stats.bufferedSamples, 0, "every snapshot reached VictoriaMetrics");
    clock += STEP_MS;
  }
  await vm.forceFlush();
}

before(async () => {
  vm = await startVictoriaMetrics();
  await loadPipelineOutput();
});
after(() => vm?.stop());

describe("provisioned Grafana dashboards", () => {
  it("exist, and every panel uses the provisioned VictoriaMetrics data source", () => {
    assert.ok(dashboards.length > 0);
    assert.equal(datasourceUid, "sentinel-victoriametrics");
    for (const { name, dashboard } of dashboards) {
      for (const panel of allPanels(dashboard.panels).filter((p) => p.type !== "row")) {
        assert.ok((panel.targets ?? []).length > 0, `${name}: "${panel.title}" has no query`);
        assert.equal(panel.datasource?.uid, datasourceUid, `${name}: "${panel.title}"`);
        for (const target of panel.targets ?? [])
          assert.equal(target.datasource?.uid, datasourceUid, `${name}: "${panel.title}"`);
      }
    }
  });

  it("loaded the whole pipeline run into VictoriaMetrics", async () => {
    const result = await vm.query("sum(sentinel_events_classified_total)", end);
    assert.deepEqual(
      (result.result as { value: [number, string] }[]).map((s) => s.value[1]),
      [String(eventCount)],
    );
  });

  for (const { name, dashboard } of dashboards) {
    describe(`${name} (${dashboard.title})`, () => {
      for (const panel of allPanels(dashboard.panels)) {
        for (const target of panel.targets ?? []) {
          it(`panel "${panel.title}" query ${target.refId} returns data`, async () => {
            assert.ok(target.expr, "a target without an expression");
            const expr = substitute(target.expr);
            if (target.instant) {
              const result = await vm.query(expr, end);
              assert.equal(result.resultType, "vector", expr);
              assert.ok(result.result.length > 0, `no data: ${expr}`);
            } else {
              const series = await vm.queryRange(
                expr,
                new Date(end.getTime() - 10 * STEP_MS),
                end,
                STEP_MS / 1000,
              );
              assert.ok(
                series.some((one) => one.values.length > 0),
                `no data: ${expr}`,
              );
            }
          });
        }
      }

      for (const annotation of dashboard.annotations?.list ?? []) {
        if (annotation.datasource?.type !== "prometheus") continue;
        it(`annotation "${annotation.name}" marks the anomalies`, async () => {
          const expr = substitute(String(annotation.expr));
          const series = await vm.queryRange(
            expr,
            new Date(end.getTime() - 10 * STEP_MS),
            end,
            STEP_MS / 1000,
          );
          assert.ok(series.length > 0, `no annotations: ${expr}`);
        });
      }

      for (const variable of dashboard.templating?.list ?? []) {
        it(`variable "${variable.name}" lists values`, async () => {
          const query =
            typeof variable.query === "string" ? variable.query : String(variable.query?.query);
          const match = /^label_values\(\s*([^,]+?)\s*,\s*(\w+)\s*\)$/.exec(query);
          assert.ok(match, `unsupported variable query: ${query}`);
          const values = await vm.labelValues(match[2] as string, match[1] as string);
          assert.ok(values.length > 1, `no values: ${query}`);
        });
      }
    });
  }
});
