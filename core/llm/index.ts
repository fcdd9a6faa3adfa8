import { availableParallelism } from "node:os";
import { LlmModel } from "./llmModel.js";
import {
  DEFAULT_MODEL,
  findLocalModel,
  isRemoteModel,
  ModelUnavailableError,
  modelCacheDir,
  pullModel,
} from "./modelSource.js";

export * from "./errors.js";
export * from "./ggufHeader.js";
export * from "./llmModel.js";
export * from "./modelManifest.js";
export * from "./modelSource.js";

export interface LoadLlmOptions {
  /** A local GGUF path or a remote reference; defaults to our fine-tuned model. */
  model?: string;
  /** Cache directory for pulled models. */
  modelDir?: string;
  lora?: string;
  gpu?: "auto" | "off";
  threads?: number;
  parallelSequences?: number;
  maxMessageTokens?: number;
  reusePrefix?: boolean;
  /** Pull a remote model that is not cached yet (the service does; the CLI asks you to). */
  download?: boolean;
  /** How long loading may take once the file is there (SENTINEL_MODEL_LOAD_TIMEOUT_SECONDS). */
  loadTimeoutSeconds?: number;
}

/**
 * Finds (and, when allowed, downloads) the model, then loads it for classification.
 * Throws ModelUnavailableError when there is no model to load, with what to do about it, and
 * ModelLoadError when the file is there but broken (not a whole GGUF, refused by llama.cpp, or
 * slower to load than `loadTimeoutSeconds`).
 */
export async function loadLlmModel(options: LoadLlmOptions = {}): Promise<LlmModel> {
  const reference = options.model ?? DEFAULT_MODEL;
  const directory = options.modelDir ?? modelCacheDir();
  let path = await findLocalModel(reference, directory);
  if (!path && isRemoteModel(reference)) {
    if (!options.download) {
      throw new ModelUnavailableError(
        `model ${reference} has not been pulled yet: run \`sentinel model pull${options.model ? ` ${reference}` : ""}\` or pass --model /path/to/model.gguf`,
      );
    }
    path = await pullModel(reference, directory);
  }
  if (!path) throw new ModelUnavailableError(`model file ${reference} does not exist`);
  if (options.lora !== undefined && !(await findLocalModel(options.lora, directory))) {
    throw new ModelUnavailableError(`LoRA adapter ${options.lora} does not exist`);
  }
  return LlmModel.load({
    modelPath: path,
    ...(options.lora && { loraPath: options.lora }),
    gpu: options.gpu ?? "auto",
    threads: options.threads ?? availableParallelism(),
    parallelSequences: options.parallelSequences ?? 4,
    maxMessageTokens: options.maxMessageTokens ?? 256,
    ...(options.reusePrefix !== undefined && { reusePrefix: options.reusePrefix }),
    ...(options.loadTimeoutSeconds !== undefined && {
      loadTimeoutMs: options.loadTimeoutSeconds * 1000,
    }),
  });
}
