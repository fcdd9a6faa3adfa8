import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { ConfigError, type LoadConfigOptions, loadConfig } from "../core/config/load.js";
import type { Config } from "../core/config/schema.js";
import { createLogger, type Logger } from "../core/logging/logger.js";
import { startMetricsReporting } from "../core/metrics/reporting.js";
import { createModelFromConfig, type ModelFactory } from "./modelFactory.js";
import { ClassifierService } from "./server.js";

export interface RunOptions extends LoadConfigOptions {
  /** Makes the model factory from the configuration; defaults to createModelFromConfig. */
  modelFactory?: (config: Config) => ModelFactory;
  logger?: Logger;
  /** Ends the process; defaults to process.exit. */
  exit?: (code: number) => void;
}

/**
 * The container's entry: loads the configuration, starts the service (the model loads in the
 * background) and stops it gracefully on SIGTERM or SIGINT: exit 0 once batches in flight have
 * answered and the model is disposed, exit 1 when CLASSIFIER_SHUTDOWN_TIMEOUT_SECONDS cut them
 * short or a second signal arrives.
 *
 * @example
 * const service = await runClassifierService({ modelFactory: () => async () => new BaselineModel() });
 */
export async function runClassifierService(options: RunOptions = {}): Promise<ClassifierService> {
  const config = loadConfig(options);
  const logger =
    options.logger ??
    createLogger({ level: config.SENTINEL_LOG_LEVEL, format: config.SENTINEL_LOG_FORMAT }).child({
      component: "classifier-service",
    });
  const loadModel = (options.modelFactory ?? createModelFromConfig)(config);
  const service = new ClassifierService({ config, loadModel, logger, processMetrics: true });
  // The service serves /metrics itself; with remote write configured it also pushes them.
  const reporting = await startMetricsReporting({
    config,
    logger,
    job: "classifier-service",
    registry: service.metrics.registry,
  });
  const exit = options.exit ?? ((code: number) => process.exit(code));

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal during shutdown: exiting now");
      exit(1);
      return;
    }
    stopping = true;
    // A backstop in case disposing the model hangs past the drain timeout.
    const backstopMs = config.CLASSIFIER_SHUTDOWN_TIMEOUT_SECONDS * 1000 + 5_000;
    setTimeout(() => {
      logger.error("shutdown did not finish in time: exiting");
      exit(1);
    }, backstopMs).unref();
    service
      .shutdown(signal)
      .then(async (outcome) => {
        await reporting.stop();
        return outcome;
      })
      .then(
        ({ drained }) => exit(drained ? 0 : 1),
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          exit(1);
        },
      );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  try {
    await service.start();
  } catch (error) {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    throw error;
  }
  return service;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

const USAGE = `usage: node dist/classifier-service.js

The classifier service: POST /v1/classify over HTTP on CLASSIFIER_HOST:CLASSIFIER_PORT, with
/healthz (liveness), /readyz (the model is loaded) and /metrics. It takes no arguments: every
setting is an environment variable (CLASSIFIER_*, SENTINEL_MODEL and the other SENTINEL_*
variables, see .env.example); \`sentinel config\` validates them.
`;

if (isEntryPoint()) {
  const args = process.argv.slice(2);
  if (args.length > 0) {
    const help = args.every((arg) => arg === "--help" || arg === "-h");
    (help ? process.stdout : process.stderr).write(USAGE);
    process.exit(help ? 0 : 2);
  }
  try {
    await runClassifierService();
  } catch (error) {
    const message =
      error instanceof ConfigError || (error as NodeJS.ErrnoException).code === "EADDRINUSE"
        ? (error as Error).message
        : ((error as Error).stack ?? String(error));
    process.stderr.write(`sentinel-classifier: ${message}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  }
}
