import type { Config } from "../config/schema.js";
import { type RemoteWriteConfig, remoteWriteUrl } from "./config.js";
import type { RemoteWriteAuth } from "./remoteWrite/client.js";

/** The configuration metrics reporting reads. */
export type MetricsConfig = RemoteWriteConfig &
  Pick<
    Config,
    | "SENTINEL_METRICS_PUSH_INTERVAL_SECONDS"
    | "SENTINEL_METRICS_BUFFER_SAMPLES"
    | "SENTINEL_METRICS_HOST"
    | "ANOMALY_THRESHOLD"
  >;

export interface RemoteWriteSettings {
  url: string;
  auth?: RemoteWriteAuth;
}

/**
 * Where to push, or undefined when neither VICTORIA_METRICS_URL nor
 * SENTINEL_METRICS_REMOTE_WRITE_URL is set. Credentials that do not go together, and a URL with
 * credentials in it, never get here: the configuration refuses them (metricsRules, ./config.ts).
 */
export function remoteWriteSettings(config: MetricsConfig): RemoteWriteSettings | undefined {
  const target = remoteWriteUrl(config);
  if (target === undefined) return undefined;
  const { url } = target;
  const username = config.SENTINEL_METRICS_REMOTE_WRITE_USERNAME;
  const password = config.SENTINEL_METRICS_REMOTE_WRITE_PASSWORD;
  const bearerToken = config.SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN;
  if (bearerToken !== undefined) return { url, auth: { bearerToken } };
  if (username !== undefined && password !== undefined)
    return { url, auth: { username, password } };
  return { url };
}
