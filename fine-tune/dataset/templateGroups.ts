import type { Label } from "../../core/events/types.js";
import { type TemplateKey, TemplateKeyer } from "../../core/templates/templateKeyer.js";
import type { DatasetExample } from "./datasetLine.js";

/** Examples that share a template, in file order. */
export interface TemplateGroup {
  templateId: string;
  template: string;
  examples: DatasetExample[];
}

/**
 * Groups examples by template key (core/templates, the key the classifier caches by), in order of
 * first appearance. With `byLevel`, the level is part of the key too, as it is of the classifier's
 * cache key: the same template at another level is another question for the model. Keys are the
 * final ones after the whole file was seen (a learned generalisation joins its earlier aliases).
 */
export function groupByTemplate(
  examples: readonly DatasetExample[],
  options: { byLevel: boolean; keyer?: TemplateKeyer },
): TemplateGroup[] {
  const keyer = options.keyer ?? new TemplateKeyer();
  const arrivalKeys = examples.map((example) => keyer.keyOf(example.record.message));
  const groups = new Map<string, TemplateGroup>();
  for (const [index, example] of examples.entries()) {
    const { templateId, template } = keyer.finalKeyOf(arrivalKeys[index] as TemplateKey);
    const key = options.byLevel ? `${templateId}:${example.record.level ?? ""}` : templateId;
    let group = groups.get(key);
    if (!group) {
      group = { templateId, template, examples: [] };
      groups.set(key, group);
    }
    group.examples.push(example);
  }
  return [...groups.values()];
}

/** The most frequent label of a group; a tie goes to the label seen first. */
export function majorityLabel(examples: readonly DatasetExample[]): Label {
  const counts = new Map<Label, number>();
  for (const { record } of examples) counts.set(record.label, (counts.get(record.label) ?? 0) + 1);
  let best: Label | undefined;
  for (const [label, count] of counts) {
    if (best === undefined || count > (counts.get(best) ?? 0)) best = label;
  }
  return best as Label;
}
