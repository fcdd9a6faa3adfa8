import { LABELS, type Label } from "../../core/events/types.js";
import { deriveSeed, Rng } from "../../core/synthetic/prng.js";
import type { DatasetExample } from "./datasetLine.js";

/**
 * Down-samples every label to at most `perLabel` lines (default: as many as the smallest label
 * that has any), choosing which by `seed`; the kept lines stay in file order. Up-sampling would
 * only repeat lines, which de-duplication exists to prevent.
 */
export function balanceLabels(
  examples: readonly DatasetExample[],
  options: { perLabel?: number; seed: number },
): DatasetExample[] {
  const byLabel = new Map<Label, DatasetExample[]>(LABELS.map((label) => [label, []]));
  for (const example of examples) byLabel.get(example.record.label)?.push(example);
  const present = [...byLabel.values()].filter((list) => list.length > 0);
  const cap = options.perLabel ?? Math.min(...present.map((list) => list.length));
  const rng = new Rng(deriveSeed(options.seed, "dataset-balance"));
  const kept: DatasetExample[] = [];
  for (const label of LABELS) {
    const list = byLabel.get(label) ?? [];
    if (list.length <= cap) {
      kept.push(...list);
      continue;
    }
    // A partial Fisher-Yates: the first `cap` places get a uniform sample.
    const pool = [...list];
    for (let i = 0; i < cap; i++) {
      const j = rng.int(i, pool.length - 1);
      [pool[i], pool[j]] = [pool[j] as DatasetExample, pool[i] as DatasetExample];
    }
    kept.push(...pool.slice(0, cap));
  }
  return kept.sort((a, b) => a.line - b.line);
}
