import { existsSync } from "node:fs";
import type { Command } from "commander";
import { ConfigError, loadConfig, redactedConfig } from "../../core/config/load.js";
import type { Config } from "../../core/config/schema.js";
import {
  checkModelManifest,
  ModelManifestError,
  manifestPathFor,
} from "../../core/llm/modelManifest.js";
import { forTerminal, jsonForTerminal } from "../../core/logging/terminalText.js";

export function registerConfig(program: Command): void {
  program
    .command("config")
    .description(
      "validate the configuration (environment and .env) and print it with secrets redacted",
    )
    .action(() => {
      const warn = (message: string) =>
        process.stderr.write(`sentinel: warning: ${forTerminal(message)}\n`);
      const loaded = loadConfig({ warn });
      const notes = manifestNotes(loaded);
      const config = redactedConfig(loaded);
      for (const note of notes) process.stderr.write(`sentinel: ${forTerminal(note)}\n`);
      process.stdout.write(`${jsonForTerminal(JSON.stringify(config, null, 2))}\n`);
    });
}

/**
 * What the manifests beside SENTINEL_MODEL and SENTINEL_LORA say (core/llm/modelManifest.ts);
 * one the classifier would refuse fails here too, naming the variable.
 */
function manifestNotes(config: Config): string[] {
  const notes: string[] = [];
  const files = [
    ["SENTINEL_MODEL", config.SENTINEL_MODEL, "model"],
    ["SENTINEL_LORA", config.SENTINEL_LORA, "LoRA adapter"],
  ] as const;
  for (const [variable, path, what] of files) {
    if (path === undefined || !existsSync(path)) continue;
    try {
      const manifest = checkModelManifest(path, what);
      if (!manifest) {
        notes.push(
          `${variable}: ${path} has no manifest (${manifestPathFor(path)}); its prompt template is not checked`,
        );
        continue;
      }
      const evaluation = manifest.eval
        ? `, eval accuracy ${manifest.eval.accuracy} macro-F1 ${manifest.eval.macroF1}`
        : ", not evaluated";
      notes.push(
        `${variable}: ${manifestPathFor(path)}: prompt template matches; base ${manifest.baseModel ?? "unknown"}, dataset sha256 ${manifest.dataset?.sha256 ?? "unknown"}${evaluation}`,
      );
    } catch (error) {
      if (error instanceof ModelManifestError) {
        throw new ConfigError([{ variable, message: error.message }]);
      }
      throw error;
    }
  }
  return notes;
}
