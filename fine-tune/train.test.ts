import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { jsonLines, quietEnv, runSentinel } from "../cli/testing/sentinelCli.js";
import { PROMPT_TEMPLATE_HASH } from "../core/llm/prompt.js";
import type { RenderedExample } from "./dataset/renderTraining.js";

const TRAIN = new URL("./train.py", import.meta.url).pathname;
const PYTHON = process.env.PYTHON ?? "python3";
const dir = mkdtempSync(join(tmpdir(), "sentinel-train-"));
const env = quietEnv(dir);

/** The system python3 with no site-packages at all (-S): the dry run must need none. */
function train(args: string[]) {
  const run = spawnSync(PYTHON, ["-S", TRAIN, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function sentinel(args: string[], input?: string) {
  const run = runSentinel(args, { env, ...(input !== undefined && { input }) });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

/** A starter dataset from `sentinel produce --labelled`, prepared and rendered by the CLI. */
function renderedDataset(): string {
  const produced = sentinel(["produce", "--labelled", "--count", "400", "--seed", "5"]);
  const prepared = sentinel(["dataset", "prepare", "-"], produced);
  const path = join(dir, "train.rendered.jsonl");
  sentinel(["dataset", "render", "-", "--output", path], prepared);
  return path;
}

describe("fine-tune/train.py --dry-run", () => {
  const rendered = renderedDataset();
  const examples = jsonLines<RenderedExample>(readFileSync(rendered, "utf8"));

  it("checks the rendered data and prints its examples without any Python package", () => {
    const run = train(["--data", rendered, "--dry-run", "--show", "2"]);
    assert.equal(run.status, 0, run.stderr);
    const counts = (label: string) => examples.filter((e) => e.label === label).length;
    const sha256 = createHash("sha256").update(readFileSync(rendered)).digest("hex");
    assert.ok(
      run.stdout.startsWith(
        `${rendered}: ${examples.length} examples (incident ${counts("incident")}, preventive_action ${counts("preventive_action")}, normal ${counts("normal")}); prompt template ${PROMPT_TEMPLATE_HASH}; sha256 ${sha256}\n`,
      ),
      run.stdout,
    );
    assert.match(
      run.stdout,
      /"lora_r": 64, "lora_alpha": 16, "lora_dropout": 0\.1, "learning_rate": 0\.0002, "epochs": 3/,
    );
    assert.match(run.stdout, /"base_model": "Qwen\/Qwen2-1\.5B-Instruct"/);
    const shown = run.stdout.split(/^--- example \(line \d+, label \w+\) ---\n/m).slice(1);
    assert.equal(shown.length, 2);
    assert.equal(shown[0], examples[0]?.text);
    assert.ok(run.stdout.endsWith("--- dry run: data checked, nothing trained ---\n"));
  });

  it("refuses lines that are not rendered training examples, naming file and line", () => {
    const [first, second] = examples as [RenderedExample, RenderedExample];
    const cases: [string, string[], RegExp][] = [
      ["not-json", [JSON.stringify(first), "{oops"], /:2: not JSON/],
      [
        "tampered",
        [JSON.stringify({ ...first, text: first.text.replace("Log Entry", "Entry") })],
        /:1: "prefix" \+ "message" \+ "tail" \+ "answer" is not "text"/,
      ],
      ["bad-label", [JSON.stringify({ ...first, label: "urgent" })], /:1: "label" must be one of/],
      [
        "unrendered",
        [JSON.stringify({ message: "disk full", label: "incident" })],
        /:1: no string "text"/,
      ],
      [
        "two-prompts",
        [JSON.stringify(first), JSON.stringify({ ...second, promptTemplateHash: "sha256:other" })],
        /rendered from 2 different prompt templates/,
      ],
      ["empty", [""], /: no examples/],
    ];
    for (const [name, lines, expected] of cases) {
      const path = join(dir, `${name}.jsonl`);
      writeFileSync(path, `${lines.join("\n")}\n`);
      const run = train(["--data", path, "--dry-run"]);
      assert.equal(run.status, 1, `${name}: ${run.stdout}`);
      assert.match(run.stderr, new RegExp(`^train\\.py: ${path}`), name);
      assert.match(run.stderr, expected, name);
    }
  });

  it("refuses settings out of range before reading anything", () => {
    const run = train(["--data", rendered, "--dry-run", "--lora-dropout", "1.5"]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--lora-dropout must be in \[0, 1\)/);
  });
});
