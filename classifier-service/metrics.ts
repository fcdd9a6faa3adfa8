import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type Metric,
  Registry,
} from "prom-client";
import type { CachingClassifier } from "../core/classifier/cachingClassifier.js";
import type { ClassifiedEvent } from "../core/events/types.js";
import { type PipelineMetrics, pipelineMetrics } from "../core/metrics/catalog.js";

const PREFIX = "sentinel_classifier_";

/** Counters the classifier keeps itself; read at scrape time. */
type ClassifierCounters = Pick<CachingClassifier, "cacheStats" | "modelCalls">;

export interface ServiceMetricsOptions {
  /** The classifier once the model has loaded; undefined before. */
  classifier: () => ClassifierCounters | undefined;
  /** The batch queue, read at scrape time. */
  queue: { readonly running: number; readonly waiting: number };
  /** Process metrics (memory, CPU, event loop lag, GC) under the same prefix. Off in tests. */
  processMetrics?: boolean;
  /** The pipeline metrics served alongside; default the process-wide catalog. */
  pipeline?: PipelineMetrics;
}

/**
 * The service's Prometheus metrics, in a registry of their own (never prom-client's global one),
 * so several services can live in one process. Every name of its own starts with
 * `sentinel_classifier_`; the pipeline catalog's `sentinel_*` metrics (which the classifier records
 * into) are served from the same registry, so one scrape or push carries both.
 *
 * @example
 * const metrics = new ServiceMetrics({ classifier: () => service.classifier, queue });
 * response.end(await metrics.registry.metrics());
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests, by route, method and status code answered, or status="aborted" when the client went away first.',
    labelNames: ["route", "method", "status"] as const,
    registers: [this.registry],
  });

  readonly classifiedEvents = new Counter({
    name: `${PREFIX}classified_events_total`,
    help: "Events classified, by label.",
    labelNames: ["label"] as const,
    registers: [this.registry],
  });

  readonly batchDuration = new Histogram({
    name: `${PREFIX}batch_duration_seconds`,
    help: "Time to classify one batch, waiting in the queue not included.",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly queueWait = new Histogram({
    name: `${PREFIX}queue_wait_seconds`,
    help: "Time a batch waited for the model before its classification started.",
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: `${PREFIX}batch_size_events`,
    help: "Events per classify request.",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });

  readonly batchFailures = new Counter({
    name: `${PREFIX}batch_failures_total`,
    help: "Batches the model failed to classify (answered 500).",
    registers: [this.registry],
  });

  readonly rejectedBatches = new Counter({
    name: `${PREFIX}rejected_batches_total`,
    help: "Batches refused because the queue was full (answered 503).",
    registers: [this.registry],
  });

  readonly modelReady = new Gauge({
    name: `${PREFIX}model_ready`,
    help: "1 when the model is loaded and the service is not shutting down, else 0.",
    registers: [this.registry],
  });

  readonly modelInfo = new Gauge({
    name: `${PREFIX}model_info`,
    help: "The loaded model's name, as a label; the value is always 1.",
    labelNames: ["model"] as const,
    registers: [this.registry],
  });

  constructor(options: ServiceMetricsOptions) {
    const { classifier, queue } = options;
    new Gauge({
      name: `${PREFIX}queued_batches`,
      help: "Batches waiting for the model.",
      registers: [this.registry],
      collect() {
        this.set(queue.waiting);
      },
    });
    new Gauge({
      name: `${PREFIX}running_batches`,
      help: "Batches being classified now.",
      registers: [this.registry],
      collect() {
        this.set(queue.running);
      },
    });
    const seen = { hits: 0, misses: 0, modelCalls: 0 };
    // Counters mirror the classifier's own monotonic counts: add what changed since the last scrape.
    const mirror = (read: (counts: ClassifierCounters) => number, key: keyof typeof seen) =>
      function (this: Counter) {
        const counts = classifier();
        if (counts === undefined) return;
        const value = read(counts);
        if (value > seen[key]) this.inc(value - seen[key]);
        seen[key] = value;
      };

    new Counter({
      name: `${PREFIX}cache_hits_total`,
      help: "Classification cache hits (template and level seen before).",
      registers: [this.registry],
      collect: mirror((counts) => counts.cacheStats.hits, "hits"),
    });
    new Counter({
      name: `${PREFIX}cache_misses_total`,
      help: "Classification cache misses.",
      registers: [this.registry],
      collect: mirror((counts) => counts.cacheStats.misses, "misses"),
    });
    new Counter({
      name: `${PREFIX}model_calls_total`,
      help: "Lines sent to the model (cache misses after in-batch deduplication).",
      registers: [this.registry],
      collect: mirror((counts) => counts.modelCalls, "modelCalls"),
    });
    new Gauge({
      name: `${PREFIX}cache_entries`,
      help: "Entries in the classification cache.",
      registers: [this.registry],
      collect() {
        this.set(classifier()?.cacheStats.size ?? 0);
      },
    });

    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });

    // Where the service has a metric of the catalog's name (cache hits and misses, model calls),
    // its own, counted for this service's classifier alone, is the one served.
    for (const metric of (options.pipeline ?? pipelineMetrics).registry.getMetricsAsArray()) {
      if (this.registry.getSingleMetric(metric.name) === undefined)
        this.registry.registerMetric(metric as unknown as Metric);
    }
  }

  /** Counts a classified batch by label. */
  countLabels(events: readonly ClassifiedEvent[]): void {
    const counts = new Map<string, number>();
    for (const event of events) {
      const label = event.classification.label;
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    for (const [label, count] of counts) this.classifiedEvents.inc({ label }, count);
  }
}
