import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scoreGrouping } from "./scoring.js";

describe("scoreGrouping", () => {
  it("counts a line correct only when its key groups exactly its template's lines", () => {
    const score = scoreGrouping(["k1", "k1", "k2", "k3"], ["A", "A", "B", "B"]);
    assert.equal(score.accuracy, 0.5);
    assert.equal(score.purity, 1);
    assert.equal(score.strictPurity, 1);
    assert.equal(score.keysPerTemplate, 1.5);
  });

  it("charges a wrong merge the merged-in lines (purity) or the whole key (strict purity)", () => {
    const keys = ["k", "k", "k", "k", "k2"];
    const score = scoreGrouping(keys, ["A", "A", "A", "B", "C"]);
    assert.equal(score.accuracy, 0.2);
    assert.equal(score.purity, 4 / 5);
    assert.equal(score.strictPurity, 1 / 5);
  });
});
