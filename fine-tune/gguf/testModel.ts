import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTinyModel } from "./tinyModel.js";

/**
 * For tests elsewhere: the tiny Qwen2 GGUF model (see tinyModel.ts), written once per process into
 * a temporary directory that is removed when the process exits.
 *
 * @example
 * const llama = await getLlama({ gpu: false, build: "never" });
 * const model = await llama.loadModel({ modelPath: await tinyModelPath("keyword") });
 * const context = await model.createContext({ contextSize: 4096, sequences: 2, threads: 1 });
 */

const written = new Map<"random" | "keyword", Promise<string>>();
let directory: string | undefined;

function modelDirectory(): string {
  if (directory === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "sentinel-tiny-model-"));
    directory = dir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return directory;
}

/** Path of the tiny model with `kind` weights ("random": seed 1), generated on first use. */
export async function tinyModelPath(kind: "random" | "keyword"): Promise<string> {
  let path = written.get(kind);
  if (path === undefined) {
    const file = join(modelDirectory(), `tiny-${kind}.gguf`);
    path = writeTinyModel(file, { weights: kind }).then(() => file);
    written.set(kind, path);
    // A failed write is not cached: the next call tries again.
    path.catch(() => written.delete(kind));
  }
  return path;
}
