import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logEvent } from "../events/testing/fixtures.js";
import type { LogEvent } from "../events/types.js";
import { CachingClassifier } from "./cachingClassifier.js";
import { ClassificationCache } from "./classificationCache.js";
import type { ClassifierInput, LabelModel, Verdict } from "./types.js";

class RecordingModel implements LabelModel {
  readonly name = "recording";
  readonly seen: ClassifierInput[] = [];
  async classify(inputs: readonly ClassifierInput[]): Promise<Verdict[]> {
    this.seen.push(...inputs);
    return inputs.map((input) =>
      input.message.includes("failed")
        ? { label: "incident", confidence: 0.9 }
        : { label: "preventive_action", confidence: 0.6, suggestion: "look at it" },
    );
  }
}

function event(message: string, level?: LogEvent["level"]): LogEvent {
  return logEvent(message, level ? { level } : {});
}

function classifier(model: LabelModel, maxEntries = 100) {
  return new CachingClassifier(model, new ClassificationCache({ maxEntries, ttlMs: 60_000 }));
}

describe("CachingClassifier", () => {
  it("asks the model once per template key, with the first message seen for it", async () => {
    const model = new RecordingModel();
    const subject = classifier(model);
    const out = await subject.classify([
      event("upload failed after 3 tries"),
      event("upload failed after 5 tries"),
      event("queue depth 100"),
    ]);
    assert.deepEqual(
      model.seen.map((s) => s.message),
      ["upload failed after 3 tries", "queue depth 100"],
    );
    assert.deepEqual(
      out.map((e) => [e.classification.label, e.classification.cached]),
      [
        ["incident", false],
        ["incident", true],
        ["preventive_action", false],
      ],
    );
    const again = await subject.classify([event("upload failed after 9 tries")]);
    assert.equal(again[0]?.classification.cached, true);
    assert.equal(model.seen.length, 2);
    assert.equal(subject.modelCalls, 2);
    assert.deepEqual(subject.cacheStats, { hits: 1, misses: 3, size: 2 });
  });

  it("keeps the level in the key, since the model is shown it", async () => {
    const model = new RecordingModel();
    await classifier(model).classify([event("disk at 91%", "warn"), event("disk at 95%", "info")]);
    assert.equal(model.seen.length, 2);
  });

  it("fills the classification fields of the contract", async () => {
    const [out] = await classifier(new RecordingModel()).classify([event("cpu at 93%")]);
    const c = out?.classification;
    assert.equal(c?.template, "cpu at <*>");
    assert.match(c?.templateId ?? "", /^[\w-]{16}$/);
    assert.equal(c?.model, "recording");
    assert.equal(c?.suggestion, "look at it");
    assert.ok(!Number.isNaN(Date.parse(c?.classifiedAt ?? "")));
  });

  it("refuses a model that answers a different number of lines", async () => {
    const broken: LabelModel = { name: "broken", classify: async () => [] };
    await assert.rejects(
      classifier(broken).classify([event("x 1")]),
      /returned 0 verdicts for 1 lines/,
    );
  });
});

describe("ClassificationCache", () => {
  it("stays within its bound, evicting the least recently used key", () => {
    const cache = new ClassificationCache({ maxEntries: 2, ttlMs: 60_000 });
    const verdict: Verdict = { label: "normal", confidence: 1 };
    cache.set("a", verdict);
    cache.set("b", verdict);
    cache.get("a");
    cache.set("c", verdict);
    assert.equal(cache.get("b"), undefined);
    assert.deepEqual(cache.get("a"), verdict);
    assert.equal(cache.stats().size, 2);
  });

  it("forgets entries after their time to live", async () => {
    const cache = new ClassificationCache({ maxEntries: 10, ttlMs: 20 });
    cache.set("a", { label: "normal", confidence: 1 });
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(cache.get("a"), undefined);
  });
});
