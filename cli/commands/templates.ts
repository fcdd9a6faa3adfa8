import type { Command } from "commander";
import { jsonForTerminal } from "../../core/logging/terminalText.js";
import type { InputFormat } from "../../core/normalize/index.js";
import { TemplateKeyer } from "../../core/templates/templateKeyer.js";
import { exitQuietlyOnBrokenPipe, fileSource, LineWriter, openInput } from "../io.js";
import { startRuntime } from "../runtime.js";
import { readLines } from "../sources/file/lineReader.js";
import { LineToEvent } from "../sources/file/lineToEvent.js";
import { formatOption } from "./options.js";

export function registerTemplates(program: Command): void {
  program
    .command("templates")
    .description(
      "print the template key of every input line as JSON: {line, templateId, template}; rejected lines carry a reason instead",
    )
    .argument("[file]", "log file to read, or - for standard input", "-")
    .addOption(formatOption())
    .action(templates);
}

async function templates(file: string, options: { format: InputFormat }): Promise<void> {
  const { config } = startRuntime();
  const input = openInput(file);
  // The same reading as `sentinel analyze`, so a line's key here is the key analyze caches under.
  const lineToEvent = new LineToEvent({
    format: options.format,
    source: fileSource(input),
    defaultService: "unknown",
    maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES,
  });
  const keyer = new TemplateKeyer();
  const out = new LineWriter(process.stdout);
  exitQuietlyOnBrokenPipe(process.stdout);
  const ingestedAt = new Date().toISOString();
  for await (const batch of readLines(input.chunks, {
    maxLineBytes: config.SENTINEL_MAX_LINE_BYTES,
  })) {
    for (const line of batch) {
      const outcome = lineToEvent.convert(line, ingestedAt);
      if (outcome.ok) {
        const { templateId, template } = keyer.keyOf(outcome.event.message);
        await out.write(
          jsonForTerminal(JSON.stringify({ line: line.number, templateId, template })),
        );
      } else {
        await out.write(
          jsonForTerminal(
            JSON.stringify({
              line: line.number,
              templateId: null,
              template: null,
              rejected: outcome.reason,
            }),
          ),
        );
      }
    }
  }
  await out.end();
}
