import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logEvent } from "../events/testing/fixtures.js";
import { PipelineMetrics } from "../metrics/catalog.js";
import { BaselineModel } from "./baselineModel.js";
import { CachingClassifier } from "./cachingClassifier.js";
import { ClassificationCache } from "./classificationCache.js";

async function valuesOf(metric: {
  get(): Promise<{ values: { value: number; labels: object }[] }>;
}) {
  const { values } = await metric.get();
  return values.map((v) => ({ ...v.labels, value: v.value }));
}

describe("CachingClassifier metrics", () => {
  it("records events by label, service and source, cache hits and misses, model calls and latency", async () => {
    const metrics = new PipelineMetrics();
    const classifier = new CachingClassifier(
      new BaselineModel(),
      new ClassificationCache({ maxEntries: 100, ttlMs: 60_000 }),
      { metrics },
    );
    const checkout = { service: "checkout", source: { provider: "aws" as const } };
    const batch = [
      logEvent("payment failed for order 1", { ...checkout, level: "error" }),
      logEvent("payment failed for order 2", { ...checkout, level: "error" }),
      logEvent("user 7 signed in", { service: "auth", level: "info" }),
    ];
    const first = await classifier.classify(batch);
    await classifier.classify([
      logEvent("payment failed for order 3", { ...checkout, level: "error" }),
    ]);

    const labelOf = (index: number) => first[index]?.classification.label;
    assert.deepEqual(
      (await valuesOf(metrics.eventsClassified)).sort((a, b) => a.value - b.value),
      [
        { label: labelOf(2), service: "auth", source: "file", value: 1 },
        { label: labelOf(0), service: "checkout", source: "aws", value: 3 },
      ],
    );
    // The second payment line shares the first one's key: a miss in the cache, not a model call.
    assert.deepEqual(await valuesOf(metrics.cacheHits), [{ value: 1 }]);
    assert.deepEqual(await valuesOf(metrics.cacheMisses), [{ value: 3 }]);
    assert.deepEqual(await valuesOf(metrics.llmCalls), [{ model: "baseline", value: 2 }]);
    const latency = await valuesOf(metrics.classifierLatency);
    assert.deepEqual(
      latency.find((v) => (v as { le?: unknown }).le === "+Inf"),
      { le: "+Inf", model: "baseline", value: 2 },
    );
  });
});
