import { loadConfig } from "../../core/config/load.js";
import type { Config } from "../../core/config/schema.js";
import { createLogger, type Logger } from "../../core/logging/logger.js";
import { type MetricsReporting, startMetricsReporting } from "../../core/metrics/reporting.js";
import { resolveSecrets } from "../../core/secrets/resolveSecrets.js";

export interface LambdaEnvironment {
  config: Config;
  logger: Logger;
  /** Remote write of this function's metrics, pushed at the end of each invocation. */
  metrics: Promise<MetricsReporting | undefined>;
}

const environments = new Map<string, Promise<LambdaEnvironment>>();

/**
 * Configuration (validated once, errors naming the variable, with the secrets it names read from
 * Secrets Manager), a JSON logger and metrics reporting for a Lambda handler, kept for the
 * execution environment's lifetime. A secret that could not be read is tried again on the next
 * invocation.
 */
export function lambdaEnvironment(component: string): Promise<LambdaEnvironment> {
  let environment = environments.get(component);
  if (!environment) {
    environment = buildEnvironment(component).catch((error: unknown) => {
      environments.delete(component);
      throw error;
    });
    environments.set(component, environment);
  }
  return environment;
}

async function buildEnvironment(component: string): Promise<LambdaEnvironment> {
  const loaded = loadConfig();
  const logger = createLogger({ level: loaded.SENTINEL_LOG_LEVEL, format: "json" }).child({
    component,
  });
  const config = await resolveSecrets(loaded).catch((error: Error) => {
    logger.error({ error: error.message }, "configuration secrets could not be read");
    throw error;
  });
  const metrics = startMetricsReporting({ config, logger, job: component }).catch(
    (error: Error) => {
      logger.error({ error: error.message }, "metrics are not reported");
      return undefined;
    },
  );
  return { config, logger, metrics };
}

/**
 * Runs one invocation, then pushes the metrics it recorded (when remote write is configured)
 * before the function freezes; a metrics store that is down costs at most two seconds.
 */
export async function withMetrics<T>(component: string, invoke: () => Promise<T>): Promise<T> {
  try {
    return await invoke();
  } finally {
    // Only one that was built: one that failed is not built again here (invoke() threw its error).
    const environment = await environments.get(component)?.catch(() => undefined);
    const reporting = await environment?.metrics;
    await reporting?.flush({ timeoutMs: 2_000 });
  }
}

/**
 * A Lambda entry point whose dependencies (clients, producer, state store) are built on the first
 * invocation and kept for the execution environment; a failed build is retried on the next one.
 * Each invocation pushes its metrics before returning.
 */
export function lazyHandler<R>(
  component: string,
  build: () => Promise<(event: unknown) => Promise<R>>,
): (event: unknown) => Promise<R> {
  let built: Promise<(event: unknown) => Promise<R>> | undefined;
  return (event) =>
    withMetrics(component, async () => {
      built ??= build().catch((error: unknown) => {
        built = undefined;
        throw error;
      });
      return (await built)(event);
    });
}
