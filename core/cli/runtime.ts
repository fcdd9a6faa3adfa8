import { BaselineModel } from "../classifier/baselineModel.js";
import { CachingClassifier } from "../classifier/cachingClassifier.js";
import { ClassificationCache } from "../classifier/classificationCache.js";
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { createLogger, type Logger } from "../logging/logger.js";

export interface Runtime {
  config: Config;
  logger: Logger;
}

/** Configuration and logging, validated once at the start of every command. */
export function startRuntime(): Runtime {
  const config = loadConfig();
  const logger = createLogger({
    level: config.SENTINEL_LOG_LEVEL,
    format: config.SENTINEL_LOG_FORMAT,
  });
  return { config, logger };
}

/**
 * The classifier for the embedded CLI. Until the LLM classifier lands, the rule-based baseline
 * fills in, and says so loudly: its labels are not the model's.
 */
export function createClassifier(runtime: Runtime): CachingClassifier {
  const cache = new ClassificationCache({
    maxEntries: runtime.config.SENTINEL_CACHE_SIZE,
    ttlMs: runtime.config.SENTINEL_CACHE_TTL_SECONDS * 1000,
  });
  runtime.logger.warn(
    "classifying with the baseline rule model, not the LLM: labels come from log levels and wording",
  );
  return new CachingClassifier(new BaselineModel(), cache);
}
