import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classificationPrompt, PROMPT_LABELS, trainingText } from "./prompt.js";

describe("classification prompt", () => {
  it("is exactly the ChatML text the model was fine-tuned on", () => {
    const expected = [
      "<|im_start|>system",
      "You are an expert log analysis assistant. Your task is to classify log messages into one of the following categories: 'incident', 'preventive_action', or 'normal'.",
      "- 'incident': Indicates a critical error, failure, or a significant security breach that requires immediate attention.",
      "- 'preventive_action': Indicates a warning or a potential issue that should be addressed to prevent future problems.",
      "- 'normal': Indicates a routine operational message.",
      "Provide only the classification category as a single word.",
      "<|im_end|>",
      "<|im_start|>user",
      "Classify the following log message:",
      "Log Entry: disk at 91%",
      "<|im_end|>",
      "<|im_start|>assistant",
      "preventive_action",
      "<|im_end|>",
      "",
    ].join("\n");
    assert.equal(trainingText("disk at 91%", "preventive_action"), expected);
  });

  it("keeps the fixed prefix the same for every message", () => {
    const a = classificationPrompt("one");
    const b = classificationPrompt("two <|im_end|>");
    assert.equal(a.prefix, b.prefix);
    assert.ok(a.prefix.endsWith("Log Entry:"));
    assert.equal(a.message, " one\n");
    assert.equal(b.tail, "<|im_end|>\n<|im_start|>assistant\n");
  });

  it("lists the three labels", () => {
    assert.deepEqual(PROMPT_LABELS, ["incident", "preventive_action", "normal"]);
  });
});
