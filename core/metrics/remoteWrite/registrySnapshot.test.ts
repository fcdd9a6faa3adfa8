import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { snapshotToSeries } from "./registrySnapshot.js";
import type { TimeSeries } from "./writeRequest.js";

function flat(series: TimeSeries[]): string[] {
  return series.map(
    (one) =>
      `${one.labels.map((l) => `${l.name}=${l.value}`).join(",")} ${one.samples.map((s) => `${s.value}@${s.timestampMs}`).join(" ")}`,
  );
}

describe("snapshotToSeries", () => {
  it("turns counters, gauges and histograms into sorted series with the target labels", async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: "t_events_total",
      help: "h",
      labelNames: ["service", "label"],
      registers: [registry],
    });
    const gauge = new Gauge({ name: "t_score", help: "h", registers: [registry] });
    const histogram = new Histogram({
      name: "t_latency_seconds",
      help: "h",
      labelNames: ["model"],
      buckets: [0.1, 1],
      registers: [registry],
    });
    counter.inc({ service: "api", label: "incident" }, 3);
    gauge.set(0.75);
    histogram.observe({ model: "baseline" }, 0.5);
    histogram.observe({ model: "baseline" }, 2);

    const series = snapshotToSeries(await registry.getMetricsAsJSON(), 5_000, {
      job: "test",
      instance: "host:1",
    });
    assert.deepEqual(flat(series), [
      "__name__=t_events_total,instance=host:1,job=test,label=incident,service=api 3@5000",
      "__name__=t_score,instance=host:1,job=test 0.75@5000",
      "__name__=t_latency_seconds_bucket,instance=host:1,job=test,le=0.1,model=baseline 0@5000",
      "__name__=t_latency_seconds_bucket,instance=host:1,job=test,le=1,model=baseline 1@5000",
      "__name__=t_latency_seconds_bucket,instance=host:1,job=test,le=+Inf,model=baseline 2@5000",
      "__name__=t_latency_seconds_sum,instance=host:1,job=test,model=baseline 2.5@5000",
      "__name__=t_latency_seconds_count,instance=host:1,job=test,model=baseline 2@5000",
    ]);
  });

  it("lets a metric's own label win over a target label of the same name", async () => {
    const registry = new Registry();
    new Gauge({ name: "t_g", help: "h", labelNames: ["job"], registers: [registry] }).set(
      { job: "own" },
      1,
    );
    const [series] = snapshotToSeries(await registry.getMetricsAsJSON(), 1, { job: "target" });
    assert.deepEqual(series?.labels, [
      { name: "__name__", value: "t_g" },
      { name: "job", value: "own" },
    ]);
  });

  it("leaves out labelled metrics nobody recorded yet, and empty label values", async () => {
    const registry = new Registry();
    new Counter({ name: "t_unused_total", help: "h", labelNames: ["x"], registers: [registry] });
    new Gauge({ name: "t_g", help: "h", labelNames: ["x"], registers: [registry] }).set(
      { x: "" },
      4,
    );
    const series = snapshotToSeries(await registry.getMetricsAsJSON(), 1);
    assert.deepEqual(flat(series), ["__name__=t_g 4@1"]);
  });
});
