import { LABELS, type Label } from "../../core/events/types.js";

export interface LabelMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Lines whose true label is this one. */
  support: number;
}

export interface ClassificationMetrics {
  lines: number;
  accuracy: number;
  macroF1: number;
  perLabel: Record<Label, LabelMetrics>;
  /** confusion[truth][predicted] = lines. */
  confusion: Record<Label, Record<Label, number>>;
}

/** Tallies predictions against ground truth, for `sentinel eval`. */
export class ConfusionMatrix {
  readonly #counts = Object.fromEntries(
    LABELS.map((truth) => [truth, Object.fromEntries(LABELS.map((p) => [p, 0]))]),
  ) as Record<Label, Record<Label, number>>;
  #lines = 0;

  add(truth: Label, predicted: Label): void {
    this.#counts[truth][predicted]++;
    this.#lines++;
  }

  metrics(): ClassificationMetrics {
    const c = this.#counts;
    let correct = 0;
    const perLabel = {} as Record<Label, LabelMetrics>;
    for (const label of LABELS) {
      correct += c[label][label];
      const truePositive = c[label][label];
      const predicted = LABELS.reduce((sum, truth) => sum + c[truth][label], 0);
      const support = LABELS.reduce((sum, p) => sum + c[label][p], 0);
      const precision = predicted === 0 ? 0 : truePositive / predicted;
      const recall = support === 0 ? 0 : truePositive / support;
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      perLabel[label] = {
        precision: round(precision),
        recall: round(recall),
        f1: round(f1),
        support,
      };
    }
    const present = LABELS.filter((label) => perLabel[label].support > 0);
    const macroF1 =
      present.length === 0
        ? 0
        : present.reduce((sum, l) => sum + perLabel[l].f1, 0) / present.length;
    return {
      lines: this.#lines,
      accuracy: round(this.#lines === 0 ? 0 : correct / this.#lines),
      macroF1: round(macroF1),
      perLabel,
      confusion: structuredClone(c),
    };
  }
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
