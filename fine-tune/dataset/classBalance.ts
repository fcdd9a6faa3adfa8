import { LABELS, type Label } from "../../core/events/types.js";
import type { DatasetExample } from "./datasetLine.js";
import { groupByTemplate } from "./templateGroups.js";

export interface LabelShare {
  lines: number;
  /** Distinct template keys among the label's lines. */
  templates: number;
  /** Share of all lines, 0..1. */
  share: number;
}

export interface ClassBalance {
  lines: number;
  templates: number;
  labels: Record<Label, LabelShare>;
  /** Lines of the largest label over lines of the smallest (Infinity when a label has none). */
  imbalance: number;
}

/** How many lines and distinct templates each label has. */
export function classBalance(examples: readonly DatasetExample[]): ClassBalance {
  const labels = Object.fromEntries(
    LABELS.map((label) => [label, { lines: 0, templates: 0, share: 0 }]),
  ) as Record<Label, LabelShare>;
  const groups = groupByTemplate(examples, { byLevel: false });
  for (const group of groups) {
    const seen = new Set<Label>();
    for (const { record } of group.examples) {
      labels[record.label].lines++;
      seen.add(record.label);
    }
    for (const label of seen) labels[label].templates++;
  }
  for (const label of LABELS) {
    labels[label].share =
      examples.length === 0
        ? 0
        : Math.round((10_000 * labels[label].lines) / examples.length) / 10_000;
  }
  const counts = LABELS.map((label) => labels[label].lines);
  const smallest = Math.min(...counts);
  return {
    lines: examples.length,
    templates: groups.length,
    labels,
    imbalance: smallest === 0 ? Number.POSITIVE_INFINITY : Math.max(...counts) / smallest,
  };
}

/** The balance as a small table for people. */
export function formatClassBalance(balance: ClassBalance): string {
  return [
    `${"label".padEnd(18)} ${"lines".padStart(8)} ${"share".padStart(7)} ${"templates".padStart(9)}`,
    ...LABELS.map((label) => {
      const s = balance.labels[label];
      return `${label.padEnd(18)} ${String(s.lines).padStart(8)} ${`${(100 * s.share).toFixed(1)}%`.padStart(7)} ${String(s.templates).padStart(9)}`;
    }),
    `${"total".padEnd(18)} ${String(balance.lines).padStart(8)} ${"".padStart(7)} ${String(balance.templates).padStart(9)}`,
    Number.isFinite(balance.imbalance)
      ? `largest/smallest label: ${balance.imbalance.toFixed(1)}×`
      : `a label has no lines: the model cannot learn it from this data`,
  ].join("\n");
}
