import { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * Every pipeline metric SentinelLLM records, in one place, all named `sentinel_*`. The same
 * registry is scraped at `/metrics` by long-running processes and pushed with Prometheus remote
 * write by short-lived ones (Lambda), so a dashboard query works whichever way a number arrived.
 * Label values are bounded: services, labels, kinds, channels and reasons, never ids or messages.
 */
export class PipelineMetrics {
  readonly registry: Registry;

  readonly eventsClassified: Counter<"label" | "service" | "source">;
  readonly classifierLatency: Histogram<"model">;
  readonly cacheHits: Counter;
  readonly cacheMisses: Counter;
  readonly llmCalls: Counter<"model">;
  readonly anomalyScore: Gauge<"service" | "kind">;
  readonly anomalies: Counter<"service" | "kind">;
  readonly detectorEventsIgnored: Counter<"reason">;
  readonly alerts: Counter<"channel" | "outcome">;
  readonly deadLetters: Counter<"stage" | "reason">;
  readonly consumerLag: Gauge<"group" | "topic" | "partition">;
  readonly eventsIngested: Counter<"provider">;
  readonly anomalyThreshold: Gauge;
  readonly metricsPushes: Counter<"outcome">;
  readonly metricsDroppedSamples: Counter<"reason">;
  readonly metricsBufferedSamples: Gauge;
  readonly stateFilesSetAside: Counter<"store">;

  constructor(registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.eventsClassified = new Counter({
      name: "sentinel_events_classified_total",
      help: "Classified events, by label, service and source provider.",
      labelNames: ["label", "service", "source"],
      registers,
    });
    this.classifierLatency = new Histogram({
      name: "sentinel_classifier_latency_seconds",
      help: "Time to classify one batch of events, cache lookups and model calls included.",
      labelNames: ["model"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.cacheHits = new Counter({
      name: "sentinel_classifier_cache_hits_total",
      help: "Classification cache hits.",
      registers,
    });
    this.cacheMisses = new Counter({
      name: "sentinel_classifier_cache_misses_total",
      help: "Classification cache misses.",
      registers,
    });
    // The classifier service exposes the same name (without the model label) for its own model.
    this.llmCalls = new Counter({
      name: "sentinel_classifier_model_calls_total",
      help: "Lines sent to the model (LLM or baseline) after cache and in-batch deduplication.",
      labelNames: ["model"],
      registers,
    });
    this.anomalyScore = new Gauge({
      name: "sentinel_anomaly_score",
      help: "Latest anomaly score (0..1) per service and kind.",
      labelNames: ["service", "kind"],
      registers,
    });
    this.anomalies = new Counter({
      name: "sentinel_anomalies_total",
      help: "Anomalies emitted, by service and kind.",
      labelNames: ["service", "kind"],
      registers,
    });
    this.detectorEventsIgnored = new Counter({
      name: "sentinel_detector_events_ignored_total",
      help: "Events the detector did not count, by reason (e.g. older than the baseline horizon).",
      labelNames: ["reason"],
      registers,
    });
    this.alerts = new Counter({
      name: "sentinel_alerts_total",
      help: "Per channel, by outcome: grouped (an alert joined its notification group), sent and failed (notifications).",
      labelNames: ["channel", "outcome"],
      registers,
    });
    this.deadLetters = new Counter({
      name: "sentinel_dead_letters_total",
      help: "Records sent to a dead-letter place, by stage and reason.",
      labelNames: ["stage", "reason"],
      registers,
    });
    this.consumerLag = new Gauge({
      name: "sentinel_consumer_lag",
      help: "Records between a consumer group's position and the partition's end, where known.",
      labelNames: ["group", "topic", "partition"],
      registers,
    });
    this.eventsIngested = new Counter({
      name: "sentinel_events_ingested_total",
      help: "Log events read from a source and handed on, by provider.",
      labelNames: ["provider"],
      registers,
    });
    this.anomalyThreshold = new Gauge({
      name: "sentinel_anomaly_threshold",
      help: "The configured ANOMALY_THRESHOLD: scores at or above it are anomalies.",
      registers,
    });
    this.metricsPushes = new Counter({
      name: "sentinel_metrics_pushes_total",
      help: "Remote-write requests, by outcome: sent, or failed after retries (samples kept).",
      labelNames: ["outcome"],
      registers,
    });
    this.metricsDroppedSamples = new Counter({
      name: "sentinel_metrics_dropped_samples_total",
      help: "Metric samples dropped before reaching the metrics store: buffer_full or rejected.",
      labelNames: ["reason"],
      registers,
    });
    this.metricsBufferedSamples = new Gauge({
      name: "sentinel_metrics_buffered_samples",
      help: "Metric samples waiting to be pushed.",
      registers,
    });
    this.stateFilesSetAside = new Counter({
      name: "sentinel_state_files_set_aside_total",
      help: "Corrupt state files renamed aside (the store started fresh), by store.",
      labelNames: ["store"],
      registers,
    });
  }
}

/** The process-wide metrics that every component records into. */
export const pipelineMetrics = new PipelineMetrics();
