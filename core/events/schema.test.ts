import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { z } from "zod";
import { BaselineModel } from "../classifier/baselineModel.js";
import { CachingClassifier } from "../classifier/cachingClassifier.js";
import { ClassificationCache } from "../classifier/classificationCache.js";
import { parseJsonLine } from "../normalize/jsonLine.js";
import { anomalySchema, classifiedEventSchema, logEventSchema } from "./schema.js";
import type { Anomaly, LogEvent } from "./types.js";

const event: LogEvent = {
  id: "cw-123",
  timestamp: "2026-03-01T10:00:00+01:00",
  ingestedAt: "2026-03-01T09:00:01.250Z",
  source: { provider: "aws", logGroup: "/aws/lambda/pay", region: "eu-west-1" },
  service: "pay",
  level: "error",
  message: "payment declined for order 8812: card expired",
  attributes: { requestId: "r-1" },
};

/** A checker listing each problem as `path: code`, [] when the value is valid. */
function problemsOf(schema: z.ZodType): (value: unknown) => string[] {
  return (value) =>
    (schema.safeParse(value).error?.issues ?? []).map(
      (issue) => `${issue.path.join(".")}: ${issue.code}`,
    );
}

describe("logEventSchema", () => {
  it("accepts a complete event as it is, provider fields included", () => {
    assert.deepEqual(logEventSchema.parse(event), event);
    const cut = { ...event, level: undefined, truncated: true, originalBytes: 40_000 };
    delete cut.level;
    assert.deepEqual(logEventSchema.parse(cut), cut);
  });

  it("drops fields outside the contract, but not the source's own", () => {
    const parsed = logEventSchema.parse({ ...event, classification: { label: "normal" } });
    assert.equal("classification" in parsed, false);
    assert.equal(parsed.source.logGroup, "/aws/lambda/pay");
  });

  it("requires what every event has: id, timestamps, source, service, message, attributes", () => {
    assert.deepEqual(problemsOf(logEventSchema)({}), [
      "id: invalid_type",
      "timestamp: invalid_type",
      "ingestedAt: invalid_type",
      "source: invalid_type",
      "service: invalid_type",
      "message: invalid_type",
      "attributes: invalid_type",
    ]);
  });

  it("refuses values outside the contract", () => {
    const problems = problemsOf(logEventSchema);
    assert.deepEqual(problems({ ...event, id: "" }), ["id: too_small"]);
    assert.deepEqual(problems({ ...event, timestamp: "yesterday" }), ["timestamp: invalid_format"]);
    assert.deepEqual(problems({ ...event, timestamp: "2026-03-01T10:00:00" }), [
      "timestamp: invalid_format",
    ]);
    assert.deepEqual(problems({ ...event, source: { provider: "gcp" } }), [
      "source.provider: invalid_value",
    ]);
    assert.deepEqual(problems({ ...event, level: "warning" }), ["level: invalid_value"]);
    assert.deepEqual(problems({ ...event, service: "" }), ["service: too_small"]);
    assert.deepEqual(problems({ ...event, originalBytes: -1 }), ["originalBytes: too_small"]);
    assert.deepEqual(problems({ ...event, attributes: "x" }), ["attributes: invalid_type"]);
  });
});

describe("classifiedEventSchema", () => {
  it("refuses attributes or a source nested deeper than the normalizer keeps, saying where", () => {
    const line = `{"msg":"deep","x":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`;
    const parsed = parseJsonLine(line);
    assert.ok(parsed.ok);
    const normalized = { ...event, attributes: parsed.line.attributes };
    assert.equal(logEventSchema.safeParse(normalized).success, true, "what normalize keeps passes");

    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const issues = (value: LogEvent) =>
      (logEventSchema.safeParse(value).error?.issues ?? []).map(
        (issue) => `${issue.path.join(".")}: ${issue.message}`,
      );
    assert.deepEqual(issues({ ...event, attributes: { x: deep } }), [
      "attributes: x.a.a.a.a.a.a.a.a: nested deeper than 8 levels",
    ]);
    assert.deepEqual(
      issues({ ...event, source: { provider: "http", labels: [[[[[[[[[]]]]]]]]] } }),
      ["source: labels[0][0][0][0][0][0][0][0]: nested deeper than 8 levels"],
    );
  });

  it("accepts what the caching classifier produces", async () => {
    const classifier = new CachingClassifier(
      new BaselineModel(),
      new ClassificationCache({ maxEntries: 10, ttlMs: 60_000 }),
    );
    const classified = await classifier.classify([
      event,
      { ...event, id: "cw-124", level: "info", message: "disk usage at 91% on /var" },
    ]);
    assert.equal(classified.length, 2);
    for (const one of classified) assert.deepEqual(classifiedEventSchema.parse(one), one);
  });

  it("requires a classification with a known label and a confidence in 0..1", () => {
    const classification = {
      label: "incident",
      confidence: 0.9,
      templateId: "t-1",
      template: "payment declined for order <*>: card expired",
      model: "baseline",
      cached: false,
      classifiedAt: "2026-03-01T09:00:02.000Z",
    };
    const problems = problemsOf(classifiedEventSchema);
    assert.deepEqual(problems({ ...event, classification }), []);
    assert.deepEqual(problems(event), ["classification: invalid_type"]);
    assert.deepEqual(problems({ ...event, classification: { ...classification, label: "bad" } }), [
      "classification.label: invalid_value",
    ]);
    assert.deepEqual(
      problems({ ...event, classification: { ...classification, confidence: 1.5 } }),
      ["classification.confidence: too_big"],
    );
  });
});

describe("anomalySchema", () => {
  const anomaly: Anomaly = {
    id: "a-1",
    detectedAt: "2026-03-01T10:05:00Z",
    service: "pay",
    kind: "spike",
    score: 0.93,
    window: { start: "2026-03-01T10:00:00Z", end: "2026-03-01T10:05:00Z" },
    observed: 412,
    expected: 37.5,
    explanation: "incident rate 11x the baseline",
    sampleEventIds: ["cw-123", "cw-124"],
  };

  it("accepts an anomaly and refuses a score outside 0..1 or a window without an end", () => {
    assert.deepEqual(anomalySchema.parse(anomaly), anomaly);
    const problems = problemsOf(anomalySchema);
    assert.deepEqual(problems({ ...anomaly, score: -0.1 }), ["score: too_small"]);
    assert.deepEqual(problems({ ...anomaly, window: { start: anomaly.window.start } }), [
      "window.end: invalid_type",
    ]);
  });
});
