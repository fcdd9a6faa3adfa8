import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { quietEnv, runSentinel } from "../cli/testing/sentinelCli.js";
import { LlmModel } from "../core/llm/llmModel.js";
import { ModelManifestError, manifestPathFor } from "../core/llm/modelManifest.js";
import { PROMPT_TEMPLATE_HASH } from "../core/llm/prompt.js";
import { tinyLoraPath, tinyModelPath } from "./gguf/testModel.js";

const EXPORT = new URL("./export.py", import.meta.url).pathname;
const PYTHON = process.env.PYTHON ?? "python3";
const dir = mkdtempSync(join(tmpdir(), "sentinel-export-"));

function exportPy(args: string[], env: NodeJS.ProcessEnv = {}) {
  const clean = { ...process.env, ...env };
  if (!("LLAMA_CPP_DIR" in env)) delete clean.LLAMA_CPP_DIR;
  const run = spawnSync(PYTHON, ["-S", EXPORT, ...args], {
    encoding: "utf8",
    env: clean,
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** training.json as train.py writes it (write_training_info), for a given prompt hash. */
function trainingInfo(name: string, promptTemplateHash: string): string {
  const path = join(dir, `${name}.training.json`);
  writeFileSync(
    path,
    JSON.stringify({
      baseModel: "Qwen/Qwen2-1.5B-Instruct",
      adapterDir: "out/adapter",
      promptTemplateHash,
      dataset: { file: "train.rendered.jsonl", sha256: "ab".repeat(32), examples: 120 },
      settings: { lora_r: 64, lora_alpha: 16, lora_dropout: 0.1 },
      metrics: { train_loss: 0.42 },
    }),
  );
  return path;
}

/** A copy of the tiny incident LoRA (fine-tune/gguf/tinyLora.ts) with a manifest beside it. */
async function exportedAdapter(name: string, promptTemplateHash: string): Promise<string> {
  const adapter = join(dir, `${name}.gguf`);
  copyFileSync(await tinyLoraPath("incident"), adapter);
  const evaluation = join(dir, `${name}.eval.json`);
  writeFileSync(evaluation, JSON.stringify({ accuracy: 0.9, macroF1: 0.85 }));
  const run = exportPy([
    "manifest",
    adapter,
    "--training",
    trainingInfo(name, promptTemplateHash),
    "--eval",
    evaluation,
  ]);
  assert.equal(run.status, 0, run.stderr);
  return adapter;
}

const load = async (loraPath: string) =>
  LlmModel.load({
    modelPath: await tinyModelPath("keyword"),
    loraPath,
    gpu: "off",
    threads: 1,
    parallelSequences: 1,
    maxMessageTokens: 64,
  });

describe("export manifests and the classifier's check", () => {
  it("writes a manifest beside the GGUF: base, adapter, dataset, eval, prompt hash, file hash", async () => {
    const adapter = await exportedAdapter("matching", PROMPT_TEMPLATE_HASH);
    const manifest = JSON.parse(readFileSync(manifestPathFor(adapter), "utf8"));
    assert.equal(manifest.format, "sentinel-model-manifest/1");
    assert.equal(manifest.file, "matching.gguf");
    assert.equal(manifest.sha256, createHash("sha256").update(readFileSync(adapter)).digest("hex"));
    assert.equal(manifest.kind, "lora-adapter");
    assert.equal(manifest.baseModel, "Qwen/Qwen2-1.5B-Instruct");
    assert.deepEqual(manifest.adapter, { dir: "out/adapter", r: 64, alpha: 16, dropout: 0.1 });
    assert.equal(manifest.dataset.sha256, "ab".repeat(32));
    assert.deepEqual(manifest.eval, { accuracy: 0.9, macroF1: 0.85 });
    assert.equal(manifest.promptTemplateHash, PROMPT_TEMPLATE_HASH);
  });

  it("loads an adapter whose manifest names this prompt template", async () => {
    const model = await load(await exportedAdapter("served", PROMPT_TEMPLATE_HASH));
    try {
      const [verdict] = await model.classify([{ message: "request served in 12ms" }]);
      assert.equal(verdict?.label, "incident", "the adapter is applied");
    } finally {
      await model.dispose();
    }
  });

  it("refuses an adapter trained on another prompt template, naming its manifest", async () => {
    const adapter = await exportedAdapter("stale", "sha256:0123");
    await assert.rejects(load(adapter), (error) => {
      assert.ok(error instanceof ModelManifestError);
      assert.ok(error.message.startsWith(`${manifestPathFor(adapter)}: the LoRA adapter`));
      assert.match(
        error.message,
        /trained on prompt template sha256:0123, but this classifier sends sha256:/,
      );
      return true;
    });
    const analyze = runSentinel(
      ["analyze", "-", "--lora", adapter, "--model", await tinyModelPath("keyword")],
      {
        env: quietEnv(dir),
        input: "disk full\n",
      },
    );
    assert.equal(analyze.status, 1);
    assert.match(analyze.stderr, /stale\.gguf\.manifest\.json: the LoRA adapter/);
  });

  it("makes sentinel config fail on a stale adapter and report a matching one", async () => {
    const stale = await exportedAdapter("config-stale", "sha256:0123");
    const refused = runSentinel(["config"], { env: { ...quietEnv(dir), SENTINEL_LORA: stale } });
    assert.equal(refused.status, 2);
    assert.match(
      refused.stderr,
      /SENTINEL_LORA: .*config-stale\.gguf\.manifest\.json: the LoRA adapter/,
    );
    const fine = await exportedAdapter("config-fine", PROMPT_TEMPLATE_HASH);
    const accepted = runSentinel(["config"], { env: { ...quietEnv(dir), SENTINEL_LORA: fine } });
    assert.equal(accepted.status, 0, accepted.stderr);
    assert.match(
      accepted.stderr,
      /SENTINEL_LORA: .*prompt template matches; base Qwen\/Qwen2-1\.5B-Instruct, .*eval accuracy 0\.9 macro-F1 0\.85/,
    );
  });

  it("says clearly when llama.cpp is missing, before converting anything", () => {
    const training = join(dir, "out");
    mkdirSync(training, { recursive: true });
    copyFileSync(trainingInfo("convert", PROMPT_TEMPLATE_HASH), join(training, "training.json"));
    const args = [
      "adapter",
      "--training-dir",
      training,
      "--base-model-dir",
      dir,
      "--output-dir",
      join(dir, "gguf"),
    ];
    const unset = exportPy(args);
    assert.equal(unset.status, 1);
    assert.match(
      unset.stderr,
      /^export\.py: llama\.cpp is needed for the GGUF conversion: set LLAMA_CPP_DIR/,
    );
    const wrong = exportPy(args, { LLAMA_CPP_DIR: dir });
    assert.equal(wrong.status, 1);
    assert.match(
      wrong.stderr,
      /no convert_lora_to_gguf\.py; is LLAMA_CPP_DIR a llama\.cpp checkout\?/,
    );
  });
});
