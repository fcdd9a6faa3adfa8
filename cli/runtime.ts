import { join } from "node:path";
import type { Command } from "commander";
import { BaselineModel } from "../core/classifier/baselineModel.js";
import { CachingClassifier } from "../core/classifier/cachingClassifier.js";
import { ClassificationCache } from "../core/classifier/classificationCache.js";
import type { LabelModel, SuggestionMode } from "../core/classifier/types.js";
import { loadConfig } from "../core/config/load.js";
import type { Config } from "../core/config/schema.js";
import { stateDir } from "../core/config/stateDir.js";
import {
  loadTemplateKeyerState,
  saveTemplateKeyerState,
  TEMPLATE_KEYS_FILE,
} from "../core/files/templateKeyerState.js";
import { ModelLoadError } from "../core/llm/errors.js";
import { createLogger, type Logger } from "../core/logging/logger.js";
import { type MetricsReporting, startMetricsReporting } from "../core/metrics/reporting.js";
import type { Readiness } from "../core/metrics/scrapeServer.js";
import { parsePositiveInt, parseSuggestions } from "./commands/options.js";

export interface Runtime {
  config: Config;
  logger: Logger;
}

/**
 * Metrics for a long-running command: pushed with remote write when configured, served at
 * /metrics when SENTINEL_METRICS_PORT is set. Stop it after the pipeline has stopped.
 */
export function startProcessMetrics(
  runtime: Runtime,
  job: string,
  readiness?: () => Readiness,
): Promise<MetricsReporting> {
  const { config, logger } = runtime;
  return startMetricsReporting({
    config,
    logger,
    job,
    ...(readiness && { readiness }),
    ...(config.SENTINEL_METRICS_PORT !== undefined && { scrapePort: config.SENTINEL_METRICS_PORT }),
  });
}

/** Configuration and logging, validated once at the start of every command. */
export function startRuntime(): Runtime {
  const warnings: string[] = [];
  const config = loadConfig({ warn: (message) => warnings.push(message) });
  const logger = createLogger({
    level: config.SENTINEL_LOG_LEVEL,
    format: config.SENTINEL_LOG_FORMAT,
  });
  for (const warning of warnings) logger.warn(warning);
  return { config, logger };
}

/** The command-line choices of model; each falls back to its SENTINEL_* variable. */
export interface ModelChoice {
  model?: string;
  lora?: string;
  cpu?: boolean;
  threads?: number;
  parallel?: number;
  suggestions?: SuggestionMode;
  /** Skip the LLM altogether and classify with the rule model. */
  baseline?: boolean;
}

/** Help text a command gives its --model and --baseline options, where its choice differs. */
export interface ModelOptionsHelp {
  model?: string;
  baseline?: string;
}

export function addModelOptions(command: Command, help: ModelOptionsHelp = {}): Command {
  return command
    .option(
      "-m, --model <model>",
      help.model ??
        "GGUF file or Hugging Face reference (default: SENTINEL_MODEL, else our model if pulled)",
    )
    .option("--lora <file>", "LoRA adapter GGUF to apply on top of the model")
    .option("--cpu", "never use a GPU")
    .option("--threads <n>", "CPU threads for the model", parsePositiveInt)
    .option("--parallel <n>", "lines evaluated in parallel", parsePositiveInt)
    .option(
      "--suggestions <mode>",
      "preventive_action suggestions: background, wait or off",
      parseSuggestions,
    )
    .option("--baseline", help.baseline ?? "use the rule-based baseline model, not the LLM");
}

/**
 * Loads the LLM named by the options or configuration. When there is no model to load, the embedded
 * CLI carries on with the rule-based baseline, and says so loudly: its labels are not the model's.
 * A model file that is there but broken (ModelLoadError) stops the command instead, and so does
 * any failure with `fallback: false` (`sentinel eval`: a gate measures the model it was given).
 * Not for `sentinel worker classify`: like the classifier service it never falls back, and loads
 * through the service's model factory (cli/commands/worker.ts).
 */
export async function loadLabelModel(
  runtime: Runtime,
  choice: ModelChoice,
  options: { fallback?: boolean } = {},
): Promise<LabelModel> {
  const { config, logger } = runtime;
  if (choice.baseline) {
    logger.warn(
      "classifying with the baseline rule model (--baseline): labels come from log levels and wording",
    );
    return new BaselineModel();
  }
  const { loadLlmModel } = await import("../core/llm/index.js");
  try {
    const model = await loadLlmModel({
      ...((choice.model ?? config.SENTINEL_MODEL) && {
        model: choice.model ?? config.SENTINEL_MODEL,
      }),
      ...(config.SENTINEL_MODEL_DIR && { modelDir: config.SENTINEL_MODEL_DIR }),
      ...((choice.lora ?? config.SENTINEL_LORA) && { lora: choice.lora ?? config.SENTINEL_LORA }),
      gpu: choice.cpu ? "off" : config.SENTINEL_GPU,
      ...((choice.threads ?? config.SENTINEL_THREADS) && {
        threads: choice.threads ?? config.SENTINEL_THREADS,
      }),
      parallelSequences: choice.parallel ?? config.SENTINEL_PARALLEL_SEQUENCES,
      maxMessageTokens: config.SENTINEL_MAX_MESSAGE_TOKENS,
      loadTimeoutSeconds: config.SENTINEL_MODEL_LOAD_TIMEOUT_SECONDS,
    });
    logger.info({ model: model.name, gpu: model.gpu || "none (CPU)" }, "classifying with the LLM");
    return model;
  } catch (error) {
    // The model asked for is there but broken: carrying on with another would hide it.
    if (error instanceof ModelLoadError || options.fallback === false) throw error;
    logger.warn(
      { reason: (error as Error).message },
      "NO LLM LOADED: falling back to the baseline rule model; labels come from log levels and wording, not the model",
    );
    return new BaselineModel();
  }
}

/** The classifier every embedded command uses: template key, cache, then the model. */
export async function createClassifier(
  runtime: Runtime,
  choice: ModelChoice = {},
): Promise<CachingClassifier> {
  const model = await loadLabelModel(runtime, choice);
  return classifierFor(runtime, model, choice.suggestions ?? runtime.config.SENTINEL_SUGGESTIONS);
}

/**
 * For the long-running embedded commands: the template keys learned by the last run come back
 * from the state directory, so a restart keeps its generalised keys (and the detector state and
 * alert dedup keyed by them) instead of relearning. Returns the save to call on the way out; a
 * save that fails is logged, never thrown, since the keys can always be learned again.
 */
export async function keepTemplateKeys(
  runtime: Runtime,
  classifier: CachingClassifier,
): Promise<() => Promise<void>> {
  const path = join(stateDir(runtime.config), TEMPLATE_KEYS_FILE);
  const { logger } = runtime;
  if (await loadTemplateKeyerState(path, classifier.keyer, { logger }))
    logger.info({ path }, "template keys restored");
  return () =>
    saveTemplateKeyerState(path, classifier.keyer).catch((error: Error) =>
      logger.warn({ path, error: error.message }, "template keys could not be saved"),
    );
}

export function classifierFor(
  runtime: Runtime,
  model: LabelModel,
  suggestions: SuggestionMode,
): CachingClassifier {
  const cache = new ClassificationCache({
    maxEntries: runtime.config.SENTINEL_CACHE_SIZE,
    ttlMs: runtime.config.SENTINEL_CACHE_TTL_SECONDS * 1000,
  });
  return new CachingClassifier(model, cache, { suggestions });
}
