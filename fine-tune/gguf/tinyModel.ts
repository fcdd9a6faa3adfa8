import {
  type GgufFile,
  type GgufMetadata,
  type GgufTensor,
  ggufBool,
  ggufFloat32,
  ggufInt32s,
  ggufString,
  ggufStrings,
  ggufUint32,
  writeGguf,
} from "./ggufWriter.js";
import { KEYWORDS, tinyTokenId, tinyVocabulary } from "./tinyVocabulary.js";

/**
 * A tiny but real Qwen2 GGUF model (about 1 MB, F32) for tests: llama.cpp loads it like the
 * production Qwen2-1.5B classifier, with the same tokenizer family (byte-level BPE, Qwen2
 * pre-tokenizer, ChatML control tokens), so prompt rendering, tokenization, batching and scoring
 * run for real without a download.
 *
 * - `weights: "random"`: small seeded random weights; deterministic per seed, output meaningless.
 * - `weights: "keyword"`: hand-set weights that answer the classification prompt by keyword:
 *   `FAILURE` in the message → `incident`, `WARNING` → `preventive_action` (FAILURE wins when both
 *   appear once), neither → `normal`. Case-sensitive, by token: `status=FAILURE` and `FAILURES`
 *   count, `failure` does not. See `keywordWeights` for how.
 */

export interface TinyModelOptions {
  /** Defaults to "random". */
  weights?: "random" | "keyword";
  /** PRNG seed for random weights. Defaults to 1. */
  seed?: number;
  /** `qwen2.context_length` (llama.cpp's n_ctx_train). Defaults to 32768, as Qwen2-1.5B. */
  contextLength?: number;
}

export const TINY_MODEL_DIMS = {
  embedding: 64,
  heads: 4,
  kvHeads: 2,
  layers: 2,
  feedForward: 128,
} as const;

export const TINY_MODEL_DEFAULT_CONTEXT_LENGTH = 32768;

const HEAD_DIM = TINY_MODEL_DIMS.embedding / TINY_MODEL_DIMS.heads;
const KV_DIM = HEAD_DIM * TINY_MODEL_DIMS.kvHeads;

/** Qwen2-Instruct's chat template (ChatML), as its GGUF files carry it. */
const QWEN2_CHAT_TEMPLATE =
  "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}" +
  "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}" +
  "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

/** A row-major weight matrix with ggml dims `[inputs, outputs]`: `set(out, in, v)`. */
class Matrix {
  readonly data: Float32Array;
  constructor(
    readonly inputs: number,
    readonly outputs: number,
  ) {
    this.data = new Float32Array(inputs * outputs);
  }
  set(output: number, input: number, value: number): void {
    this.data[output * this.inputs + input] = value;
  }
}

interface LayerShapes {
  name: string;
  dims: number[];
  /** RMSNorm gains: 1 in both weight kinds. */
  norm?: boolean;
}

function tensorShapes(vocabSize: number): LayerShapes[] {
  const { embedding: E, feedForward: F, layers } = TINY_MODEL_DIMS;
  const shapes: LayerShapes[] = [{ name: "token_embd.weight", dims: [E, vocabSize] }];
  for (let i = 0; i < layers; i++) {
    const blk = `blk.${i}`;
    shapes.push(
      { name: `${blk}.attn_norm.weight`, dims: [E], norm: true },
      { name: `${blk}.attn_q.weight`, dims: [E, E] },
      { name: `${blk}.attn_q.bias`, dims: [E] },
      { name: `${blk}.attn_k.weight`, dims: [E, KV_DIM] },
      { name: `${blk}.attn_k.bias`, dims: [KV_DIM] },
      { name: `${blk}.attn_v.weight`, dims: [E, KV_DIM] },
      { name: `${blk}.attn_v.bias`, dims: [KV_DIM] },
      { name: `${blk}.attn_output.weight`, dims: [E, E] },
      { name: `${blk}.ffn_norm.weight`, dims: [E], norm: true },
      { name: `${blk}.ffn_gate.weight`, dims: [E, F] },
      { name: `${blk}.ffn_up.weight`, dims: [E, F] },
      { name: `${blk}.ffn_down.weight`, dims: [F, E] },
    );
  }
  shapes.push(
    { name: "output_norm.weight", dims: [E], norm: true },
    { name: "output.weight", dims: [E, vocabSize] },
  );
  return shapes;
}

/** mulberry32: a small, fast, seedable PRNG; uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomWeights(vocabSize: number, seed: number): GgufTensor[] {
  const random = mulberry32(seed);
  return tensorShapes(vocabSize).map(({ name, dims, norm }) => {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    if (norm) data.fill(1);
    else {
      const scale = name === "token_embd.weight" || name === "output.weight" ? 0.5 : 0.15;
      for (let i = 0; i < data.length; i++) data[i] = (random() * 2 - 1) * scale;
    }
    return { name, dims, data };
  });
}

// Residual-stream directions the keyword model uses (the other dimensions stay zero).
const DIM_CONSTANT = 0; // every token; read by the output head as "normal"
const DIM_FAILURE = 1; // FAILURE tokens; written by attention; read as "incident"
const DIM_WARNING = 2; // WARNING tokens; written by attention; read as "preventive"
const DIM_END = 3; // label-final tokens; read as <|im_end|>
const DIM_ACTION = 4; // "preventive"; read as "_action"

const CONSTANT = 0.1; // every embedding's DIM_CONSTANT
const KEYWORD_EMBEDDING = 1; // keyword embeddings' DIM_FAILURE / DIM_WARNING
const V_FAILURE = 100; // attn_v gain: FAILURE ~ 8 after RMSNorm -> V ~ 800 (K/V cache is f16: < 65504)
const V_WARNING = 50; // half of FAILURE, so FAILURE wins when both appear
const O_GAIN = 100; // attn_output gain: mean over N positions -> 80000 / N on the residual
const CONTINUATION = 1e5; // label tokens' own direction, far above any attention signal
const HEAD_GAIN = 2.5; // output head: RMSNorm'd direction (~8) x 2.5 -> logit ~20 vs 0 elsewhere

/**
 * The keyword model's label directions and head gain, for adapters built on top of it
 * (tinyLora.ts): at the last prompt position the RMSNorm'd residual lies in the span of these three
 * dimensions, each component ≥ 0, with norm ≈ 8; the head reads each with `headGain`.
 */
export const KEYWORD_MODEL_DIRECTIONS = {
  normal: DIM_CONSTANT,
  incident: DIM_FAILURE,
  preventive_action: DIM_WARNING,
  headGain: HEAD_GAIN,
} as const;

/**
 * Keyword weights, one working layer (layer 1 and both FFNs are zero, so they pass the residual
 * through unchanged):
 *
 * 1. Embeddings: every token has 0.1 on DIM_CONSTANT; `FAILURE`/` FAILURE` add 1 on DIM_FAILURE and
 *    `WARNING`/` WARNING` 1 on DIM_WARNING.
 * 2. Attention: Q and K are zero, so every score is 0 and the causal softmax is uniform: each position
 *    averages the values of all positions up to it. V reads only the keyword dimensions of the
 *    RMSNorm'd input, so V is zero for every other token; attn_output writes head 0's two value
 *    channels onto DIM_FAILURE / DIM_WARNING. At the last prompt position the residual becomes
 *    0.1·DIM_CONSTANT + (80000·failures / N)·DIM_FAILURE + (40000·warnings / N)·DIM_WARNING,
 *    N = prompt length; one FAILURE outweighs the constant ≥ 24×, one WARNING ≥ 12×, up to N = 32768.
 *    FAILURE wins over WARNING unless WARNING appears more than twice as often.
 * 3. Output: RMSNorm makes the residual scale-free, so only its direction counts. The head maps
 *    DIM_CONSTANT → `normal`, DIM_FAILURE → `incident`, DIM_WARNING → `preventive` with gain 2.5:
 *    the winning direction carries almost all of the norm (≈ 8 = √64), a logit near 20, while every
 *    other token's logit is 0 (and the losing labels' near 0), so p(label) > 0.99.
 * 4. Continuations: the embeddings of `incident`, `normal` and `_action` carry 1e5 on DIM_END
 *    (→ `<|im_end|>`), `preventive` 1e5 on DIM_ACTION (→ `_action`). That dwarfs the attention signal
 *    when the label token is the last one, so greedy decoding after the prompt yields
 *    `preventive_action<|im_end|>` and the like. Inside the prompt these directions do nothing: V does
 *    not read them.
 */
function keywordWeights(vocabSize: number): GgufTensor[] {
  const { embedding: E } = TINY_MODEL_DIMS;
  const embeddings = new Matrix(E, vocabSize);
  const head = new Matrix(E, vocabSize);
  for (let token = 0; token < vocabSize; token++) embeddings.set(token, DIM_CONSTANT, CONSTANT);
  for (const word of [KEYWORDS.incident, ` ${KEYWORDS.incident}`]) {
    embeddings.set(tinyTokenId(word), DIM_FAILURE, KEYWORD_EMBEDDING);
  }
  for (const word of [KEYWORDS.preventive_action, ` ${KEYWORDS.preventive_action}`]) {
    embeddings.set(tinyTokenId(word), DIM_WARNING, KEYWORD_EMBEDDING);
  }
  for (const word of ["incident", "normal", "_action"]) {
    embeddings.set(tinyTokenId(word), DIM_END, CONTINUATION);
  }
  embeddings.set(tinyTokenId("preventive"), DIM_ACTION, CONTINUATION);

  head.set(tinyTokenId("normal"), DIM_CONSTANT, HEAD_GAIN);
  head.set(tinyTokenId("incident"), DIM_FAILURE, HEAD_GAIN);
  head.set(tinyTokenId("preventive"), DIM_WARNING, HEAD_GAIN);
  head.set(tinyTokenId("_action"), DIM_ACTION, HEAD_GAIN);
  head.set(tinyVocabulary().imEnd, DIM_END, HEAD_GAIN);

  const values = new Matrix(E, KV_DIM);
  values.set(0, DIM_FAILURE, V_FAILURE);
  values.set(1, DIM_WARNING, V_WARNING);
  const attnOutput = new Matrix(E, E);
  attnOutput.set(DIM_FAILURE, 0, O_GAIN);
  attnOutput.set(DIM_WARNING, 1, O_GAIN);

  const special: Record<string, Float32Array> = {
    "token_embd.weight": embeddings.data,
    "output.weight": head.data,
    "blk.0.attn_v.weight": values.data,
    "blk.0.attn_output.weight": attnOutput.data,
  };
  return tensorShapes(vocabSize).map(({ name, dims, norm }) => {
    const size = dims.reduce((a, b) => a * b, 1);
    const data = special[name] ?? new Float32Array(size);
    if (norm) data.fill(1);
    return { name, dims, data };
  });
}

/** The model as a GGUF file description (pure; `writeTinyModel` writes it). */
export function buildTinyModel(options: TinyModelOptions = {}): GgufFile {
  const weights = options.weights ?? "random";
  const contextLength = options.contextLength ?? TINY_MODEL_DEFAULT_CONTEXT_LENGTH;
  const vocab = tinyVocabulary();
  const { embedding, heads, kvHeads, layers, feedForward } = TINY_MODEL_DIMS;
  const metadata: GgufMetadata = {
    "general.architecture": ggufString("qwen2"),
    "general.name": ggufString(`sentinel-tiny-qwen2-${weights}`),
    "general.file_type": ggufUint32(0), // all F32
    "general.alignment": ggufUint32(32),
    "qwen2.context_length": ggufUint32(contextLength),
    "qwen2.embedding_length": ggufUint32(embedding),
    "qwen2.block_count": ggufUint32(layers),
    "qwen2.feed_forward_length": ggufUint32(feedForward),
    "qwen2.attention.head_count": ggufUint32(heads),
    "qwen2.attention.head_count_kv": ggufUint32(kvHeads),
    "qwen2.rope.freq_base": ggufFloat32(1_000_000),
    "qwen2.attention.layer_norm_rms_epsilon": ggufFloat32(1e-6),
    "tokenizer.ggml.model": ggufString("gpt2"),
    "tokenizer.ggml.pre": ggufString("qwen2"),
    "tokenizer.ggml.tokens": ggufStrings(vocab.tokens),
    "tokenizer.ggml.token_type": ggufInt32s(vocab.tokenTypes),
    "tokenizer.ggml.merges": ggufStrings(vocab.merges),
    "tokenizer.ggml.eos_token_id": ggufUint32(vocab.imEnd),
    "tokenizer.ggml.padding_token_id": ggufUint32(vocab.endOfText),
    "tokenizer.ggml.bos_token_id": ggufUint32(vocab.endOfText),
    "tokenizer.ggml.add_bos_token": ggufBool(false),
    "tokenizer.chat_template": ggufString(QWEN2_CHAT_TEMPLATE),
  };
  const tensors =
    weights === "keyword"
      ? keywordWeights(vocab.tokens.length)
      : randomWeights(vocab.tokens.length, options.seed ?? 1);
  return { metadata, tensors };
}

/**
 * Writes the tiny Qwen2 model to `path`.
 *
 * @example
 * await writeTinyModel(join(dir, "keyword.gguf"), { weights: "keyword" });
 */
export async function writeTinyModel(path: string, options: TinyModelOptions = {}): Promise<void> {
  await writeGguf(path, buildTinyModel(options));
}
