import { type Config, configSchema } from "../config/schema.js";
import type { DetectorSettings } from "./types.js";

/** Window sizes tried per judged bucket: 1, 2 and 3 buckets, so a spike is seen within 2 buckets. */
const MAX_WINDOW_BUCKETS = 3;
/** Changes up to 10% over the baseline are never anomalous, whatever the counts. */
const MIN_RATIO = 1.1;

type DetectionConfig = Pick<
  Config,
  | "ANOMALY_THRESHOLD"
  | "ANOMALY_BUCKET_SECONDS"
  | "ANOMALY_BASELINE_BUCKETS"
  | "ANOMALY_MIN_BASELINE_BUCKETS"
  | "ANOMALY_MIN_BASELINE_EVENTS"
  | "ANOMALY_MIN_EVENTS"
  | "ANOMALY_ALLOWED_LATENESS_SECONDS"
  | "ANOMALY_TEMPLATE_MEMORY_DAYS"
>;

/**
 * The detector's settings from the configuration. Values that contradict each other never get
 * here: the configuration refuses them (detectionRules, core/detection/config.ts).
 */
export function detectorSettings(config: DetectionConfig): DetectorSettings {
  return {
    bucketMs: config.ANOMALY_BUCKET_SECONDS * 1000,
    baselineBuckets: config.ANOMALY_BASELINE_BUCKETS,
    minBaselineBuckets: config.ANOMALY_MIN_BASELINE_BUCKETS,
    minBaselineEvents: config.ANOMALY_MIN_BASELINE_EVENTS,
    minEvents: config.ANOMALY_MIN_EVENTS,
    allowedLatenessMs: config.ANOMALY_ALLOWED_LATENESS_SECONDS * 1000,
    threshold: config.ANOMALY_THRESHOLD,
    templateMemoryMs: config.ANOMALY_TEMPLATE_MEMORY_DAYS * 86_400_000,
    maxWindowBuckets: MAX_WINDOW_BUCKETS,
    minRatio: MIN_RATIO,
  };
}

/** The defaults (the schema's), for tests and benchmarks that load no configuration. */
export const DEFAULT_DETECTOR_SETTINGS: DetectorSettings = detectorSettings(configSchema.parse({}));
