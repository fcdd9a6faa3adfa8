import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BaselineModel, classifyByRules } from "./baselineModel.js";

describe("baseline rule model", () => {
  it("labels by level first", () => {
    assert.equal(classifyByRules({ message: "anything", level: "error" }).label, "incident");
    assert.equal(classifyByRules({ message: "anything", level: "fatal" }).label, "incident");
    assert.equal(
      classifyByRules({ message: "anything", level: "warn" }).label,
      "preventive_action",
    );
    assert.equal(classifyByRules({ message: "request served", level: "info" }).label, "normal");
  });

  it("lets wording outrank a routine level, as people log failures at info too", () => {
    assert.equal(
      classifyByRules({ message: "connection failed", level: "info" }).label,
      "incident",
    );
    assert.equal(classifyByRules({ message: "handshake failed", level: "debug" }).label, "normal");
  });

  it("labels by wording when there is no level", () => {
    assert.equal(
      classifyByRules({ message: "connection to db failed: refused" }).label,
      "incident",
    );
    assert.equal(
      classifyByRules({ message: "disk usage approaching threshold" }).label,
      "preventive_action",
    );
    assert.equal(classifyByRules({ message: "request served in 12ms" }).label, "normal");
    assert.equal(classifyByRules({ message: "backup completed with no errors" }).label, "normal");
  });

  it("suggests a fix only for preventive_action", () => {
    const warning = classifyByRules({ message: "disk almost full on /var", level: "warn" });
    assert.match(warning.suggestion ?? "", /volume/);
    assert.equal(classifyByRules({ message: "boom", level: "error" }).suggestion, undefined);
  });

  it("names itself baseline and answers in order", async () => {
    const model = new BaselineModel();
    assert.equal(model.name, "baseline");
    const verdicts = await model.classify([{ message: "ok" }, { message: "x", level: "error" }]);
    assert.deepEqual(
      verdicts.map((v) => v.label),
      ["normal", "incident"],
    );
  });
});
