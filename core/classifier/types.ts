import type { Label, Level } from "../events/types.js";

/** What a model reads for one line: the message and, when known, its level. */
export interface ClassifierInput {
  message: string;
  level?: Level;
}

export interface Verdict {
  label: Label;
  /** 0..1, normalised over the three labels. */
  confidence: number;
  suggestion?: string;
}

/**
 * Anything that labels log lines: the LLM, or the rule-based baseline.
 * Batch in, verdicts out in the same order.
 */
export interface LabelModel {
  /** Goes into every classification's `model` field. */
  readonly name: string;
  classify(inputs: readonly ClassifierInput[]): Promise<Verdict[]>;
  /**
   * A suggested fix for a preventive_action line, for models where it costs more than the label
   * (the LLM generates it). Models that put suggestions in their verdicts leave this out.
   */
  suggest?(input: ClassifierInput): Promise<string>;
  dispose?(): Promise<void>;
}

/** When suggestions are made: off the hot path (labels never wait), before returning, or never. */
export type SuggestionMode = "background" | "wait" | "off";
