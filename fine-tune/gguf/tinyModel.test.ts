import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type ControlledEvaluateInputItem,
  getLlama,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { classificationPromptText as classificationPrompt } from "../../core/llm/prompt.js";
import { bpeTokenize } from "./byteLevelBpe.js";
import { encodeGguf } from "./ggufWriter.js";
import { tinyModelPath } from "./testModel.js";
import { buildTinyModel, writeTinyModel } from "./tinyModel.js";
import { IM_START, LABELS, tinyVocabulary } from "./tinyVocabulary.js";

// Real llama.cpp (node-llama-cpp's prebuilt CPU binary) loading the generated model. Contexts set
// `threads` explicitly: the CPU default oversubscribes small machines and slows evaluation badly.

/** Evaluates `tokens` and returns the next-token probabilities after the last one. */
async function nextTokenProbabilities(
  sequence: LlamaContextSequence,
  tokens: readonly Token[],
): Promise<Map<Token, number>> {
  const input: ControlledEvaluateInputItem[] = [...tokens];
  input[input.length - 1] = [tokens.at(-1) as Token, { generateNext: { probabilities: true } }];
  const output = await sequence.controlledEvaluate(input);
  const probabilities = output[input.length - 1]?.next.probabilities;
  assert.ok(probabilities, "probabilities for the last token");
  return probabilities;
}

/** The model's own label choice: the probability of each label's first token, normalised over the three. */
function labelShares(model: LlamaModel, probabilities: Map<Token, number>) {
  const firsts = LABELS.map((label) => model.tokenize(label)[0] as Token);
  const raw = firsts.map((token) => probabilities.get(token) ?? 0);
  const total = raw.reduce((a, b) => a + b, 0);
  return Object.fromEntries(LABELS.map((label, i) => [label, (raw[i] ?? 0) / total]));
}

let llama: Llama;
let dir: string;
before(async () => {
  llama = await getLlama({ gpu: false, build: "never" });
  dir = await mkdtemp(join(tmpdir(), "tiny-model-"));
});
after(async () => {
  await llama.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("tiny qwen2 model with random weights", () => {
  let model: LlamaModel;
  before(async () => {
    const modelPath = join(dir, "random.gguf");
    await writeTinyModel(modelPath, { weights: "random", seed: 7 });
    assert.ok((await stat(modelPath)).size < 2 * 1024 * 1024, "a few MB at most");
    model = await llama.loadModel({ modelPath });
  });
  after(() => model.dispose());

  test("loads as a qwen2 model with a Qwen2-style tokenizer and ChatML end of turn", () => {
    const vocab = tinyVocabulary();
    assert.equal(model.fileInfo.metadata.general.architecture, "qwen2");
    assert.equal(model.trainContextSize, 32768);
    assert.equal(model.tokens.eos, vocab.imEnd);
    assert.equal(model.tokens.eosString, "<|im_end|>");
    assert.equal(model.tokens.shouldPrependBosToken, false, "as Qwen2: no BOS");
  });

  test("ChatML control tokens are single tokens only when special tokens are enabled", () => {
    assert.deepEqual(model.tokenize(IM_START, true), [tinyVocabulary().imStart]);
    assert.ok(model.tokenize(IM_START, false).length > 1);
    const prompt = model.tokenize(classificationPrompt("db connection FAILURE"), true);
    assert.equal(prompt.filter((t) => t === tinyVocabulary().imStart).length, 3);
    assert.equal(prompt.filter((t) => t === tinyVocabulary().imEnd).length, 2);
  });

  test("labels start with distinct tokens; incident, normal and the keywords are one token", () => {
    const firsts = LABELS.map((label) => model.tokenize(label)[0]);
    assert.equal(new Set(firsts).size, 3);
    for (const word of ["incident", "normal", "FAILURE", " FAILURE", "WARNING", " WARNING"]) {
      assert.equal(model.tokenize(word).length, 1, word);
    }
    assert.deepEqual(
      model.tokenize("preventive_action").map((t) => model.detokenize([t])),
      ["preventive", "_action"],
    );
  });

  test("tokenizes exactly as the merges were built and detokenizes back to the text", () => {
    const { ids, merges } = tinyVocabulary();
    const ranks = new Map(merges.map((merge, rank) => [merge, rank]));
    for (const line of [
      "2024-05-01T12:00:00Z ERROR payment[4821]: connection refused to db-7:5432 (retry 3/5)",
      "WARN disk usage at 91% on /var/lib — naïve café ✓ 日本 🚀",
      "  indented\ttabs\r\nand status=FAILURE, it's OK",
    ]) {
      const tokens = model.tokenize(line);
      assert.deepEqual(
        tokens,
        bpeTokenize(line, ranks).map((piece) => ids.get(piece)),
      );
      assert.equal(model.detokenize(tokens), line);
    }
  });

  test("generation is deterministic per seed", () => {
    const a = encodeGguf(buildTinyModel({ seed: 3 }));
    assert.deepEqual(a, encodeGguf(buildTinyModel({ seed: 3 })));
    assert.notDeepEqual(a, encodeGguf(buildTinyModel({ seed: 4 })));
  });

  test("evaluates a prompt to a proper next-token distribution", async () => {
    const context = await model.createContext({ contextSize: 4096, sequences: 1, threads: 1 });
    try {
      const tokens = model.tokenize(classificationPrompt("user logged in"), true);
      const probabilities = await nextTokenProbabilities(context.getSequence(), tokens);
      const values = [...probabilities.values()];
      assert.ok(values.every((p) => Number.isFinite(p) && p >= 0));
      assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-3);
    } finally {
      await context.dispose();
    }
  });
});

describe("tiny qwen2 model with keyword weights", () => {
  let model: LlamaModel;
  let context: LlamaContext;
  before(async () => {
    model = await llama.loadModel({ modelPath: await tinyModelPath("keyword") });
    context = await model.createContext({ contextSize: 4096, sequences: 2, threads: 1 });
  });
  after(async () => {
    await context.dispose();
    await model.dispose();
  });

  async function classify(message: string, sequence = context.getSequence()) {
    try {
      const tokens = model.tokenize(classificationPrompt(message), true);
      assert.ok(tokens.length < context.contextSize, "the prompt fits: no context shift");
      const probabilities = await nextTokenProbabilities(sequence, tokens);
      const [top] = probabilities.keys();
      return { top: model.detokenize([top as Token]), shares: labelShares(model, probabilities) };
    } finally {
      sequence.dispose();
    }
  }

  const cases = [
    ["payment service FAILURE: card processor unreachable", "incident", "incident"],
    ["disk usage WARNING: 91% used on /var", "preventive_action", "preventive"],
    ["user alice logged in from 10.0.0.7", "normal", "normal"],
    ["status=FAILURE after WARNING", "incident", "incident"],
    ["failure and warning in lower case are ordinary words", "normal", "normal"],
  ] as const;
  for (const [message, label, firstToken] of cases) {
    test(`answers ${label} for "${message}"`, async () => {
      const { top, shares } = await classify(message);
      assert.equal(top, firstToken);
      assert.ok((shares[label] ?? 0) >= 0.8, JSON.stringify(shares));
    });
  }

  test("a keyword still decides in a prompt that fills most of a 4096-token context", async () => {
    const filler = "request served in 12 ms by node pod ok; ".repeat(115);
    const message = `${filler} FAILURE ${filler}`;
    assert.ok(model.tokenize(classificationPrompt(message), true).length > 3400);
    const { top, shares } = await classify(message);
    assert.equal(top, "incident");
    assert.ok((shares.incident ?? 0) >= 0.8, JSON.stringify(shares));
  });

  test("two sequences of one context do not see each other's keywords", async () => {
    const [a, b] = await Promise.all([
      classify("replica FAILURE detected", context.getSequence()),
      classify("cache warmed up", context.getSequence()),
    ]);
    assert.equal(a.top, "incident");
    assert.equal(b.top, "normal");
  });

  test("answers the same when the shared prompt prefix is evaluated once and reused", async () => {
    const sequence = context.getSequence();
    try {
      const full = classificationPrompt("{message}");
      const prefix = model.tokenize(full.slice(0, full.indexOf(" {message}")), true);
      await sequence.controlledEvaluate(prefix);
      for (const [message, expected] of [
        ["db FAILURE", "incident"],
        ["disk WARNING", "preventive"],
        ["all good", "normal"],
        ["db FAILURE", "incident"],
      ] as const) {
        const rest = full.slice(full.indexOf(" {message}")).replace("{message}", message);
        const probabilities = await nextTokenProbabilities(sequence, model.tokenize(rest, true));
        const [top] = probabilities.keys();
        assert.equal(model.detokenize([top as Token]), expected, message);
        // Drop the line's tokens, keep the prefix's cached state for the next line.
        await sequence.eraseContextTokenRanges([
          { start: prefix.length, end: sequence.nextTokenIndex },
        ]);
        assert.equal(sequence.nextTokenIndex, prefix.length);
      }
    } finally {
      sequence.dispose();
    }
  });

  test("greedy decoding writes the whole label and then ends the turn", async () => {
    const sequence = context.getSequence();
    try {
      let input: Token[] = model.tokenize(classificationPrompt("queue WARNING: lag rising"), true);
      const answer: Token[] = [];
      for (let step = 0; step < 4; step++) {
        const items: ControlledEvaluateInputItem[] = [...input];
        items[items.length - 1] = [input.at(-1) as Token, { generateNext: { token: true } }];
        const output = await sequence.controlledEvaluate(items);
        const next = output[items.length - 1]?.next.token;
        assert.ok(next != null);
        answer.push(next);
        if (next === model.tokens.eos) break;
        input = [next];
      }
      assert.equal(model.detokenize(answer, true), "preventive_action<|im_end|>");
    } finally {
      sequence.dispose();
    }
  });

  test("the helper writes the model once per process", async () => {
    const path = await tinyModelPath("keyword");
    assert.equal(await tinyModelPath("keyword"), path);
    const bytes = await readFile(path);
    assert.deepEqual(new Uint8Array(bytes), encodeGguf(buildTinyModel({ weights: "keyword" })));
  });
});
