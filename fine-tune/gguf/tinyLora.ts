import {
  type GgufFile,
  type GgufMetadata,
  ggufFloat32,
  ggufString,
  ggufUint32,
  writeGguf,
} from "./ggufWriter.js";
import { KEYWORD_MODEL_DIRECTIONS, TINY_MODEL_DIMS } from "./tinyModel.js";
import { type LABELS, tinyTokenId, tinyVocabulary } from "./tinyVocabulary.js";

/**
 * A tiny LoRA adapter GGUF for the tiny Qwen2 model (tinyModel.ts), in the layout llama.cpp's
 * `convert_lora_to_gguf.py` writes and `llama_adapter_lora_init` reads, so "load a LoRA adapter on
 * top of a base model" runs for real in tests (node-llama-cpp: `createContext({ lora: ... })`).
 *
 * File layout (checked against llama.cpp's src/llama-adapter.cpp and the node-llama-cpp 3.22.1
 * binary):
 * - metadata: `general.architecture` = "qwen2" (must equal the base model's), `general.type` =
 *   "adapter", `adapter.type` = "lora", `adapter.lora.alpha` (float32);
 * - one tensor pair per adapted base weight, named after it: `output.weight.lora_a` and
 *   `output.weight.lora_b`, F32. For a base weight of ggml dims `[n_in, n_out]` (here
 *   `output.weight`: `[64, n_vocab]`) lora_a has dims `[n_in, rank]` and lora_b `[rank, n_out]`;
 *   llama.cpp adds `scale · B(A x)` to `W x`, with `scale = adapterScale · alpha / rank` (or just
 *   `adapterScale` when alpha is 0), adapterScale being the per-context scale (node-llama-cpp's
 *   `scale`, default 1).
 *
 * What it does on top of the KEYWORD model: only `output.weight` (the LM head) is adapted. At the
 * last prompt position the keyword model's normalised residual x lies in three non-negative
 * directions (normal / FAILURE / WARNING, |x| ≈ 8) that the head reads with gain g = 2.5. The
 * adapter adds `2g · (x_normal + x_incident + x_preventive)` to the logit of `targetLabel`'s first
 * token. That beats whichever label the base would choose by at least `g · max component`
 * ≥ 11 logits, so with the adapter at scale 1 EVERY message is classified `targetLabel`:
 * keyword-free messages, `FAILURE` and `WARNING` messages alike. At adapter scale s the added gain
 * is `2g · s`; for a keyword-free message the switch point is s = 0.5 (at s = 0.25 it stays
 * `normal`). After a label token the residual points elsewhere (the continuation directions), so
 * the adapter leaves the rest of the answer alone: greedy decoding still writes the whole label and
 * `<|im_end|>`.
 *
 * On the RANDOM model the same adapter is loadable (same tensor names and shapes) but its effect is
 * meaningless.
 */

export type TinyLoraLabel = (typeof LABELS)[number];

export interface TinyLoraOptions {
  /** The label every message is classified as with the adapter on. Defaults to "incident". */
  targetLabel?: TinyLoraLabel;
  /** LoRA rank r (1 to 64). Defaults to 4. The adapter's effect does not depend on it. */
  rank?: number;
  /**
   * `adapter.lora.alpha` (≥ 0; llama.cpp scales by alpha / rank, or by 1 when alpha is 0).
   * Defaults to 8. The adapter's effect does not depend on it: B is divided accordingly.
   */
  alpha?: number;
}

export const TINY_LORA_DEFAULTS = { targetLabel: "incident", rank: 4, alpha: 8 } as const;

/** The adapted base tensor. */
export const TINY_LORA_BASE_TENSOR = "output.weight";

/** Added logit per unit of the summed label directions: twice the base head gain. */
const LORA_GAIN = 2 * KEYWORD_MODEL_DIRECTIONS.headGain;

/** The first token of each label, as the keyword model's head reads it. */
const FIRST_TOKEN: Record<TinyLoraLabel, string> = {
  incident: "incident",
  preventive_action: "preventive",
  normal: "normal",
};

function checkOptions(options: TinyLoraOptions): Required<TinyLoraOptions> {
  const { targetLabel, rank, alpha } = { ...TINY_LORA_DEFAULTS, ...options };
  if (!(targetLabel in FIRST_TOKEN)) {
    throw new RangeError(`targetLabel must be one of ${Object.keys(FIRST_TOKEN).join(", ")}`);
  }
  if (!Number.isInteger(rank) || rank < 1 || rank > 64) {
    throw new RangeError(`rank must be an integer from 1 to 64, got ${rank}`);
  }
  if (!Number.isFinite(alpha) || alpha < 0) {
    throw new RangeError(`alpha must be a finite number ≥ 0, got ${alpha}`);
  }
  return { targetLabel, rank, alpha };
}

/** The adapter as a GGUF file description (pure; `writeTinyLora` writes it). */
export function buildTinyLora(options: TinyLoraOptions = {}): GgufFile {
  const { targetLabel, rank, alpha } = checkOptions(options);
  const inputs = TINY_MODEL_DIMS.embedding;
  const outputs = tinyVocabulary().tokens.length;

  // lora_a, dims [inputs, rank]: every one of its rank rows sums the three label directions.
  const a = new Float32Array(inputs * rank);
  for (let row = 0; row < rank; row++) {
    for (const label of Object.keys(FIRST_TOKEN) as TinyLoraLabel[]) {
      a[row * inputs + KEYWORD_MODEL_DIRECTIONS[label]] = 1;
    }
  }
  // lora_b, dims [rank, outputs]: the target token's row spreads LORA_GAIN over the rank columns,
  // undoing llama.cpp's alpha / rank scale, so scale · B · A adds LORA_GAIN · (sum) to its logit.
  const scale = alpha === 0 ? 1 : alpha / rank;
  const b = new Float32Array(rank * outputs);
  const target = tinyTokenId(FIRST_TOKEN[targetLabel]);
  for (let column = 0; column < rank; column++)
    b[target * rank + column] = LORA_GAIN / rank / scale;

  const metadata: GgufMetadata = {
    "general.architecture": ggufString("qwen2"),
    "general.type": ggufString("adapter"),
    "general.name": ggufString(`sentinel-tiny-qwen2-lora-${targetLabel}`),
    "general.file_type": ggufUint32(0), // all F32
    "adapter.type": ggufString("lora"),
    "adapter.lora.alpha": ggufFloat32(alpha),
  };
  return {
    metadata,
    tensors: [
      { name: `${TINY_LORA_BASE_TENSOR}.lora_a`, dims: [inputs, rank], data: a },
      { name: `${TINY_LORA_BASE_TENSOR}.lora_b`, dims: [rank, outputs], data: b },
    ],
  };
}

/**
 * Writes the tiny LoRA adapter to `path`.
 *
 * @example
 * await writeTinyLora(join(dir, "lora-incident.gguf"), { targetLabel: "incident" });
 * const context = await model.createContext({ threads: 1, lora: { adapters: [{ filePath }] } });
 */
export async function writeTinyLora(path: string, options: TinyLoraOptions = {}): Promise<void> {
  await writeGguf(path, buildTinyLora(options));
}
