import { createHash } from "node:crypto";
import type { ClassifierInput } from "../classifier/types.js";
import template from "./promptTemplate.json" with { type: "json" };

/**
 * Renders the classifier's ChatML prompts from promptTemplate.json, the file fine-tuning must render its training examples from.
 * The rendered text is split where the per-line part begins, so the fixed prefix can be evaluated
 * once and reused for every line.
 */

export const PROMPT_LABELS = template.labels as readonly string[];

const { turnStart, turnEnd } = template.chatml;
const MESSAGE = "{message}";

export interface SplitPrompt {
  /** The same for every line: system turn and the user turn up to the message. */
  prefix: string;
  /**
   * The per-line text, which is untrusted: the white space before the message (kept with it, as
   * BPE tokenisers attach a leading space to the following word), the message, and the rest of
   * the user turn up to the end of its line.
   */
  message: string;
  /** Closes the user turn and opens the assistant's; control tokens live here. */
  tail: string;
}

function splitTurns(system: string, user: string, message: string): SplitPrompt {
  const at = user.indexOf(MESSAGE);
  const before = user.slice(0, at);
  const beforeTrimmed = before.trimEnd();
  const after = user.slice(at + MESSAGE.length);
  return {
    prefix: `${turnStart}system\n${system}\n${turnEnd}\n${turnStart}user\n${beforeTrimmed}`,
    message: `${before.slice(beforeTrimmed.length)}${message}${after}\n`,
    tail: `${turnEnd}\n${turnStart}assistant\n`,
  };
}

/** The classification prompt for one message, split into shared prefix and per-line suffix. */
export function classificationPrompt(message: string): SplitPrompt {
  return splitTurns(template.classification.system, template.classification.user, message);
}

/** The whole classification prompt as one text, up to where the assistant's answer begins. */
export function classificationPromptText(message: string): string {
  const prompt = classificationPrompt(message);
  return `${prompt.prefix}${prompt.message}${prompt.tail}`;
}

/** The suggestion prompt for a preventive_action line. */
export function suggestionPrompt(message: string): SplitPrompt {
  return splitTurns(template.suggestion.system, template.suggestion.user, message);
}

/** Text the model is shown for a line: the level, when known, leads as it does in most logs. */
export function classifierLineText(input: ClassifierInput): string {
  return input.level ? `${input.level.toUpperCase()} ${input.message}` : input.message;
}

/** The assistant's answer the model is trained to give, closing its turn. */
function answerText(label: string): string {
  return `${label}\n${turnEnd}\n`;
}

/** A full training example in the exact text the model was fine-tuned on. */
export function trainingText(message: string, label: string): string {
  return `${classificationPromptText(message)}${answerText(label)}`;
}

/**
 * One training example for a line, in the pieces the classifier evaluates at inference: the
 * prompt's fixed prefix and tail hold control tokens, the message is untrusted text (tokenised
 * without parsing control tokens), and the answer is what the loss is computed on. Their
 * concatenation is `text`.
 */
export interface TrainingExample {
  text: string;
  prefix: string;
  message: string;
  tail: string;
  answer: string;
}

/** The training example for `input`, from the same prompt the classifier sends for it. */
export function trainingExample(input: ClassifierInput, label: string): TrainingExample {
  const prompt = classificationPrompt(classifierLineText(input));
  const answer = answerText(label);
  return {
    text: `${prompt.prefix}${prompt.message}${prompt.tail}${answer}`,
    prefix: prompt.prefix,
    message: prompt.message,
    tail: prompt.tail,
    answer,
  };
}

/**
 * Identifies the classification prompt as the model sees it (system and user text, ChatML markers,
 * labels, answer format), not the template file's bytes, so editing its comment changes nothing.
 * A model or adapter trained on another prompt carries another hash in its manifest.
 */
export const PROMPT_TEMPLATE_HASH = `sha256:${createHash("sha256")
  .update(JSON.stringify({ labels: PROMPT_LABELS, example: trainingText("{message}", "{label}") }))
  .digest("hex")}`;
