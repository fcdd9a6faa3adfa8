import * as z from "zod";
import { type CrossFieldRule, httpUrl, nonNegativeInt, positiveInt } from "../config/fields.js";
import type { Config } from "../config/schema.js";

/** Metrics' variables (core/metrics): remote write, the /metrics endpoint, and Grafana. */
export const metricsVariables = {
  /** Base URL of VictoriaMetrics; metrics are pushed to <url>/api/v1/write. Unset: no push. */
  VICTORIA_METRICS_URL: httpUrl.optional(),
  /** Full remote-write URL for another receiver (Prometheus, a managed service); wins over the above. */
  SENTINEL_METRICS_REMOTE_WRITE_URL: httpUrl.optional(),
  SENTINEL_METRICS_REMOTE_WRITE_USERNAME: z.string().min(1).optional(),
  SENTINEL_METRICS_REMOTE_WRITE_PASSWORD: z.string().min(1).optional(),
  SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN: z.string().min(1).optional(),
  SENTINEL_METRICS_PUSH_INTERVAL_SECONDS: positiveInt(3600).default(15),
  /** Samples kept while the metrics store is unreachable; the oldest are dropped beyond it. */
  SENTINEL_METRICS_BUFFER_SAMPLES: positiveInt(100_000_000).default(100_000),
  /** Port of the /metrics scrape endpoint of long-running processes; unset: none; 0: a free port. */
  SENTINEL_METRICS_PORT: nonNegativeInt(65_535).optional(),
  SENTINEL_METRICS_HOST: z.string().min(1).default("0.0.0.0"),
  GRAFANA_URL: httpUrl.optional(),
  /**
   * When set, the classifier worker writes its consumer lag to stdout every 60 s as a CloudWatch
   * Embedded Metric Format line in this namespace (metric ConsumerLag), for ECS autoscaling.
   */
  SENTINEL_CLOUDWATCH_METRICS_NAMESPACE: z
    .string()
    .regex(/^(?!AWS\/)[A-Za-z0-9._#:/-]{1,255}$/, {
      error:
        "expected a CloudWatch namespace: up to 255 letters, digits and . _ - / # :, not starting with AWS/",
    })
    .optional(),
};

export type RemoteWriteConfig = Pick<
  Config,
  | "VICTORIA_METRICS_URL"
  | "SENTINEL_METRICS_REMOTE_WRITE_URL"
  | "SENTINEL_METRICS_REMOTE_WRITE_USERNAME"
  | "SENTINEL_METRICS_REMOTE_WRITE_PASSWORD"
  | "SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN"
>;

/**
 * The URL metrics are pushed to and the variable it comes from: SENTINEL_METRICS_REMOTE_WRITE_URL,
 * else <VICTORIA_METRICS_URL>/api/v1/write; undefined when neither is set.
 */
export function remoteWriteUrl(
  config: Pick<Config, "VICTORIA_METRICS_URL" | "SENTINEL_METRICS_REMOTE_WRITE_URL">,
):
  | { url: string; variable: "SENTINEL_METRICS_REMOTE_WRITE_URL" | "VICTORIA_METRICS_URL" }
  | undefined {
  if (config.SENTINEL_METRICS_REMOTE_WRITE_URL !== undefined)
    return {
      url: config.SENTINEL_METRICS_REMOTE_WRITE_URL,
      variable: "SENTINEL_METRICS_REMOTE_WRITE_URL",
    };
  if (config.VICTORIA_METRICS_URL !== undefined)
    return {
      url: `${config.VICTORIA_METRICS_URL.replace(/\/+$/, "")}/api/v1/write`,
      variable: "VICTORIA_METRICS_URL",
    };
  return undefined;
}

export const metricsRules: readonly CrossFieldRule<RemoteWriteConfig>[] = [
  {
    name: "metrics-basic-auth",
    check: (config) => {
      const username = config.SENTINEL_METRICS_REMOTE_WRITE_USERNAME;
      const password = config.SENTINEL_METRICS_REMOTE_WRITE_PASSWORD;
      if (username !== undefined && password === undefined)
        return [
          {
            variable: "SENTINEL_METRICS_REMOTE_WRITE_PASSWORD",
            message: "required when SENTINEL_METRICS_REMOTE_WRITE_USERNAME is set",
          },
        ];
      if (password !== undefined && username === undefined)
        return [
          {
            variable: "SENTINEL_METRICS_REMOTE_WRITE_USERNAME",
            message: "required when SENTINEL_METRICS_REMOTE_WRITE_PASSWORD is set",
          },
        ];
      return [];
    },
  },
  {
    name: "metrics-one-auth",
    check: (config) =>
      config.SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN !== undefined &&
      config.SENTINEL_METRICS_REMOTE_WRITE_USERNAME !== undefined
        ? [
            {
              variable: "SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN",
              message:
                "set either it or SENTINEL_METRICS_REMOTE_WRITE_USERNAME/_PASSWORD, not both",
            },
          ]
        : [],
  },
  {
    // fetch refuses URLs with credentials, and they would end up in logs: they have their own
    // variables. Only the URL pushed to counts (SENTINEL_METRICS_REMOTE_WRITE_URL wins).
    name: "metrics-url-credentials",
    check: (config) => {
      const target = remoteWriteUrl(config);
      return target !== undefined && /^https?:\/\/[^/]*@/.test(target.url)
        ? [
            {
              variable: target.variable,
              message:
                "must not contain credentials; use SENTINEL_METRICS_REMOTE_WRITE_USERNAME and _PASSWORD",
            },
          ]
        : [];
    },
  },
];
