import type { Label } from "../../core/events/types.js";
import { TemplateKeyer } from "../../core/templates/templateKey.js";
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
 * cache key: the same template at another level is another question for the model.
 */
export function groupByTemplate(
  examples: readonly DatasetExample[],
  options: { byLevel: boolean; keyer?: TemplateKeyer },
): TemplateGroup[] {
  const keyer = options.keyer ?? new TemplateKeyer();
  const groups = new Map<string, TemplateGroup>();
  for (const example of examples) {
    const { templateId, template } = keyer.keyOf(example.record.message);
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
