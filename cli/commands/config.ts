import type { Command } from "commander";
import { loadConfig, redactedConfig } from "../../core/config/load.js";
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
      const config = redactedConfig(loadConfig({ warn }));
      process.stdout.write(`${jsonForTerminal(JSON.stringify(config, null, 2))}\n`);
    });
}
