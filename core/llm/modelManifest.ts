import { readFileSync } from "node:fs";
import { ModelLoadError } from "./errors.js";
import { PROMPT_TEMPLATE_HASH } from "./prompt.js";

/**
 * The manifest fine-tune/export.py writes beside every GGUF it exports, as `<file>.manifest.json`
 * (`adapter.gguf` → `adapter.gguf.manifest.json`): what the file was trained from. Only the
 * fields the classifier checks or reports are typed here.
 */
export interface ModelManifest {
  format: string;
  kind?: string;
  baseModel?: string;
  promptTemplateHash: string;
  dataset?: { sha256?: string; examples?: number };
  eval?: { accuracy?: number; macroF1?: number } | null;
}

export const MANIFEST_FORMAT = "sentinel-model-manifest/1";

/** A manifest that is unreadable, or says the file was trained on another prompt. */
export class ModelManifestError extends ModelLoadError {
  override name = "ModelManifestError";
}

export function manifestPathFor(ggufPath: string): string {
  return `${ggufPath}.manifest.json`;
}

/** The manifest beside `ggufPath`, or undefined when there is none (a file not exported by us). */
export function readModelManifest(ggufPath: string): ModelManifest | undefined {
  const path = manifestPathFor(ggufPath);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ModelManifestError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelManifestError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const manifest = value as Partial<ModelManifest> | null;
  if (
    typeof manifest !== "object" ||
    manifest === null ||
    manifest.format !== MANIFEST_FORMAT ||
    typeof manifest.promptTemplateHash !== "string"
  ) {
    throw new ModelManifestError(
      `${path} is not a model manifest (expected "format": "${MANIFEST_FORMAT}" and a "promptTemplateHash")`,
    );
  }
  return manifest as ModelManifest;
}

/**
 * Refuses a model or adapter whose manifest says it was trained on another prompt than the one
 * this classifier sends (core/llm/promptTemplate.json): its labels would come from a prompt it
 * never saw. A file without a manifest is accepted; its manifest is returned when there is one.
 */
export function checkModelManifest(
  ggufPath: string,
  what: "model" | "LoRA adapter",
): ModelManifest | undefined {
  const manifest = readModelManifest(ggufPath);
  if (manifest && manifest.promptTemplateHash !== PROMPT_TEMPLATE_HASH) {
    throw new ModelManifestError(
      `${manifestPathFor(ggufPath)}: the ${what} ${ggufPath} was trained on prompt template ${manifest.promptTemplateHash}, but this classifier sends ${PROMPT_TEMPLATE_HASH} (core/llm/promptTemplate.json); retrain it on data rendered by this version (sentinel dataset render), or serve it with the version it was trained for`,
    );
  }
  return manifest;
}
