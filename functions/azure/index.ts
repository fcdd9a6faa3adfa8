// The Azure Functions app (Node.js v4 programming model): its entry point registers the functions.
// The settings are validated here, once, when the host loads the app: with a problem, only the
// health function is registered, and `GET /api/health` names the variables (the host's log has
// them too); the timer runs only on valid settings.
import { app } from "@azure/functions";
import { BlobCheckpointStore } from "../../core/azure/blobCheckpointStore.js";
import {
  azureCredential,
  azurePollerSettings,
  checkpointContainer,
} from "../../core/azure/fromConfig.js";
import { type AzureCheckpoint, azureCheckpointKey } from "../../core/azure/poller.js";
import type { ConfigProblem } from "../../core/config/fields.js";
import { ConfigError, loadConfig } from "../../core/config/load.js";
import type { Config } from "../../core/config/schema.js";
import { createLogger } from "../../core/logging/logger.js";
import { startMetricsReporting } from "../../core/metrics/reporting.js";
import { health } from "./health.js";
import { pollLogAnalytics, sharedPoller } from "./pollLogAnalytics.js";

/** Under host.json's functionTimeout (10 minutes), with room for the last window and its checkpoint. */
const RUN_BUDGET_MS = 6 * 60_000;

type AppSettings =
  | { config: Config; lastWindowEnd: () => Promise<string | undefined> }
  | { problems: ConfigProblem[] };

/** The app's settings, all it needs checked (workspace, checkpoint storage), or their problems. */
function appSettings(): AppSettings {
  try {
    const config = loadConfig();
    const { workspaceId, query } = azurePollerSettings(config);
    const checkpoints = new BlobCheckpointStore<AzureCheckpoint>(
      checkpointContainer(config, azureCredential(config)),
    );
    const key = azureCheckpointKey(workspaceId, query);
    return {
      config,
      lastWindowEnd: async () => (await checkpoints.load(key))?.value.windowEnd,
    };
  } catch (error) {
    if (error instanceof ConfigError) return { problems: error.problems };
    throw error;
  }
}

const settings = appSettings();
const logger = createLogger({
  level: "config" in settings ? settings.config.SENTINEL_LOG_LEVEL : "info",
  format: "json",
});

app.http("health", {
  methods: ["GET"],
  authLevel: "anonymous",
  route: "health",
  handler: (_request, context) =>
    health(
      context,
      "config" in settings
        ? { problems: [], lastWindowEnd: settings.lastWindowEnd }
        : { problems: settings.problems },
    ),
});

if ("config" in settings) {
  const { config } = settings;
  // The Functions host is a long-lived process: metrics are pushed on an interval.
  startMetricsReporting({ config, logger, job: "azure-log-analytics-poller" }).catch(
    (error: Error) => logger.error({ error: error.message }, "metrics are not reported"),
  );
  app.timer("pollLogAnalytics", {
    schedule: config.AZURE_POLL_SCHEDULE,
    handler: (timer, context) =>
      pollLogAnalytics(timer, context, {
        poller: () => sharedPoller(config, logger),
        budgetMs: RUN_BUDGET_MS,
      }),
  });
} else {
  logger.error(
    { problems: settings.problems },
    "invalid settings: pollLogAnalytics is not registered; GET /api/health lists the problems",
  );
}
