import * as z from "zod";
import { positiveInt } from "../config/fields.js";

/** The LLM classifier's variables (core/llm): which model, on what hardware, how much at once. */
export const llmVariables = {
  SENTINEL_MODEL: z.string().min(1).optional(),
  SENTINEL_MODEL_DIR: z.string().min(1).optional(),
  SENTINEL_LORA: z.string().min(1).optional(),
  SENTINEL_GPU: z.enum(["auto", "off"], { error: "expected auto or off" }).default("auto"),
  SENTINEL_THREADS: positiveInt(256).optional(),
  SENTINEL_PARALLEL_SEQUENCES: positiveInt(64).default(4),
  SENTINEL_MAX_MESSAGE_TOKENS: positiveInt(8192).default(256),
  /** How long loading a model (once its file is there) may take before it is abandoned. */
  SENTINEL_MODEL_LOAD_TIMEOUT_SECONDS: positiveInt(86_400).default(300),
  SENTINEL_SUGGESTIONS: z
    .enum(["background", "wait", "off"], { error: "expected background, wait or off" })
    .default("background"),
};
