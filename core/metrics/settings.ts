import { ConfigError } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { RemoteWriteAuth } from "./remoteWrite/client.js";

/** The configuration metrics reporting reads. */
export type MetricsConfig = Pick<
  Config,
  | "VICTORIA_METRICS_URL"
  | "SENTINEL_METRICS_REMOTE_WRITE_URL"
  | "SENTINEL_METRICS_REMOTE_WRITE_USERNAME"
  | "SENTINEL_METRICS_REMOTE_WRITE_PASSWORD"
  | "SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN"
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
 * SENTINEL_METRICS_REMOTE_WRITE_URL is set. Throws a ConfigError naming the variable for
 * credentials that do not go together.
 */
export function remoteWriteSettings(config: MetricsConfig): RemoteWriteSettings | undefined {
  const problems: { variable: string; message: string }[] = [];
  const username = config.SENTINEL_METRICS_REMOTE_WRITE_USERNAME;
  const password = config.SENTINEL_METRICS_REMOTE_WRITE_PASSWORD;
  const bearerToken = config.SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN;
  if (username !== undefined && password === undefined)
    problems.push({
      variable: "SENTINEL_METRICS_REMOTE_WRITE_PASSWORD",
      message: "required when SENTINEL_METRICS_REMOTE_WRITE_USERNAME is set",
    });
  if (password !== undefined && username === undefined)
    problems.push({
      variable: "SENTINEL_METRICS_REMOTE_WRITE_USERNAME",
      message: "required when SENTINEL_METRICS_REMOTE_WRITE_PASSWORD is set",
    });
  if (bearerToken !== undefined && username !== undefined)
    problems.push({
      variable: "SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN",
      message: "set either it or SENTINEL_METRICS_REMOTE_WRITE_USERNAME/_PASSWORD, not both",
    });

  const explicit = config.SENTINEL_METRICS_REMOTE_WRITE_URL;
  const base = config.VICTORIA_METRICS_URL;
  const variable = explicit ? "SENTINEL_METRICS_REMOTE_WRITE_URL" : "VICTORIA_METRICS_URL";
  const url = explicit ?? (base ? `${base.replace(/\/+$/, "")}/api/v1/write` : undefined);
  // fetch refuses URLs with credentials, and they would end up in logs: they have their own variables.
  if (url !== undefined && /^https?:\/\/[^/]*@/.test(url))
    problems.push({
      variable,
      message:
        "must not contain credentials; use SENTINEL_METRICS_REMOTE_WRITE_USERNAME and _PASSWORD",
    });
  if (problems.length > 0) throw new ConfigError(problems);
  if (url === undefined) return undefined;

  if (bearerToken !== undefined) return { url, auth: { bearerToken } };
  if (username !== undefined && password !== undefined)
    return { url, auth: { username, password } };
  return { url };
}
