import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BaselineModel } from "../classifier/baselineModel.js";
import { CachingClassifier } from "../classifier/cachingClassifier.js";
import { ClassificationCache } from "../classifier/classificationCache.js";
import type { ClassifierInput, LabelModel, Verdict } from "../classifier/types.js";
import { logEvent } from "../events/testing/fixtures.js";
import { TemplateKeyer } from "./templateKeyer.js";
import { BRUTE_FORCE_TEMPLATES, bruteForceStream } from "./testing/bruteForceStream.js";

/** Final keys (aliases resolved) of the messages, keyed in order by one keyer. */
function finalIds(messages: readonly string[], keyer = new TemplateKeyer()): string[] {
  const keys = messages.map((message) => keyer.keyOf(message));
  return keys.map((key) => keyer.finalKeyOf(key).templateId);
}

describe("TemplateKeyer", () => {
  it("gives the same id on every run, for the same template", () => {
    const a = new TemplateKeyer().keyOf("user 42 logged in");
    const b = new TemplateKeyer().keyOf("user 7 logged in");
    assert.equal(a.templateId, b.templateId);
    assert.equal(a.template, "user <*> logged in");
    assert.match(a.templateId, /^[A-Za-z0-9_-]{16}$/);
  });

  it("merges what over-split before: host names, letters-only values, key=word, units", () => {
    const groups: string[][] = [
      [
        "pv.mini.sohu.com:80 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS",
        "www.google.com:443 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS",
        "182.254.114.110:80 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS",
      ],
      ["Invalid user operator from 1.2.3.4", "Invalid user admin from 1.2.3.5"],
      ["session closed for user news", "session closed for user cyrus"],
      ["removing printer lp", "removing printer hplaser"],
      [
        "authentication failure; rhost=troi.example.com user=root",
        "authentication failure; rhost=1.2.3.4 user=guest",
      ],
      ["lifetime <1 sec", "lifetime 00:01"],
      ["1190 bytes (1.16 KB) sent", "0 bytes sent"],
      [
        "Registering class org.apache.A$B for class org.apache.C",
        "Registering class a.b.C for class d.e.F",
      ],
    ];
    for (const group of groups) {
      // The distinct-count rule needs three different words before a position is a variable.
      const fillers = ["alpha", "bravo", "charlie"].map((word) =>
        (group[0] as string).replace(/operator|news|lp/, word),
      );
      const ids = finalIds([...fillers, ...group]).slice(fillers.length);
      assert.equal(new Set(ids).size, 1, group.join(" | "));
    }
  });

  it("never generalises protected words, however many values a position sees", () => {
    const pairs: [string, string, string][] = [
      ["state changed to <w>", "FAILED", "RUNNING"],
      ["connection <w>", "established", "failed"],
      ["VM <w> (Lifecycle Event)", "Started", "Paused"],
      ["file config.yaml <w>", "found", "not"],
      ["disk check <w>", "ok", "error"],
      ["[MT] Device::<w> entered", "start", "stop"],
      ["MotionEvent action=<w>", "ACTION_DOWN", "ACTION_UP"],
    ];
    for (const [shape, a, b] of pairs) {
      const lines = ["apple", "banana", "cherry", "damson", a, b].map((w) =>
        shape.replace("<w>", w),
      );
      const ids = finalIds(lines);
      assert.notEqual(ids[4], ids[5], `${a} | ${b}`);
      assert.notEqual(ids[4], ids[0], `${a} joined the general key`);
      assert.notEqual(ids[5], ids[0], `${b} joined the general key`);
    }
  });

  it("keeps ids stable: earlier literal keys become aliases of the general key", () => {
    const keyer = new TemplateKeyer();
    const first = keyer.keyOf("removing printer lp");
    const second = keyer.keyOf("removing printer laser");
    assert.notEqual(first.templateId, second.templateId);
    const third = keyer.keyOf("removing printer inkjet");
    assert.equal(third.template, "removing printer <*>");
    assert.equal(first.template, "removing printer lp", "an id once given keeps its template");
    assert.equal(keyer.finalKeyOf(first).templateId, third.templateId);
    assert.equal(keyer.finalKeyOf(second).templateId, third.templateId);
    const aliases = keyer.aliasIdsOf(third);
    assert.ok(aliases.includes(first.templateId) && aliases.includes(second.templateId));
    assert.equal(keyer.keyOf("removing printer lp").templateId, third.templateId);
  });

  it("does not generalise keys the guard says were classified differently", () => {
    const keyer = new TemplateKeyer();
    const classifiedDifferently = new Set<string>();
    keyer.setJoinGuard((ids) => !ids.some((id) => classifiedDifferently.has(id)));
    classifiedDifferently.add(keyer.keyOf("queue orders drained").templateId);
    keyer.keyOf("queue payments drained");
    const third = keyer.keyOf("queue emails drained");
    assert.equal(third.template, "queue emails drained");
    assert.equal(keyer.generalisations, 0);
  });

  it("learns the same keys after a restart from its snapshot", () => {
    const before = new TemplateKeyer();
    const early = ["printer lp removed", "printer laser removed", "printer inkjet removed"].map(
      (line) => before.keyOf(line),
    );
    const snapshot = JSON.parse(JSON.stringify(before.snapshot()));
    const after = new TemplateKeyer();
    after.restore(snapshot);
    const general = before.finalKeyOf(early[0] as (typeof early)[0]).templateId;
    assert.equal(after.keyOf("printer lp removed").templateId, general);
    assert.equal(after.keyOf("printer dotmatrix removed").templateId, general);
    assert.equal(after.generalisations, 0, "nothing relearned");
    assert.throws(() => after.restore({ version: 2 } as never), /snapshot/);
  });

  it("stays within its caps, evicting the least recently used and counting it", () => {
    const keyer = new TemplateKeyer({ maxTemplates: 100, maxClusters: 50 });
    keyer.keyOf("hot line stays");
    for (let i = 0; i < 1_000; i++) {
      keyer.keyOf(
        `cold ${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))} line ${i % 7 === 0 ? "x" : "y"}`,
      );
      keyer.keyOf("hot line stays");
    }
    assert.ok(keyer.size.templates <= 100);
    assert.ok(keyer.size.clusters <= 50);
    assert.ok(keyer.evictions > 0);
    const hot = keyer.snapshot().clusters.some(([rest]) => rest.startsWith("hot line"));
    assert.ok(hot, "the line used all along is still known");
  });
});

/** A model that counts its calls and labels by a word, like a real model would by content. */
class CountingModel implements LabelModel {
  readonly name = "counting";
  calls = 0;
  async classify(inputs: readonly ClassifierInput[]): Promise<Verdict[]> {
    this.calls += inputs.length;
    return new BaselineModel().classify(inputs);
  }
}

describe("TemplateKeyer behind the classification cache", () => {
  it("classifies an SSH brute force with at most 4 model calls per true template", async () => {
    const stream = bruteForceStream({ lines: 20_000, users: 10_000 });
    assert.ok(new Set(stream.map((l) => l.message.split(" ")[2])).size >= 10_000);
    const model = new CountingModel();
    const classifier = new CachingClassifier(
      model,
      new ClassificationCache({ maxEntries: 50_000, ttlMs: 3_600_000 }),
      { suggestions: "off" },
    );
    for (let i = 0; i < stream.length; i += 500) {
      await classifier.classify(stream.slice(i, i + 500).map((l) => logEvent(l.message)));
    }
    assert.ok(
      model.calls <= 4 * BRUTE_FORCE_TEMPLATES,
      `${model.calls} calls for ${BRUTE_FORCE_TEMPLATES} templates`,
    );
    assert.equal(classifier.modelCalls, model.calls);
  });

  it("a general key takes over the verdict its aliases share, as a cache hit", async () => {
    const model = new CountingModel();
    const classifier = new CachingClassifier(
      model,
      new ClassificationCache({ maxEntries: 100, ttlMs: 60_000 }),
      { suggestions: "off" },
    );
    await classifier.classify([logEvent("Invalid user ann from 10.0.0.1")]);
    await classifier.classify([logEvent("Invalid user bob from 10.0.0.2")]);
    const [general] = await classifier.classify([logEvent("Invalid user cyd from 10.0.0.3")]);
    assert.equal(general?.classification.template, "Invalid user <*> from <*>");
    assert.equal(general?.classification.cached, true);
    assert.equal(model.calls, 2);
  });
});

/** Labels a line by the word after "job": the kind of model that makes keys disagree. */
class WordModel implements LabelModel {
  readonly name = "word";
  async classify(inputs: readonly ClassifierInput[]): Promise<Verdict[]> {
    return inputs.map((input) =>
      /job (?:reaper|oomkill)/.test(input.message)
        ? { label: "incident", confidence: 0.9 }
        : { label: "normal", confidence: 0.9 },
    );
  }
}

describe("TemplateKeyer generalising inside one batch", () => {
  it("takes a generalisation back when the keys it joined are labelled differently", async () => {
    const classifier = new CachingClassifier(
      new WordModel(),
      new ClassificationCache({ maxEntries: 100, ttlMs: 60_000 }),
      { suggestions: "off" },
    );
    // All three arrive in one batch: the third generalises before any is classified.
    await classifier.classify(
      ["queue job reaper ran", "queue job backup ran", "queue job report ran"].map((m) =>
        logEvent(m),
      ),
    );
    assert.equal(classifier.keyer.undone, 1);
    const [later] = await classifier.classify([logEvent("queue job reaper ran")]);
    assert.equal(later?.classification.template, "queue job reaper ran");
    assert.equal(later?.classification.label, "incident");
  });
});
