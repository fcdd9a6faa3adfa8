import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { LABELS } from "../../core/events/types.js";
import { tinyModelPath } from "../../fine-tune/gguf/testModel.js";
import { headlessChromium } from "../../scripts/headlessChromium.js";
import type { ModelEvaluation } from "../evaluation/modelEvaluation.js";
import { jsonLines, quietEnv, runSentinel } from "../testing/sentinelCli.js";

const dir = mkdtempSync(join(tmpdir(), "sentinel-eval-"));

function sentinel(args: string[]) {
  return runSentinel(args, { env: quietEnv(dir) });
}

/**
 * Lines labelled the way the keyword model answers (FAILURE → incident, WARNING →
 * preventive_action, else normal), 20 templates per label, split by `sentinel dataset split`:
 * the gate runs on the held-out side, as in the workflow.
 */
function heldOutSplit(): string {
  const services = [
    "billing",
    "orders",
    "search",
    "auth",
    "cart",
    "media",
    "mail",
    "queue",
    "edge",
    "ledger",
  ];
  const lines: string[] = [];
  for (const service of services) {
    for (const variant of ["primary", "replica"]) {
      lines.push(
        JSON.stringify({
          message: `${service} ${variant} replication FAILURE on shard 3`,
          label: "incident",
        }),
      );
      lines.push(
        JSON.stringify({
          message: `${service} ${variant} disk WARNING at 91%`,
          label: "preventive_action",
        }),
      );
      lines.push(
        JSON.stringify({
          message: `${service} ${variant} request served in 12ms`,
          label: "normal",
        }),
      );
    }
  }
  const all = join(dir, "all.jsonl");
  writeFileSync(all, `${lines.join("\n")}\n`);
  const split = sentinel([
    "dataset",
    "split",
    all,
    "--train",
    join(dir, "train.jsonl"),
    "--eval",
    join(dir, "eval.jsonl"),
    "--eval-fraction",
    "0.5",
  ]);
  assert.equal(split.status, 0, split.stderr);
  // A secret in a held-out line the keyword model gets wrong, to show the report masks what it shows.
  const held = join(dir, "eval.jsonl");
  appendFileSync(
    held,
    `${JSON.stringify({ message: "login FAILURE retried, password=hunter2 accepted", label: "normal" })}\n`,
  );
  return held;
}

type EvalJson = ModelEvaluation & {
  compared?: ModelEvaluation;
  gate?: { passed: boolean; failures: string[] };
};

describe("sentinel eval as a gate, on the tiny generated models", () => {
  const data = heldOutSplit();
  /** `sentinel eval` of `model` on the held-out split, on one thread (the machine runs others). */
  const evalModel = (model: string, ...options: string[]) =>
    sentinel(["eval", "-d", data, "-m", model, "--threads", "1", ...options]);
  const held = jsonLines<{ label: string }>(readFileSync(data, "utf8"));

  it("passes the keyword model and fails the random one with --fail-under", async () => {
    const keyword = await tinyModelPath("keyword");
    const random = await tinyModelPath("random");
    const good = evalModel(keyword, "--json", "--fail-under", "0.9");
    assert.equal(good.status, 0, good.stderr);
    const passed = JSON.parse(good.stdout) as EvalJson;
    assert.equal(passed.lines, held.length);
    assert.ok(passed.macroF1 >= 0.9, String(passed.macroF1));
    assert.deepEqual(passed.gate, { passed: true, failures: [] });

    const bad = evalModel(random, "--json", "--fail-under", "0.9");
    assert.equal(bad.status, 1);
    const failed = JSON.parse(bad.stdout) as EvalJson;
    assert.ok(failed.macroF1 < 0.9);
    assert.equal(failed.gate?.passed, false);
    assert.match(
      bad.stderr,
      new RegExp(`eval gate failed: macroF1 ${failed.macroF1} is under 0\\.9`),
    );
  });

  it("holds a per-label threshold, e.g. incident recall", async () => {
    const random = await tinyModelPath("random");
    const run = evalModel(random, "--json", "--fail-under", "normal.recall=0.5");
    const result = JSON.parse(run.stdout) as EvalJson;
    assert.equal(run.status, result.perLabel.normal.recall < 0.5 ? 1 : 0, run.stderr);
    const refused = sentinel(["eval", "-d", data, "--fail-under", "speed=0.5"]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /unknown metric "speed"/);
  });

  it("refuses a model that is worse than the old one with --compare", async () => {
    const keyword = await tinyModelPath("keyword");
    const random = await tinyModelPath("random");
    const better = evalModel(keyword, "--json", "--compare", random);
    assert.equal(better.status, 0, better.stderr);
    const result = JSON.parse(better.stdout) as EvalJson;
    assert.equal(result.model, "tiny-keyword");
    assert.equal(result.compared?.model, "tiny-random");
    assert.equal(result.compared?.lines, result.lines);
    assert.ok(result.macroF1 > (result.compared?.macroF1 ?? 1));

    const worse = evalModel(random, "--compare", keyword);
    assert.equal(worse.status, 1);
    assert.match(
      worse.stderr,
      /eval gate failed: macroF1 [\d.]+ is worse than the old model's [\d.]+/,
    );
    assert.match(worse.stdout, /Compared with the old model:\nModel tiny-keyword/);
  });

  it("never measures the baseline in place of a model that is missing", () => {
    const run = evalModel(join(dir, "missing.gguf"));
    assert.equal(run.status, 1);
    assert.match(run.stderr, /missing\.gguf does not exist/);
    assert.doesNotMatch(run.stdout, /baseline/);
  });

  it("writes an HTML report that a browser renders with both confusion matrices and the per-label bars", async () => {
    const report = join(dir, "report.html");
    const run = evalModel(
      await tinyModelPath("keyword"),
      "--json",
      "--compare",
      await tinyModelPath("random"),
      "--report",
      report,
    );
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as EvalJson;
    const chromium = (extra: string[]) =>
      headlessChromium(report, extra, { windowSize: "1100,1400" });
    const dom = chromium(["--dump-dom"]);
    const sections = dom.split('<section class="model"').slice(1);
    assert.equal(sections.length, 2, "one section per model");
    for (const [i, evaluation] of [result, result.compared as ModelEvaluation].entries()) {
      const section = sections[i] as string;
      assert.equal(section.match(/<table class="confusion">/g)?.length, 1);
      for (const truth of LABELS) {
        for (const predicted of LABELS) {
          const cell = new RegExp(
            `data-truth="${truth}" data-predicted="${predicted}"[^>]*>(\\d+)<`,
          ).exec(section);
          assert.equal(
            Number(cell?.[1]),
            evaluation.confusion[truth][predicted],
            `${truth}/${predicted}`,
          );
        }
      }
      const bars = [
        ...section.matchAll(
          /<rect class="bar" data-label="(\w+)" data-metric="(\w+)" data-value="([\d.]+)"[^>]* width="([\d.]+)"/g,
        ),
      ];
      assert.equal(bars.length, LABELS.length * 3);
      for (const [, label, metric, value, width] of bars) {
        const expected =
          evaluation.perLabel[label as (typeof LABELS)[number]][
            metric as "precision" | "recall" | "f1"
          ];
        assert.equal(Number(value), expected);
        assert.ok(Math.abs(Number(width) - 220 * expected) < 0.1);
      }
    }
    assert.match(dom, /<div id="gate" class="passed">Gate passed<\/div>/);
    assert.match(dom, /password=\*\*\*\*/);
    assert.doesNotMatch(dom, /hunter2/);

    const png = join(dir, "report.png");
    chromium([`--screenshot=${png}`]);
    const image = readFileSync(png);
    assert.equal(image.subarray(1, 4).toString(), "PNG");
    assert.ok(image.length > 20_000, `a painted page, not a blank one (${image.length} bytes)`);
  });
});
