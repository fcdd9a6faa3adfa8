import { join } from "node:path";
import type { Command } from "commander";
import { stateDir } from "../../core/config/stateDir.js";
import {
  loadTemplateKeyerState,
  saveTemplateKeyerState,
  TEMPLATE_KEYS_FILE,
} from "../../core/files/templateKeyerState.js";
import { jsonForTerminal } from "../../core/logging/terminalText.js";
import type { InputFormat } from "../../core/normalize/index.js";
import { type TemplateKey, TemplateKeyer } from "../../core/templates/templateKeyer.js";
import { exitQuietlyOnBrokenPipe, fileSource, LineWriter, openInput } from "../io.js";
import { startRuntime } from "../runtime.js";
import { readLines } from "../sources/file/lineReader.js";
import { LineToEvent } from "../sources/file/lineToEvent.js";
import { formatOption } from "./options.js";

export function registerTemplates(program: Command): void {
  program
    .command("templates")
    .description(
      "print the template key of every input line as JSON: {line, templateId, template}; rejected lines carry a reason instead. Keys are final (what the whole input taught), unless --streaming",
    )
    .argument("[file]", "log file to read, or - for standard input", "-")
    .addOption(formatOption())
    .option(
      "--streaming",
      "print each line's key as it was on arrival, as it goes (the key the classifier cached it under)",
    )
    .option(
      "--state",
      `start from the learned template state in <SENTINEL_STATE_DIR>/${TEMPLATE_KEYS_FILE} and save it back`,
    )
    .action(templates);
}

type Row = { line: number; key: TemplateKey } | { line: number; rejected: string };

async function templates(
  file: string,
  options: { format: InputFormat; streaming?: boolean; state?: boolean },
): Promise<void> {
  const { config, logger } = startRuntime();
  const input = openInput(file);
  // The same reading as `sentinel analyze`, so a line's key here is the key analyze caches under.
  const lineToEvent = new LineToEvent({
    format: options.format,
    source: fileSource(input),
    defaultService: "unknown",
    maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES,
  });
  const keyer = new TemplateKeyer();
  const statePath = join(stateDir(config), TEMPLATE_KEYS_FILE);
  if (options.state) await loadTemplateKeyerState(statePath, keyer, { logger });
  const out = new LineWriter(process.stdout);
  exitQuietlyOnBrokenPipe(process.stdout);
  const write = (row: Row) => {
    const json =
      "key" in row
        ? { line: row.line, templateId: row.key.templateId, template: row.key.template }
        : { line: row.line, templateId: null, template: null, rejected: row.rejected };
    return out.write(jsonForTerminal(JSON.stringify(json)));
  };
  // Final keys are known only at the end: rows wait, holding a reference to their arrival key.
  const waiting: Row[] = [];
  const ingestedAt = new Date().toISOString();
  for await (const batch of readLines(input.chunks, {
    maxLineBytes: config.SENTINEL_MAX_LINE_BYTES,
  })) {
    for (const line of batch) {
      const outcome = lineToEvent.convert(line, ingestedAt);
      const row: Row = outcome.ok
        ? { line: line.number, key: keyer.keyOf(outcome.event.message) }
        : { line: line.number, rejected: outcome.reason };
      if (options.streaming) await write(row);
      else waiting.push(row);
    }
  }
  for (const row of waiting) {
    await write("key" in row ? { line: row.line, key: keyer.finalKeyOf(row.key) } : row);
  }
  await out.end();
  if (options.state) await saveTemplateKeyerState(statePath, keyer);
}
