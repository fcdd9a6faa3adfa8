import { ConfigError } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { Logger } from "../logging/logger.js";
import type { LokiForwarderSettings } from "./forwarder.js";
import { LokiClient } from "./queryRange.js";

/**
 * A query_range client for LOKI_URL (or `url`), with the tenant header and basic auth configured
 * (the configuration refuses LOKI_PASSWORD without LOKI_USERNAME: lokiRules, ./config.ts).
 */
export function lokiClient(config: Config, logger?: Logger, url = config.LOKI_URL): LokiClient {
  return new LokiClient({
    url,
    ...(config.LOKI_TENANT_ID && { tenantId: config.LOKI_TENANT_ID }),
    ...(config.LOKI_USERNAME !== undefined && {
      username: config.LOKI_USERNAME,
      password: config.LOKI_PASSWORD ?? "",
    }),
    ...(logger && { logger }),
  });
}

/** The forwarder's settings from LOKI_* variables; `overrides` are the command line's. */
export function lokiForwarderSettings(
  config: Config,
  overrides: Partial<Pick<LokiForwarderSettings, "query" | "ratePerSecond" | "batchSize">> & {
    url?: string;
  } = {},
): LokiForwarderSettings {
  const query = overrides.query ?? config.LOKI_QUERY;
  if (!query)
    throw new ConfigError([
      {
        variable: "LOKI_QUERY",
        message: 'required: the LogQL query to forward, e.g. {app="api"} (or --query)',
      },
    ]);
  const url = overrides.url ?? config.LOKI_URL;
  return {
    query,
    source: `${url}|${config.LOKI_TENANT_ID ?? ""}`,
    pageLimit: config.LOKI_QUERY_LIMIT,
    batchSize: overrides.batchSize ?? config.LOKI_BATCH_SIZE,
    ratePerSecond: overrides.ratePerSecond ?? config.LOKI_RATE_LIMIT,
    lagMs: config.LOKI_QUERY_LAG_SECONDS * 1000,
    pollIntervalMs: config.LOKI_POLL_INTERVAL_SECONDS * 1000,
    maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES,
  };
}
