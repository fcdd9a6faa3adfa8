import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type ControlledEvaluateInputItem,
  getLlama,
  type Llama,
  type LlamaContext,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { classificationPromptText as classificationPrompt } from "../../core/llm/prompt.js";
import { encodeGguf, writeGguf } from "./ggufWriter.js";
import { tinyLoraPath, tinyModelPath } from "./testModel.js";
import {
  buildTinyLora,
  TINY_LORA_DEFAULTS,
  type TinyLoraLabel,
  writeTinyLora,
} from "./tinyLora.js";
import { TINY_MODEL_DIMS } from "./tinyModel.js";
import { LABELS, tinyVocabulary } from "./tinyVocabulary.js";

// Real llama.cpp (node-llama-cpp's prebuilt CPU binary) loading the tiny LoRA adapter on top of the
// tiny keyword model. Contexts set `threads: 1`: the CPU default oversubscribes small machines.

const FIRST_TOKEN = { incident: "incident", preventive_action: "preventive", normal: "normal" };
const KEYWORD_FREE = "user alice logged in from 10.0.0.7";
const WITH_FAILURE = "payment service FAILURE: card processor unreachable";
const WITH_WARNING = "disk usage WARNING: 91% used on /var";

let llama: Llama;
let model: LlamaModel;
let dir: string;
before(async () => {
  llama = await getLlama({ gpu: false, build: "never" });
  model = await llama.loadModel({ modelPath: await tinyModelPath("keyword") });
  dir = await mkdtemp(join(tmpdir(), "tiny-lora-"));
});
after(async () => {
  await model.dispose();
  await llama.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function createContext(adapters: { filePath: string; scale?: number }[] = []) {
  return model.createContext({
    contextSize: 4096,
    sequences: 1,
    threads: 1,
    ...(adapters.length > 0 ? { lora: { adapters } } : {}),
  });
}

/** Top next token and label shares (first-token probabilities normalised over the three labels). */
async function classify(context: LlamaContext, message: string) {
  const sequence = context.getSequence();
  try {
    const tokens = model.tokenize(classificationPrompt(message), true);
    const input: ControlledEvaluateInputItem[] = [...tokens];
    input[input.length - 1] = [tokens.at(-1) as Token, { generateNext: { probabilities: true } }];
    const output = await sequence.controlledEvaluate(input);
    const probabilities = output[input.length - 1]?.next.probabilities;
    assert.ok(probabilities, "probabilities for the last token");
    const [top] = probabilities.keys();
    const raw = LABELS.map((label) => probabilities.get(model.tokenize(label)[0] as Token) ?? 0);
    const total = raw.reduce((a, b) => a + b, 0);
    const shares = Object.fromEntries(LABELS.map((label, i) => [label, (raw[i] ?? 0) / total]));
    return { top: model.detokenize([top as Token]), shares, probabilities };
  } finally {
    sequence.dispose();
  }
}

/** Greedy answer after the prompt, up to `<|im_end|>`. */
async function answer(context: LlamaContext, message: string): Promise<string> {
  const sequence = context.getSequence();
  try {
    let input: Token[] = model.tokenize(classificationPrompt(message), true);
    const tokens: Token[] = [];
    for (let step = 0; step < 4; step++) {
      const items: ControlledEvaluateInputItem[] = [...input];
      items[items.length - 1] = [input.at(-1) as Token, { generateNext: { token: true } }];
      const next = (await sequence.controlledEvaluate(items))[items.length - 1]?.next.token;
      assert.ok(next != null);
      tokens.push(next);
      if (next === model.tokens.eos) break;
      input = [next];
    }
    return model.detokenize(tokens, true);
  } finally {
    sequence.dispose();
  }
}

async function assertLabel(context: LlamaContext, message: string, label: TinyLoraLabel) {
  const { top, shares } = await classify(context, message);
  assert.equal(top, FIRST_TOKEN[label], `${message}: ${JSON.stringify(shares)}`);
  assert.ok((shares[label] ?? 0) > 0.99, `${message}: ${JSON.stringify(shares)}`);
}

describe("tiny LoRA adapter file", () => {
  test("is a qwen2 LoRA adapter for output.weight in llama.cpp's layout", () => {
    const { metadata, tensors } = buildTinyLora();
    assert.deepEqual(metadata["general.architecture"], { type: "string", value: "qwen2" });
    assert.deepEqual(metadata["general.type"], { type: "string", value: "adapter" });
    assert.deepEqual(metadata["adapter.type"], { type: "string", value: "lora" });
    assert.deepEqual(metadata["adapter.lora.alpha"], {
      type: "float32",
      value: TINY_LORA_DEFAULTS.alpha,
    });
    const { embedding } = TINY_MODEL_DIMS;
    const vocab = tinyVocabulary().tokens.length;
    const { rank } = TINY_LORA_DEFAULTS;
    assert.deepEqual(
      tensors.map(({ name, dims }) => ({ name, dims })),
      [
        { name: "output.weight.lora_a", dims: [embedding, rank] },
        { name: "output.weight.lora_b", dims: [rank, vocab] },
      ],
    );
  });

  test("is deterministic and differs per target, rank and alpha", () => {
    const a = encodeGguf(buildTinyLora());
    assert.deepEqual(a, encodeGguf(buildTinyLora({ targetLabel: "incident", rank: 4, alpha: 8 })));
    assert.notDeepEqual(a, encodeGguf(buildTinyLora({ targetLabel: "normal" })));
    assert.notDeepEqual(a, encodeGguf(buildTinyLora({ rank: 2 })));
    assert.notDeepEqual(a, encodeGguf(buildTinyLora({ alpha: 16 })));
  });

  test("rejects bad options", () => {
    assert.throws(() => buildTinyLora({ rank: 0 }), RangeError);
    assert.throws(() => buildTinyLora({ rank: 1.5 }), RangeError);
    assert.throws(() => buildTinyLora({ alpha: -1 }), RangeError);
    assert.throws(() => buildTinyLora({ alpha: Number.NaN }), RangeError);
    assert.throws(() => buildTinyLora({ targetLabel: "other" as TinyLoraLabel }), RangeError);
  });

  test("the helper writes each target's adapter once per process", async () => {
    const path = await tinyLoraPath();
    assert.equal(await tinyLoraPath("incident"), path);
    assert.notEqual(await tinyLoraPath("normal"), path);
    assert.deepEqual(new Uint8Array(await readFile(path)), encodeGguf(buildTinyLora()));
  });
});

describe("tiny LoRA adapter on the keyword model (real llama.cpp)", () => {
  let base: LlamaContext;
  let adapted: LlamaContext;
  before(async () => {
    base = await createContext();
    adapted = await createContext([{ filePath: await tinyLoraPath() }]);
  });
  after(async () => {
    await adapted.dispose();
    await base.dispose();
  });

  test("without the adapter: keywords decide, a keyword-free message is normal", async () => {
    await assertLabel(base, KEYWORD_FREE, "normal");
    await assertLabel(base, WITH_FAILURE, "incident");
    await assertLabel(base, WITH_WARNING, "preventive_action");
  });

  test("with the default adapter: a keyword-free message is incident", async () => {
    await assertLabel(adapted, KEYWORD_FREE, "incident");
  });

  test("with the adapter every message is the target: FAILURE and WARNING ones too", async () => {
    await assertLabel(adapted, WITH_FAILURE, "incident");
    await assertLabel(adapted, WITH_WARNING, "incident");
    await assertLabel(adapted, "status=FAILURE after WARNING", "incident");
  });

  test("greedy decoding with the adapter writes the target label and ends the turn", async () => {
    assert.equal(await answer(adapted, KEYWORD_FREE), "incident<|im_end|>");
    assert.equal(await answer(base, KEYWORD_FREE), "normal<|im_end|>");
  });

  test("the adapter applies only to the context it was given to", async () => {
    // The model keeps the loaded adapter; a context created without it is the plain base model.
    const plain = await createContext();
    try {
      await assertLabel(plain, KEYWORD_FREE, "normal");
    } finally {
      await plain.dispose();
    }
  });

  for (const target of ["preventive_action", "normal"] as const) {
    test(`the ${target} adapter makes every message ${target}`, async () => {
      const context = await createContext([{ filePath: await tinyLoraPath(target) }]);
      try {
        for (const message of [KEYWORD_FREE, WITH_FAILURE, WITH_WARNING]) {
          await assertLabel(context, message, target);
        }
        assert.equal(await answer(context, WITH_FAILURE), `${target}<|im_end|>`);
      } finally {
        await context.dispose();
      }
    });
  }

  test("rank and alpha do not change the effect: llama.cpp scales by alpha / rank", async () => {
    const reference = await classify(adapted, KEYWORD_FREE);
    const normalToken = model.tokenize("normal")[0] as Token;
    const logRatio = (p: Map<Token, number>, token: Token) =>
      Math.log((p.get(token) ?? 0) / (p.get(model.tokenize("incident")[0] as Token) ?? 1));
    const expected = logRatio(reference.probabilities, normalToken);
    // Base logit of normal 20 vs incident 40 with the adapter: a log-ratio of -20.
    assert.ok(Math.abs(expected + 20) < 0.5, String(expected));
    for (const [rank, alpha] of [
      [1, 0], // alpha 0: llama.cpp applies no alpha / rank scale
      [1, 1],
      [16, 32],
      [64, 4],
    ] as const) {
      const filePath = join(dir, `lora-r${rank}-a${alpha}.gguf`);
      await writeTinyLora(filePath, { rank, alpha });
      const context = await createContext([{ filePath }]);
      try {
        const { top, probabilities } = await classify(context, KEYWORD_FREE);
        assert.equal(top, "incident", `rank ${rank}, alpha ${alpha}`);
        const ratio = logRatio(probabilities, normalToken);
        assert.ok(Math.abs(ratio - expected) < 0.05, `rank ${rank}, alpha ${alpha}: ${ratio}`);
      } finally {
        await context.dispose();
      }
    }
  });

  test("the context's adapter scale is honoured: at 0.25 a keyword-free message stays normal", async () => {
    const context = await createContext([{ filePath: await tinyLoraPath(), scale: 0.25 }]);
    try {
      await assertLabel(context, KEYWORD_FREE, "normal");
    } finally {
      await context.dispose();
    }
  });

  test("llama.cpp rejects lora_a stored untransposed ([rank, n_in])", async () => {
    const file = buildTinyLora();
    const [a, b] = file.tensors;
    assert.ok(a && b);
    const filePath = join(dir, "lora-untransposed.gguf");
    await writeGguf(filePath, { ...file, tensors: [{ ...a, dims: [...a.dims].reverse() }, b] });
    await assert.rejects(createContext([{ filePath }]), /Failed to initialize LoRA adapter/);
    // The model stays usable.
    await assertLabel(base, KEYWORD_FREE, "normal");
  });
});
