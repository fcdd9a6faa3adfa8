import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LABELS, type Label } from "../../core/events/types.js";
import { templateOf } from "../../core/templates/templateKey.js";
import { balanceLabels } from "./balanceLabels.js";
import { classBalance } from "./classBalance.js";
import { CsvError, parseCsv } from "./csv.js";
import { type DatasetExample, DatasetReader } from "./datasetLine.js";
import { dedupeByTemplate } from "./dedupeByTemplate.js";
import { importAnalysis, importCsv } from "./importLabelled.js";
import { splitByTemplate } from "./splitByTemplate.js";

const reader = () => new DatasetReader({ maxMessageBytes: 16_384, path: "data.jsonl" });

function read(lines: readonly string[]) {
  const r = reader();
  return lines.map((text, i) =>
    r.read({ number: i + 1, text, byteLength: text.length, cut: false, repairedUtf8: false }),
  );
}

function examples(rows: readonly { message: string; label: Label; level?: string }[]) {
  return read(rows.map((row) => JSON.stringify(row))).map((outcome) => {
    assert.ok(outcome?.ok, JSON.stringify(outcome));
    return outcome.example;
  });
}

describe("dataset lines", () => {
  it("names what is wrong with each invalid line, by line number", () => {
    const outcomes = read([
      '{"message":"disk full","label":"incident"}',
      "not json",
      '{"message":"x","label":"Incident"}',
      '{"label":"normal"}',
      '{"message":"   ","label":"normal"}',
      '{"message":42,"label":"normal"}',
      '{"message":"x","label":"urgent"}',
      '{"message":"x","label":"normal","level":"loud"}',
      "[1,2]",
      "",
    ]);
    assert.equal(outcomes[0]?.ok, true);
    assert.equal(outcomes[9], undefined, "a blank line is neither an example nor an error");
    const errors = outcomes.slice(1, 9).map((o) => (o && !o.ok ? `${o.line}: ${o.error}` : "ok"));
    assert.match(errors[0] as string, /^2: not JSON/);
    assert.match(
      errors[1] as string,
      /^3: "label" must be one of .* \(did you mean "incident"\?\)/,
    );
    assert.equal(errors[2], '4: no "message"');
    assert.equal(errors[3], '5: "message" is empty');
    assert.equal(errors[4], '6: "message" must be a string');
    assert.match(
      errors[5] as string,
      /^7: "label" must be one of incident, preventive_action, normal, got "urgent"$/,
    );
    assert.equal(errors[6], '8: "level" "loud" is not a log level');
    assert.match(errors[7] as string, /^9: expected a JSON object/);
  });

  it("reads the message and level as the classifier is given them", () => {
    const [example] = examples([
      { message: "replica lag 30s  ", label: "preventive_action", level: "WARNING" },
    ]);
    assert.deepEqual(example?.record, {
      message: "replica lag 30s",
      label: "preventive_action",
      level: "warn",
    });
    assert.deepEqual(example?.input, { message: "replica lag 30s", level: "warn" });
  });
});

describe("de-duplication by template", () => {
  it("keeps one line per template key so a repeated line does not flood its class", () => {
    const data = examples([
      ...Array.from({ length: 50 }, (_, i) => ({
        message: `request ${1000 + i} completed in ${i}ms`,
        label: "normal" as Label,
      })),
      { message: "database connection refused on 10.0.0.7:5432", label: "incident" },
      { message: "database connection refused on 10.0.0.9:5432", label: "incident" },
      { message: "disk usage at 91% on /var", label: "preventive_action" },
    ]);
    const result = dedupeByTemplate(data, { perTemplate: 1 });
    assert.deepEqual(
      result.kept.map((e) => e.record.label),
      ["normal", "incident", "preventive_action"],
    );
    assert.equal(result.duplicates, 50);
    assert.equal(dedupeByTemplate(data, { perTemplate: 2 }).kept.length, 5);
  });

  it("keeps a template at another level apart, as the classifier's cache does", () => {
    const data = examples([
      { message: "job 17 retried", label: "normal", level: "info" },
      { message: "job 18 retried", label: "preventive_action", level: "warn" },
    ]);
    assert.equal(dedupeByTemplate(data, { perTemplate: 1 }).kept.length, 2);
  });

  it("reports a template whose lines disagree and keeps the majority label", () => {
    const data = examples([
      { message: "cache miss for key 1", label: "normal" },
      { message: "cache miss for key 2", label: "preventive_action" },
      { message: "cache miss for key 3", label: "normal" },
    ]);
    const result = dedupeByTemplate(data, { perTemplate: 5 });
    assert.deepEqual(
      result.kept.map((e) => e.line),
      [1, 3],
    );
    assert.equal(result.conflicting, 1);
    assert.deepEqual(result.conflicts, [
      {
        template: templateOf("cache miss for key 1"),
        labels: { normal: 2, preventive_action: 1 },
        kept: "normal",
      },
    ]);
  });
});

/**
 * 3 labels × `templates` templates, each logged 1 to 4 times with different numbers. Templates
 * differ in two word positions at once, so the keyer never learns either as a variable.
 */
function syntheticDataset(templates: number): DatasetExample[] {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const word = (n: number) => `${letters[n % 26]}${letters[Math.floor(n / 26) % 26]}`;
  const rows: { message: string; label: Label }[] = [];
  for (const label of LABELS) {
    for (let t = 0; t < templates; t++) {
      const words = `${label} ${word(t)} event ${word(t * 7 + 3)}`;
      for (let i = 0; i <= t % 4; i++) rows.push({ message: `${words} took ${i + t}ms`, label });
    }
  }
  return examples(rows);
}

describe("train/eval split", () => {
  const data = syntheticDataset(30);

  it("never puts lines of one template on both sides", () => {
    const { train, eval: held } = splitByTemplate(data, { evalFraction: 0.2, seed: 7 });
    assert.equal(train.length + held.length, data.length);
    const trainTemplates = new Set(train.map((e) => templateOf(e.record.message)));
    const heldTemplates = new Set(held.map((e) => templateOf(e.record.message)));
    assert.ok(heldTemplates.size > 0);
    for (const template of heldTemplates) assert.ok(!trainTemplates.has(template), template);
  });

  it("holds out about the fraction asked for, in every label", () => {
    const { eval: held } = splitByTemplate(data, { evalFraction: 0.25, seed: 3 });
    const total = classBalance(data).labels;
    const heldOut = classBalance(held).labels;
    for (const label of LABELS) {
      const share = heldOut[label].lines / total[label].lines;
      assert.ok(share > 0.15 && share < 0.35, `${label}: ${share}`);
    }
  });

  it("is the same for the same seed and differs for another", () => {
    const ids = (seed: number) =>
      splitByTemplate(data, { evalFraction: 0.2, seed }).eval.map((e) => e.line);
    assert.deepEqual(ids(5), ids(5));
    assert.notDeepEqual(ids(5), ids(6));
  });

  it("puts a template on each side for a label with two templates", () => {
    const small = syntheticDataset(2);
    const { train, eval: held } = splitByTemplate(small, { evalFraction: 0.05, seed: 1 });
    for (const label of LABELS) {
      assert.ok(
        held.some((e) => e.record.label === label),
        `${label} held out`,
      );
      assert.ok(
        train.some((e) => e.record.label === label),
        `${label} trained on`,
      );
    }
  });
});

describe("balancing", () => {
  it("down-samples every label to the smallest label's count", () => {
    const data = examples([
      ...Array.from({ length: 9 }, (_, i) => ({ message: `ok ${i}`, label: "normal" as Label })),
      { message: "boom", label: "incident" },
      { message: "bang", label: "incident" },
      { message: "hmm", label: "preventive_action" },
      { message: "meh", label: "preventive_action" },
      { message: "hah", label: "preventive_action" },
    ]);
    const kept = balanceLabels(data, { seed: 1 });
    assert.deepEqual(
      LABELS.map((label) => kept.filter((e) => e.record.label === label).length),
      [2, 2, 2],
    );
    assert.equal(balanceLabels(data, { seed: 1, perLabel: 3 }).length, 8);
  });
});

describe("imports", () => {
  it("reads labelled CSV with quoted commas, quotes and line breaks", () => {
    const rows = parseCsv(
      'id,text,category\r\n1,"disk full, write failed",Incident\r\n2,"he said ""ok""",normal\n3,"two\nlines",preventive action\n',
    );
    const result = importCsv(
      rows,
      { message: "text", label: "category" },
      { maxMessageBytes: 1000 },
    );
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.records, [
      { message: "disk full, write failed", label: "incident" },
      { message: 'he said "ok"', label: "normal" },
      { message: "two\nlines", label: "preventive_action" },
    ]);
  });

  it("refuses CSV rows that are not labelled examples, naming their lines", () => {
    const rows = parseCsv("message,label\nfine,normal\n,normal\nhmm,sometimes\n");
    const result = importCsv(rows, { message: "message", label: "label" }, { maxMessageBytes: 99 });
    assert.deepEqual(
      result.errors.map((e) => e.line),
      [3, 4],
    );
    assert.throws(
      () => importCsv(rows, { message: "msg", label: "label" }, { maxMessageBytes: 99 }),
      /no column "msg" \(columns: message, label\)/,
    );
    assert.throws(() => parseCsv('a,b\n"open,1\n'), CsvError);
  });

  it("labels analysed events as the model did, unless a correction for the template wins", () => {
    const events = [
      {
        message: "payment 17 declined",
        level: "warn",
        classification: { label: "normal", confidence: 0.51 },
      },
      {
        message: "payment 18 declined",
        level: "warn",
        classification: { label: "normal", confidence: 0.55 },
      },
      { message: "cache warmed", classification: { label: "normal", confidence: 0.98 } },
    ].map((e, i) => ({ line: i + 1, text: JSON.stringify(e) }));
    const corrections = examples([
      { message: "payment 99 declined", label: "preventive_action", level: "warn" },
    ]).map((e) => e.record);
    const result = importAnalysis(events, corrections, { maxMessageBytes: 1000 });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.records.map((r) => [r.label, r.corrected, r.predicted]),
      [
        ["preventive_action", true, "normal"],
        ["preventive_action", true, "normal"],
        ["normal", false, "normal"],
      ],
    );
  });
});
