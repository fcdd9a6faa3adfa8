/**
 * Anomaly detection: counts of classified events per service and label in event-time buckets,
 * judged against a learned baseline. `AnomalyDetector` is the domain; the state lives behind
 * `DetectorState` (in memory for the embedded mode, DynamoDB for the Lambda).
 */
export { estimateBaseline, judgeCount, surpriseScore, upperTail } from "./countModel.js";
export { AnomalyDetector, anomalyId, type Detection, retentionMs } from "./detector.js";
export type { DetectorState } from "./detectorState.js";
export { MemoryDetectorState, type MemoryStateSnapshot } from "./memoryDetectorState.js";
export { DEFAULT_DETECTOR_SETTINGS, detectorSettings } from "./settings.js";
export * from "./types.js";
