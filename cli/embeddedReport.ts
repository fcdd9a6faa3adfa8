import { renderOptionsFrom } from "../core/alerting/createChannels.js";
import {
  alertRoutingFromConfig,
  alertRulesFromConfig,
  floodFromConfig,
  groupingFromConfig,
} from "../core/alerting/createNotifier.js";
import type { CachingClassifier } from "../core/classifier/cachingClassifier.js";
import type { Config } from "../core/config/schema.js";
import type { AnomalyDetector, Detection } from "../core/detection/detector.js";
import type { ClassifiedEvent } from "../core/events/types.js";
import { embeddedDetector } from "./pipeline/embeddedDetector.js";
import { AnalysisSummary, type SummaryReport } from "./pipeline/summary.js";

/**
 * The report `sentinel analyze` and `sentinel ingest --to embedded` print: counts, top templates,
 * what would alert (the notifier's rules and notification groups) and the anomalies found by replaying the
 * input's timeline on event time.
 */
export class EmbeddedReport {
  readonly #summary: AnalysisSummary;
  readonly #detector: AnomalyDetector | undefined;

  constructor(config: Config, options: { top: number; detect: boolean }) {
    this.#summary = new AnalysisSummary({
      alertRules: alertRulesFromConfig(config),
      grouping: groupingFromConfig(config),
      routing: alertRoutingFromConfig(config),
      flood: floodFromConfig(config),
      render: { ...renderOptionsFrom(config), teamsFormat: config.TEAMS_CARD_FORMAT },
      top: options.top,
      mask: renderOptionsFrom(config).mask,
    });
    this.#detector = options.detect ? embeddedDetector(config).detector : undefined;
  }

  async recordClassified(events: readonly ClassifiedEvent[]): Promise<void> {
    for (const event of events) this.#summary.recordClassified(event);
    if (this.#detector)
      await this.#record(await this.#detector.observe(events as ClassifiedEvent[]));
  }

  recordRejected(reason: string): void {
    this.#summary.recordRejected(reason);
  }

  /** Judges the buckets still open, then reports. */
  async finish(classifier: CachingClassifier): Promise<SummaryReport> {
    if (this.#detector) {
      await this.#record(await this.#detector.flush());
      this.#summary.setDetectorStatus(this.#detector.status());
    }
    return this.#summary.report({
      model: classifier.modelName,
      modelCalls: classifier.modelCalls,
      cache: classifier.cacheStats,
    });
  }

  async #record(detection: Detection): Promise<void> {
    for (const anomaly of detection.anomalies) this.#summary.recordDetected(anomaly);
    await detection.commit();
  }
}
