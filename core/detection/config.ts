import { type CrossFieldRule, fraction, nonNegativeInt, positiveInt } from "../config/fields.js";
import type { Config } from "../config/schema.js";

/** Detection's variables (core/detection): counts per service and label in event-time buckets. */
export const detectionVariables = {
  ANOMALY_THRESHOLD: fraction.default(0.7),
  /** Width of a counting bucket in seconds of event time. */
  ANOMALY_BUCKET_SECONDS: positiveInt(86_400).default(60),
  /** How many buckets before the one judged form its baseline. */
  ANOMALY_BASELINE_BUCKETS: positiveInt(10_000).default(60),
  /** Cold start: no anomaly until a service has this many buckets of baseline... */
  ANOMALY_MIN_BASELINE_BUCKETS: positiveInt(10_000).default(30),
  /** ...holding at least this many of its events (any label). */
  ANOMALY_MIN_BASELINE_EVENTS: positiveInt().default(30),
  /** An anomaly needs at least this many events of its kind in its window. */
  ANOMALY_MIN_EVENTS: positiveInt().default(3),
  /** A bucket is judged once event time has passed its end by this much; later events still count. */
  ANOMALY_ALLOWED_LATENESS_SECONDS: nonNegativeInt(86_400).default(120),
  /** An incident template unseen for this long counts as never seen again. */
  ANOMALY_TEMPLATE_MEMORY_DAYS: positiveInt(3_650).default(30),
};

type BaselineConfig = Pick<Config, "ANOMALY_BASELINE_BUCKETS" | "ANOMALY_MIN_BASELINE_BUCKETS">;

export const detectionRules: readonly CrossFieldRule<BaselineConfig>[] = [
  {
    // A baseline never holds more buckets than ANOMALY_BASELINE_BUCKETS: no service would warm up.
    name: "detection-min-baseline",
    check: (config) =>
      config.ANOMALY_MIN_BASELINE_BUCKETS > config.ANOMALY_BASELINE_BUCKETS
        ? [
            {
              variable: "ANOMALY_MIN_BASELINE_BUCKETS",
              message: `expected at most ANOMALY_BASELINE_BUCKETS (${config.ANOMALY_BASELINE_BUCKETS}), got ${config.ANOMALY_MIN_BASELINE_BUCKETS}`,
            },
          ]
        : [],
  },
];
