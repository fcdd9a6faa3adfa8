// The Azure Functions app (Node.js v4 programming model): its entry point registers the functions.
// Configuration is validated here, at start, so a bad setting fails the host's load with the
// variable's name rather than every invocation.
import { app } from "@azure/functions";
import { loadConfig } from "../../core/config/load.js";
import { createLogger } from "../../core/logging/logger.js";
import { startMetricsReporting } from "../../core/metrics/reporting.js";
import { pollLogAnalytics, sharedPoller } from "./pollLogAnalytics.js";

const config = loadConfig();
const logger = createLogger({ level: config.SENTINEL_LOG_LEVEL, format: "json" });
// The Functions host is a long-lived process: metrics are pushed on an interval.
startMetricsReporting({ config, logger, job: "azure-log-analytics-poller" }).catch((error: Error) =>
  logger.error({ error: error.message }, "metrics are not reported"),
);

/** Under host.json's functionTimeout (10 minutes), with room for the last window and its checkpoint. */
const RUN_BUDGET_MS = 6 * 60_000;

app.timer("pollLogAnalytics", {
  schedule: config.AZURE_POLL_SCHEDULE,
  handler: (timer, context) =>
    pollLogAnalytics(timer, context, {
      poller: () => sharedPoller(config, logger),
      budgetMs: RUN_BUDGET_MS,
    }),
});
