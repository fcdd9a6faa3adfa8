/**
 * Metrics: the `sentinel_*` catalog every component records into, and how it leaves the process
 * (remote write to VictoriaMetrics or any Prometheus remote-write receiver, and /metrics scraping).
 * See docs/metrics.md.
 */

export { PipelineMetrics, pipelineMetrics } from "./catalog.js";
export {
  type RemoteWriteAuth,
  RemoteWriteClient,
  RemoteWriteError,
} from "./remoteWrite/client.js";
export { MetricsPusher, type PusherStats, type PushOptions } from "./remoteWrite/pusher.js";
export { type RegistrySnapshot, snapshotToSeries } from "./remoteWrite/registrySnapshot.js";
export { encodeWriteRequest, type TimeSeries } from "./remoteWrite/writeRequest.js";
export {
  type MetricsReporting,
  type MetricsReportingOptions,
  startMetricsReporting,
} from "./reporting.js";
export { type ScrapeServer, startScrapeServer } from "./scrapeServer.js";
export { type MetricsConfig, remoteWriteSettings } from "./settings.js";
