import { InvalidArgumentError } from "commander";
import { LABELS, type Label } from "../../core/events/types.js";
import type { ClassificationMetrics } from "./classificationMetrics.js";

/** A metric a gate can hold a model to: overall, or one label's. */
export type GateMetric = "accuracy" | "macroF1" | `${Label}.${"precision" | "recall" | "f1"}`;

export interface Threshold {
  metric: GateMetric;
  minimum: number;
}

export interface GateOutcome {
  passed: boolean;
  /** One sentence per failed check, for people and logs. */
  failures: string[];
}

const PER_LABEL = ["precision", "recall", "f1"] as const;

/**
 * `--fail-under`: `0.8` (macro-F1), `accuracy=0.9`, `macroF1=0.8`, `incident.recall=0.95`.
 */
export function parseThreshold(value: string): Threshold {
  const [name, number] = value.includes("=") ? value.split("=", 2) : ["macroF1", value];
  const minimum = Number(number);
  if (number === undefined || number.trim() === "" || !(minimum >= 0 && minimum <= 1)) {
    throw new InvalidArgumentError(`expected a minimum between 0 and 1, got "${number}"`);
  }
  const metrics = [
    "accuracy",
    "macroF1",
    ...LABELS.flatMap((label) => PER_LABEL.map((m) => `${label}.${m}`)),
  ];
  if (!metrics.includes(name as string)) {
    throw new InvalidArgumentError(
      `unknown metric "${name}"; expected one of ${metrics.join(", ")}`,
    );
  }
  return { metric: name as GateMetric, minimum };
}

export function metricValue(metrics: ClassificationMetrics, metric: GateMetric): number {
  if (metric === "accuracy" || metric === "macroF1") return metrics[metric];
  const [label, part] = metric.split(".") as [Label, (typeof PER_LABEL)[number]];
  return metrics.perLabel[label][part];
}

/**
 * The evaluation gate a pipeline runs before serving a model: every threshold met and, when an old
 * model was measured on the same lines, macro-F1 no more than `maxRegression` below the old one's
 * (macro-F1, not accuracy, because on log data `normal` is most lines and accuracy hides a model
 * that never finds an incident).
 */
export function evaluateGate(
  candidate: ClassificationMetrics,
  options: { thresholds: readonly Threshold[]; old?: ClassificationMetrics; maxRegression: number },
): GateOutcome {
  const failures: string[] = [];
  for (const { metric, minimum } of options.thresholds) {
    const value = metricValue(candidate, metric);
    if (value < minimum) failures.push(`${metric} ${value} is under ${minimum}`);
  }
  if (options.old && candidate.macroF1 < options.old.macroF1 - options.maxRegression) {
    failures.push(
      `macroF1 ${candidate.macroF1} is worse than the old model's ${options.old.macroF1}${options.maxRegression > 0 ? ` by more than ${options.maxRegression}` : ""}`,
    );
  }
  return { passed: failures.length === 0, failures };
}
