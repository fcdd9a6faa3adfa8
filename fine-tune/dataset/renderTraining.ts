import {
  PROMPT_TEMPLATE_HASH,
  type TrainingExample,
  trainingExample,
} from "../../core/llm/prompt.js";
import type { DatasetExample } from "./datasetLine.js";

/**
 * One line of a rendered training file, what fine-tune/train.py reads: the example's exact text
 * and its pieces (see TrainingExample: train.py tokenises them as the classifier does, and computes
 * the loss on `answer` only), the label, and the hash of the prompt it was rendered from.
 */
export interface RenderedExample extends TrainingExample {
  label: string;
  promptTemplateHash: string;
}

/**
 * Renders a dataset example with the classifier's own prompt code (core/llm/prompt.ts) from the
 * input the classifier is given for that line, so the training text is byte for byte what the
 * classifier sends at inference, followed by the answer.
 */
export function renderTrainingExample(example: DatasetExample): RenderedExample {
  return {
    ...trainingExample(example.input, example.record.label),
    label: example.record.label,
    promptTemplateHash: PROMPT_TEMPLATE_HASH,
  };
}
