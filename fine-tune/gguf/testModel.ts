import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TinyLoraLabel, writeTinyLora } from "./tinyLora.js";
import { writeTinyModel } from "./tinyModel.js";

/**
 * For tests elsewhere: the tiny Qwen2 GGUF model (see tinyModel.ts), written once per process into
 * a temporary directory that is removed when the process exits.
 *
 * @example
 * const llama = await getLlama({ gpu: false, build: "never" });
 * const model = await llama.loadModel({ modelPath: await tinyModelPath("keyword") });
 * const context = await model.createContext({ contextSize: 4096, sequences: 2, threads: 1 });
 *
 * And the tiny LoRA adapter (see tinyLora.ts) for the keyword model, which makes every message
 * classify as its target label:
 * const adapted = await model.createContext({
 *   contextSize: 4096, sequences: 1, threads: 1,
 *   lora: { adapters: [{ filePath: await tinyLoraPath("incident") }] },
 * });
 */

const written = new Map<string, Promise<string>>();
let directory: string | undefined;

function modelDirectory(): string {
  if (directory === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "sentinel-tiny-model-"));
    directory = dir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return directory;
}

/** Writes `file` once per process (a failed write is not cached: the next call tries again). */
function once(file: string, write: (path: string) => Promise<void>): Promise<string> {
  let path = written.get(file);
  if (path === undefined) {
    const target = join(modelDirectory(), file);
    path = write(target).then(() => target);
    written.set(file, path);
    path.catch(() => written.delete(file));
  }
  return path;
}

/** Path of the tiny model with `kind` weights ("random": seed 1), generated on first use. */
export async function tinyModelPath(kind: "random" | "keyword"): Promise<string> {
  return once(`tiny-${kind}.gguf`, (path) => writeTinyModel(path, { weights: kind }));
}

/**
 * Path of the tiny LoRA adapter (default rank and alpha) that makes the keyword model answer
 * `target` (default "incident") for every message, generated on first use.
 */
export async function tinyLoraPath(target: TinyLoraLabel = "incident"): Promise<string> {
  return once(`tiny-lora-${target}.gguf`, (path) => writeTinyLora(path, { targetLabel: target }));
}
