import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PipelineMetrics } from "../metrics/catalog.js";
import { countDeadLetters, deadLetterReasonCategory } from "./deadLetter.js";

describe("deadLetterReasonCategory", () => {
  it("keeps the words before the details, so the metric label stays one of a few", () => {
    assert.equal(deadLetterReasonCategory("not JSON: Unexpected token n"), "not_json");
    assert.equal(deadLetterReasonCategory("too large: 2000000 bytes"), "too_large");
    assert.equal(deadLetterReasonCategory("empty value"), "empty_value");
    assert.equal(
      deadLetterReasonCategory("does not match the contract: timestamp: Invalid"),
      "does_not_match_the_contract",
    );
    assert.equal(deadLetterReasonCategory("binary data (12% control bytes)"), "binary_data");
    assert.equal(deadLetterReasonCategory(": 42"), "other");
    assert.ok(deadLetterReasonCategory("x ".repeat(500)).length <= 48);
  });

  it("counts dead letters by stage and category", async () => {
    const metrics = new PipelineMetrics();
    countDeadLetters("decode", ["not JSON: a", "not JSON: b", "empty value"], metrics);
    const { values } = await metrics.deadLetters.get();
    assert.deepEqual(
      values.map((v) => [v.labels.stage, v.labels.reason, v.value]),
      [
        ["decode", "not_json", 2],
        ["decode", "empty_value", 1],
      ],
    );
  });
});
