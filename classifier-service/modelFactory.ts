import type { LabelModel } from "../core/classifier/types.js";
import type { Config } from "../core/config/schema.js";
import type { LoadLlmOptions } from "../core/llm/index.js";

/** Loads the model the service classifies with; the service calls it once, after it listens. */
export type ModelFactory = () => Promise<LabelModel>;

/** The configuration the factory reads: the shared model variables. */
export type ModelConfig = Pick<
  Config,
  | "SENTINEL_MODEL"
  | "SENTINEL_MODEL_DIR"
  | "SENTINEL_LORA"
  | "SENTINEL_GPU"
  | "SENTINEL_THREADS"
  | "SENTINEL_PARALLEL_SEQUENCES"
  | "SENTINEL_MAX_MESSAGE_TOKENS"
  | "SENTINEL_MODEL_LOAD_TIMEOUT_SECONDS"
>;

/** Loads the LLM with the given options: core/llm's `loadLlmModel` unless a test passes its own. */
export type LlmLoader = (options: LoadLlmOptions) => Promise<LabelModel>;

/**
 * core/llm is imported when the model is first loaded, not when this module is: whoever imports
 * the service without running the model (tests, the CLI) never pays for it. node-llama-cpp itself
 * is only imported by core/llm when a model is actually loaded. In the bundle
 * (dist/classifier-service.js, see scripts/bundle.mjs) core/llm is inlined and node-llama-cpp
 * stays external.
 */
const loadFromCore: LlmLoader = async (options) => {
  const { loadLlmModel } = await import("../core/llm/index.js");
  return loadLlmModel(options);
};

/**
 * The production model factory: the LLM named by SENTINEL_MODEL (a GGUF path, say on a mounted
 * volume, or a Hugging Face reference pulled into SENTINEL_MODEL_DIR at start), run by core/llm.
 * There is no fallback: without a model the factory fails and the service stays unready, saying
 * why.
 *
 * @example
 * const service = new ClassifierService({ config, loadModel: createModelFromConfig(config), logger });
 */
export function createModelFromConfig(
  config: ModelConfig,
  load: LlmLoader = loadFromCore,
): ModelFactory {
  return async () => {
    if (config.SENTINEL_MODEL === undefined) {
      throw new Error("SENTINEL_MODEL is not set: the classifier service needs a model");
    }
    const options: LoadLlmOptions = {
      model: config.SENTINEL_MODEL,
      gpu: config.SENTINEL_GPU,
      parallelSequences: config.SENTINEL_PARALLEL_SEQUENCES,
      maxMessageTokens: config.SENTINEL_MAX_MESSAGE_TOKENS,
      loadTimeoutSeconds: config.SENTINEL_MODEL_LOAD_TIMEOUT_SECONDS,
      download: true,
    };
    if (config.SENTINEL_MODEL_DIR !== undefined) options.modelDir = config.SENTINEL_MODEL_DIR;
    if (config.SENTINEL_LORA !== undefined) options.lora = config.SENTINEL_LORA;
    if (config.SENTINEL_THREADS !== undefined) options.threads = config.SENTINEL_THREADS;
    return load(options);
  };
}
