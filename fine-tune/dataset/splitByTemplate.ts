import { LABELS, type Label } from "../../core/events/types.js";
import { deriveSeed, Rng } from "../../core/synthetic/prng.js";
import type { DatasetExample } from "./datasetLine.js";
import { groupByTemplate, majorityLabel, type TemplateGroup } from "./templateGroups.js";

export interface SplitOptions {
  /** Share of each label's lines to hold out, 0 < f < 1. */
  evalFraction: number;
  /** The same seed and data give the same split. */
  seed: number;
}

export interface DatasetSplit {
  train: DatasetExample[];
  eval: DatasetExample[];
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function size(groups: readonly TemplateGroup[]): number {
  return groups.reduce((sum, g) => sum + g.examples.length, 0);
}

/**
 * A stratified train/eval split in which every line of a template lands on the same side, so the
 * held-out score is for templates the model has never seen, not for copies of its training lines.
 * Templates are stratified by their majority label: for each label, templates are shuffled (by
 * `seed`) and held out while that brings the held-out lines closer to `evalFraction` of the
 * label's lines. A label with two or more templates always has one on each side.
 */
export function splitByTemplate(
  examples: readonly DatasetExample[],
  options: SplitOptions,
): DatasetSplit {
  if (!(options.evalFraction > 0 && options.evalFraction < 1)) {
    throw new RangeError(`the eval fraction must be between 0 and 1, got ${options.evalFraction}`);
  }
  const rng = new Rng(deriveSeed(options.seed, "dataset-split"));
  const byLabel = new Map<Label, TemplateGroup[]>(LABELS.map((label) => [label, []]));
  for (const group of groupByTemplate(examples, { byLevel: false })) {
    byLabel.get(majorityLabel(group.examples))?.push(group);
  }
  const train: TemplateGroup[] = [];
  const held: TemplateGroup[] = [];
  for (const label of LABELS) {
    const groups = shuffled(byLabel.get(label) ?? [], rng);
    const target = options.evalFraction * size(groups);
    const labelTrain: TemplateGroup[] = [];
    const labelEval: TemplateGroup[] = [];
    let heldLines = 0;
    for (const group of groups) {
      const next = heldLines + group.examples.length;
      if (Math.abs(next - target) < Math.abs(heldLines - target)) {
        labelEval.push(group);
        heldLines = next;
      } else {
        labelTrain.push(group);
      }
    }
    if (groups.length >= 2 && labelEval.length === 0)
      labelEval.push(labelTrain.shift() as TemplateGroup);
    if (groups.length >= 2 && labelTrain.length === 0)
      labelTrain.push(labelEval.pop() as TemplateGroup);
    train.push(...labelTrain);
    held.push(...labelEval);
  }
  const inOrder = (groups: TemplateGroup[]) =>
    groups.flatMap((g) => g.examples).sort((a, b) => a.line - b.line);
  return { train: inOrder(train), eval: inOrder(held) };
}
