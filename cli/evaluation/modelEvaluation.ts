import { maskSensitive } from "../../core/alerting/mask.js";
import type { CachingClassifier } from "../../core/classifier/cachingClassifier.js";
import type { ClassifierInput, LabelModel, Verdict } from "../../core/classifier/types.js";
import type { Label, LogEvent } from "../../core/events/types.js";
import { type ClassificationMetrics, ConfusionMatrix } from "./classificationMetrics.js";

/** A labelled line as `sentinel eval` read it. */
export interface LabelledEvent {
  event: LogEvent;
  truth: Label;
}

export interface Misclassified {
  /** Masked (core/alerting/mask.ts): these are shown to people. */
  message: string;
  truth: Label;
  predicted: Label;
  confidence: number;
}

export interface ModelEvaluation extends ClassificationMetrics {
  model: string;
  llmCalls: number;
  distinctTemplates: number;
  /** The model's own time per line it was asked about (cache hits cost nothing). */
  meanLatencyMs: number;
  /** The first misclassified lines, in input order. */
  misclassified: Misclassified[];
}

/** Times the model's own work, so latency is per line the model actually read. */
export class TimedModel implements LabelModel {
  readonly name: string;
  milliseconds = 0;
  constructor(readonly inner: LabelModel) {
    this.name = inner.name;
  }
  async classify(inputs: readonly ClassifierInput[]): Promise<Verdict[]> {
    const started = performance.now();
    const verdicts = await this.inner.classify(inputs);
    this.milliseconds += performance.now() - started;
    return verdicts;
  }
}

/**
 * Classifies every line through the classifier as served (template key, cache, model), so the
 * score is the served system's, and tallies it against the truth.
 */
export async function evaluateModel(
  classifier: CachingClassifier,
  model: TimedModel,
  data: readonly LabelledEvent[],
  options: { batchSize?: number; examples?: number } = {},
): Promise<ModelEvaluation> {
  const batchSize = options.batchSize ?? 256;
  const matrix = new ConfusionMatrix();
  const templates = new Set<string>();
  const misclassified: Misclassified[] = [];
  for (let start = 0; start < data.length; start += batchSize) {
    const batch = data.slice(start, start + batchSize);
    const classified = await classifier.classify(batch.map((d) => d.event));
    classified.forEach((event, i) => {
      const truth = (batch[i] as LabelledEvent).truth;
      const { label, confidence, templateId } = event.classification;
      matrix.add(truth, label);
      templates.add(templateId);
      if (label !== truth && misclassified.length < (options.examples ?? 20)) {
        misclassified.push({
          message: maskSensitive(event.message),
          truth,
          predicted: label,
          confidence,
        });
      }
    });
  }
  const calls = classifier.modelCalls;
  return {
    model: model.name,
    ...matrix.metrics(),
    llmCalls: calls,
    distinctTemplates: templates.size,
    meanLatencyMs: calls === 0 ? 0 : Math.round((100 * model.milliseconds) / calls) / 100,
    misclassified,
  };
}
