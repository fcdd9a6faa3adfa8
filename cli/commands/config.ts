import type { Command } from "commander";
import { loadConfig, redactedConfig } from "../../core/config/load.js";

export function registerConfig(program: Command): void {
  program
    .command("config")
    .description(
      "validate the configuration (environment and .env) and print it with secrets redacted",
    )
    .action(() => {
      process.stdout.write(`${JSON.stringify(redactedConfig(loadConfig()), null, 2)}\n`);
    });
}
