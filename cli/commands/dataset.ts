import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { maskSensitive } from "../../core/alerting/mask.js";
import { forTerminal, jsonForTerminal } from "../../core/logging/terminalText.js";
import { balanceLabels } from "../../fine-tune/dataset/balanceLabels.js";
import { classBalance, formatClassBalance } from "../../fine-tune/dataset/classBalance.js";
import { parseCsv } from "../../fine-tune/dataset/csv.js";
import type { DatasetError, DatasetExample } from "../../fine-tune/dataset/datasetLine.js";
import { dedupeByTemplate } from "../../fine-tune/dataset/dedupeByTemplate.js";
import {
  type ImportResult,
  importAnalysis,
  importCsv,
} from "../../fine-tune/dataset/importLabelled.js";
import {
  type Dataset,
  formatDatasetErrors,
  readDataset,
} from "../../fine-tune/dataset/readDataset.js";
import { renderTrainingExample } from "../../fine-tune/dataset/renderTraining.js";
import { splitByTemplate } from "../../fine-tune/dataset/splitByTemplate.js";
import { exitQuietlyOnBrokenPipe, LineWriter, openInput } from "../io.js";
import { type Runtime, startRuntime } from "../runtime.js";
import { readLines } from "../sources/file/lineReader.js";
import { parsePositiveInt } from "./options.js";

/**
 * `sentinel dataset …`: the labelled-data tools of the fine-tuning workflow (README, "Fine-tuning").
 * A dataset is JSON lines `{"message": ..., "label": ..., "level"?: ...}`. Every command that
 * reads one refuses a file with invalid lines, naming each (`file:line: why`), and writes nothing;
 * reports go to standard error, data to `--output` or standard output.
 */
export function registerDataset(program: Command): void {
  const dataset = program
    .command("dataset")
    .description(
      "labelled data for fine-tuning: validate, prepare, split, balance, import, render",
    );

  dataset
    .command("validate")
    .description("check a dataset file; lists every invalid line with its number (exit 1 if any)")
    .argument("<file>", "dataset JSON lines, or - for standard input")
    .action(validate);

  dataset
    .command("stats")
    .description("class balance: lines, share and distinct templates per label")
    .argument("<file>", "dataset JSON lines, or - for standard input")
    .option("--json", "print the balance as one JSON object", false)
    .action(stats);

  outputOption(
    dataset
      .command("prepare")
      .description(
        "normalise lines as the classifier reads them and keep a few per template key, so near-identical lines do not flood one class",
      )
      .argument("<file>", "dataset JSON lines, or - for standard input")
      .option(
        "--per-template <n>",
        "examples kept per template key and level",
        parsePositiveInt,
        1,
      ),
  ).action(prepare);

  dataset
    .command("split")
    .description(
      "stratified train/eval split; all lines of a template land on the same side (no leakage)",
    )
    .argument("<file>", "dataset JSON lines, or - for standard input")
    .requiredOption("--train <file>", "where the training lines go")
    .requiredOption("--eval <file>", "where the held-out lines go")
    .option("--eval-fraction <f>", "share of each label held out, 0 < f < 1", parseFraction, 0.2)
    .option("--seed <n>", "the same seed and data give the same split", parsePositiveInt, 1)
    .action(split);

  outputOption(
    dataset
      .command("balance")
      .description(
        "down-sample every label to at most N lines (default: the smallest label's count)",
      )
      .argument("<file>", "dataset JSON lines, or - for standard input")
      .option("--per-label <n>", "lines kept per label", parsePositiveInt)
      .option("--seed <n>", "which lines are kept", parsePositiveInt, 1),
  ).action(balance);

  outputOption(
    dataset
      .command("import-csv")
      .description("labelled CSV with a header row to a dataset")
      .argument("<file>", "CSV file, or - for standard input")
      .option("--message-column <name>", "column holding the log message", "message")
      .option("--label-column <name>", "column holding the label", "label")
      .option("--level-column <name>", "column holding the log level, if any"),
  ).action(importCsvFile);

  outputOption(
    dataset
      .command("import-analysis")
      .description(
        "`sentinel analyze --output jsonl` events to a dataset for review, labelled as the model did unless corrected",
      )
      .argument("<file>", "classified events, or - for standard input")
      .option(
        "--corrections <file>",
        "dataset of relabelled lines; its label wins for every line of the same template and level",
      ),
  ).action(importAnalysisFile);

  outputOption(
    dataset
      .command("render")
      .description(
        "the exact training text for each line, from the classifier's prompt template: input for fine-tune/train.py",
      )
      .argument("<file>", "dataset JSON lines, or - for standard input"),
  ).action(render);
}

function outputOption(command: Command): Command {
  return command.option("-o, --output <file>", "where to write (default: standard output)");
}

function parseFraction(value: string): number {
  const parsed = Number(value);
  if (!(parsed > 0 && parsed < 1))
    throw new InvalidArgumentError("expected a number between 0 and 1");
  return parsed;
}

function report(text: string): void {
  process.stderr.write(`${forTerminal(text)}\n`);
}

/** Says what is wrong with every invalid line and stops the command with exit status 1. */
function refuse(path: string, errors: readonly DatasetError[], what = "invalid lines"): void {
  report(formatDatasetErrors({ path, errors: [...errors] }));
  report(`sentinel: ${path}: ${errors.length} ${what}; nothing was written`);
  process.exitCode = 1;
}

async function loadDataset(runtime: Runtime, file: string): Promise<Dataset> {
  return readDataset(openInput(file), {
    maxLineBytes: runtime.config.SENTINEL_MAX_LINE_BYTES,
    maxMessageBytes: runtime.config.SENTINEL_MAX_MESSAGE_BYTES,
  });
}

/** The dataset, or undefined after refusing it. */
async function validDataset(runtime: Runtime, file: string): Promise<Dataset | undefined> {
  const dataset = await loadDataset(runtime, file);
  if (dataset.errors.length > 0) {
    refuse(dataset.path, dataset.errors);
    return undefined;
  }
  return dataset;
}

/** Writes whole JSON lines to a file (through a temporary file, so a reader never sees half) or stdout. */
async function writeLines(output: string | undefined, values: readonly unknown[]): Promise<void> {
  const lines = values.map((value) => jsonForTerminal(JSON.stringify(value)));
  if (output === undefined || output === "-") {
    const out = new LineWriter(process.stdout);
    exitQuietlyOnBrokenPipe(process.stdout);
    for (const line of lines) await out.write(line);
    await out.end();
    return;
  }
  const partial = `${output}.partial`;
  writeFileSync(partial, lines.length === 0 ? "" : `${lines.join("\n")}\n`);
  renameSync(partial, output);
}

const records = (examples: readonly DatasetExample[]) => examples.map((e) => e.record);

async function validate(file: string): Promise<void> {
  const dataset = await loadDataset(startRuntime(), file);
  if (dataset.errors.length > 0) {
    refuse(dataset.path, dataset.errors);
    return;
  }
  process.stdout.write(
    `${forTerminal(`${dataset.path}: ${dataset.examples.length} valid lines`)}\n`,
  );
}

async function stats(file: string, options: { json: boolean }): Promise<void> {
  const dataset = await validDataset(startRuntime(), file);
  if (!dataset) return;
  const balance = classBalance(dataset.examples);
  process.stdout.write(
    options.json
      ? `${JSON.stringify({ ...balance, imbalance: Number.isFinite(balance.imbalance) ? balance.imbalance : null }, null, 2)}\n`
      : `${formatClassBalance(balance)}\n`,
  );
}

async function prepare(
  file: string,
  options: { perTemplate: number; output?: string },
): Promise<void> {
  const dataset = await validDataset(startRuntime(), file);
  if (!dataset) return;
  const result = dedupeByTemplate(dataset.examples, { perTemplate: options.perTemplate });
  await writeLines(options.output, records(result.kept));
  report(
    `kept ${result.kept.length} of ${dataset.examples.length} lines: ${result.duplicates} repeated a template, ${result.conflicting} disagreed with their template's majority label`,
  );
  for (const conflict of result.conflicts) {
    const labels = Object.entries(conflict.labels)
      .map(([label, count]) => `${label} ×${count}`)
      .join(", ");
    report(
      `  conflicting labels (${labels}), kept ${conflict.kept}: ${maskSensitive(conflict.template)}`,
    );
  }
  report(formatClassBalance(classBalance(result.kept)));
}

async function split(
  file: string,
  options: { train: string; eval: string; evalFraction: number; seed: number },
): Promise<void> {
  const dataset = await validDataset(startRuntime(), file);
  if (!dataset) return;
  const parts = splitByTemplate(dataset.examples, options);
  await writeLines(options.train, records(parts.train));
  await writeLines(options.eval, records(parts.eval));
  report(`train: ${parts.train.length} lines\n${formatClassBalance(classBalance(parts.train))}`);
  report(`eval: ${parts.eval.length} lines\n${formatClassBalance(classBalance(parts.eval))}`);
}

async function balance(
  file: string,
  options: { perLabel?: number; seed: number; output?: string },
): Promise<void> {
  const dataset = await validDataset(startRuntime(), file);
  if (!dataset) return;
  const kept = balanceLabels(dataset.examples, options);
  await writeLines(options.output, records(kept));
  report(formatClassBalance(classBalance(kept)));
}

async function readText(file: string): Promise<string> {
  if (file !== "-") return readFileSync(file, "utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function writeImport(file: string, result: ImportResult, output?: string): Promise<void> {
  if (result.errors.length > 0) {
    refuse(file, result.errors, "rows that are not labelled examples");
    return;
  }
  await writeLines(output, result.records);
  report(`imported ${result.records.length} lines`);
}

async function importCsvFile(
  file: string,
  options: { messageColumn: string; labelColumn: string; levelColumn?: string; output?: string },
): Promise<void> {
  const { config } = startRuntime();
  const rows = parseCsv(await readText(file));
  const result = importCsv(
    rows,
    {
      message: options.messageColumn,
      label: options.labelColumn,
      ...(options.levelColumn !== undefined && { level: options.levelColumn }),
    },
    { maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES },
  );
  await writeImport(file, result, options.output);
}

async function importAnalysisFile(
  file: string,
  options: { corrections?: string; output?: string },
): Promise<void> {
  const runtime = startRuntime();
  let corrections: Dataset | undefined;
  if (options.corrections !== undefined) {
    corrections = await validDataset(runtime, options.corrections);
    if (!corrections) return;
  }
  const lines: { line: number; text: string }[] = [];
  for await (const batch of readLines(openInput(file).chunks, {
    maxLineBytes: runtime.config.SENTINEL_MAX_LINE_BYTES,
  })) {
    for (const line of batch) lines.push({ line: line.number, text: line.text });
  }
  const result = importAnalysis(lines, corrections ? records(corrections.examples) : [], {
    maxMessageBytes: runtime.config.SENTINEL_MAX_MESSAGE_BYTES,
  });
  await writeImport(file, result, options.output);
  const corrected = result.records.filter((r) => r.corrected === true).length;
  if (result.errors.length === 0) report(`${corrected} lines relabelled by corrections`);
}

async function render(file: string, options: { output?: string }): Promise<void> {
  const dataset = await validDataset(startRuntime(), file);
  if (!dataset) return;
  await writeLines(options.output, dataset.examples.map(renderTrainingExample));
  report(`rendered ${dataset.examples.length} training examples`);
}
