import type { Label } from "../../core/events/types.js";
import type { DatasetExample } from "./datasetLine.js";
import { groupByTemplate, majorityLabel } from "./templateGroups.js";

/** A template (at one level) whose lines were labelled differently. */
export interface LabelConflict {
  template: string;
  level?: string;
  labels: Partial<Record<Label, number>>;
  kept: Label;
}

export interface DedupeResult {
  kept: DatasetExample[];
  /** Lines dropped because their template already had `perTemplate` examples. */
  duplicates: number;
  /** Lines dropped because they disagreed with their template's majority label. */
  conflicting: number;
  conflicts: LabelConflict[];
}

/**
 * Keeps at most `perTemplate` examples per template key and level, so a line logged a million
 * times with different ids counts as one example, not a flood of one class. The classifier
 * answers once per key, so a key can only have one right label: where its lines disagree, the
 * majority label is kept and the disagreement reported (for relabelling), not trained on.
 */
export function dedupeByTemplate(
  examples: readonly DatasetExample[],
  options: { perTemplate: number },
): DedupeResult {
  const kept: DatasetExample[] = [];
  const conflicts: LabelConflict[] = [];
  let duplicates = 0;
  let conflicting = 0;
  for (const group of groupByTemplate(examples, { byLevel: true })) {
    const label = majorityLabel(group.examples);
    const agreeing = group.examples.filter((e) => e.record.label === label);
    conflicting += group.examples.length - agreeing.length;
    if (agreeing.length < group.examples.length) {
      const labels: Partial<Record<Label, number>> = {};
      for (const { record } of group.examples)
        labels[record.label] = (labels[record.label] ?? 0) + 1;
      const level = group.examples[0]?.record.level;
      conflicts.push({ template: group.template, ...(level && { level }), labels, kept: label });
    }
    kept.push(...agreeing.slice(0, options.perTemplate));
    duplicates += Math.max(0, agreeing.length - options.perTemplate);
  }
  kept.sort((a, b) => a.line - b.line);
  return { kept, duplicates, conflicting, conflicts };
}
