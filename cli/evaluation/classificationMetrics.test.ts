import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfusionMatrix } from "./classificationMetrics.js";

describe("ConfusionMatrix", () => {
  it("computes accuracy, per-label precision/recall/F1 and macro F1", () => {
    const m = new ConfusionMatrix();
    m.add("incident", "incident");
    m.add("incident", "normal");
    m.add("normal", "normal");
    m.add("normal", "normal");
    m.add("preventive_action", "incident");
    const r = m.metrics();
    assert.equal(r.lines, 5);
    assert.equal(r.accuracy, 0.6);
    assert.deepEqual(r.perLabel.incident, { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    assert.deepEqual(r.perLabel.normal, { precision: 0.6667, recall: 1, f1: 0.8, support: 2 });
    assert.deepEqual(r.perLabel.preventive_action, { precision: 0, recall: 0, f1: 0, support: 1 });
    assert.equal(r.macroF1, 0.4333);
    assert.equal(r.confusion.preventive_action.incident, 1);
  });

  it("averages F1 only over labels present in the data", () => {
    const m = new ConfusionMatrix();
    m.add("normal", "normal");
    assert.equal(m.metrics().macroF1, 1);
  });
});
