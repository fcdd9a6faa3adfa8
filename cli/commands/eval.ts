import { renameSync, writeFileSync } from "node:fs";
import { type Command, InvalidArgumentError } from "commander";
import { BaselineModel } from "../../core/classifier/baselineModel.js";
import { LABELS, type Label } from "../../core/events/types.js";
import { forTerminal, jsonForTerminal } from "../../core/logging/terminalText.js";
import { evaluateGate, parseThreshold, type Threshold } from "../evaluation/evalGate.js";
import { renderEvalReport } from "../evaluation/evalReport.js";
import {
  evaluateModel,
  type LabelledEvent,
  type ModelEvaluation,
  TimedModel,
} from "../evaluation/modelEvaluation.js";
import { fileSource, LineWriter, openInput } from "../io.js";
import { formatCount } from "../progress.js";
import {
  addModelOptions,
  classifierFor,
  loadLabelModel,
  type ModelChoice,
  type Runtime,
  startRuntime,
} from "../runtime.js";
import { readLines } from "../sources/file/lineReader.js";
import { LineToEvent } from "../sources/file/lineToEvent.js";

interface EvalOptions extends ModelChoice {
  data: string;
  json: boolean;
  compare?: string;
  compareLora?: string;
  failUnder: Threshold[];
  maxRegression: number;
  report?: string;
}

export function registerEval(program: Command): void {
  const command = program
    .command("eval")
    .description(
      "measure a model on labelled lines (accuracy, macro-F1, per-label precision/recall, confusion, latency), optionally against an old model, as a gate",
    )
    .requiredOption(
      "-d, --data <file>",
      'JSON lines {"message": ..., "label": ...}, or - for stdin (the held-out split of `sentinel dataset split`)',
    )
    .option("--json", "print the result as one JSON object", false)
    .option(
      "--compare <model>",
      "also measure this old model (GGUF file, Hugging Face reference, or `baseline`) on the same lines; fail if the new one's macro-F1 is lower",
    )
    .option("--compare-lora <file>", "LoRA adapter for the --compare model")
    .option(
      "--fail-under <metric=min>",
      "fail (exit 1) unless the model reaches it: 0.8 (macro-F1), accuracy=0.9, incident.recall=0.95; repeatable",
      (value: string, previous: Threshold[]) => [...previous, parseThreshold(value)],
      [] as Threshold[],
    )
    .option(
      "--max-regression <delta>",
      "with --compare: how much lower the new macro-F1 may be",
      parseDelta,
      0,
    )
    .option("--report <file.html>", "write a self-contained HTML report with both models");
  addModelOptions(command).action(evaluate);
}

function parseDelta(value: string): number {
  const parsed = Number(value);
  if (!(parsed >= 0 && parsed <= 1))
    throw new InvalidArgumentError("expected a number from 0 to 1");
  return parsed;
}

function isLabel(value: unknown): value is Label {
  return (LABELS as readonly unknown[]).includes(value);
}

/** The labelled lines, read once (both models see the same); lines without a valid label are counted. */
async function readLabelled(
  runtime: Runtime,
  file: string,
): Promise<{ data: LabelledEvent[]; skipped: number }> {
  const input = openInput(file);
  const lineToEvent = new LineToEvent({
    format: "json",
    source: fileSource(input),
    defaultService: "eval",
    maxMessageBytes: runtime.config.SENTINEL_MAX_MESSAGE_BYTES,
  });
  const data: LabelledEvent[] = [];
  let skipped = 0;
  const ingestedAt = new Date().toISOString();
  for await (const batch of readLines(input.chunks, {
    maxLineBytes: runtime.config.SENTINEL_MAX_LINE_BYTES,
  })) {
    for (const line of batch) {
      const outcome = lineToEvent.convert(line, ingestedAt);
      const truth = outcome.ok ? outcome.event.attributes.label : undefined;
      if (!outcome.ok || !isLabel(truth)) skipped++;
      else data.push({ event: outcome.event, truth });
    }
  }
  return { data, skipped };
}

/** Loads one model (never falling back to another: a gate must measure what it was asked to), measures it, frees it. */
async function measure(
  runtime: Runtime,
  choice: ModelChoice,
  data: readonly LabelledEvent[],
): Promise<ModelEvaluation> {
  const model = new TimedModel(
    choice.baseline
      ? new BaselineModel()
      : await loadLabelModel(runtime, choice, { fallback: false }),
  );
  try {
    // Every line is judged on its own label, so suggestions are not wanted here.
    return await evaluateModel(classifierFor(runtime, model, "off"), model, data);
  } finally {
    await model.inner.dispose?.();
  }
}

async function evaluate(options: EvalOptions): Promise<void> {
  const runtime = startRuntime();
  const { logger } = runtime;
  const { data, skipped } = await readLabelled(runtime, options.data);
  if (skipped > 0)
    logger.warn({ skipped }, "lines without a message and a valid label were skipped");
  const candidate = await measure(runtime, options, data);
  let old: ModelEvaluation | undefined;
  if (options.compare !== undefined) {
    const hardware: ModelChoice = {
      ...(options.cpu !== undefined && { cpu: options.cpu }),
      ...(options.threads !== undefined && { threads: options.threads }),
      ...(options.parallel !== undefined && { parallel: options.parallel }),
    };
    old = await measure(
      runtime,
      options.compare === "baseline"
        ? { baseline: true }
        : {
            ...hardware,
            model: options.compare,
            ...(options.compareLora !== undefined && { lora: options.compareLora }),
          },
      data,
    );
  }
  const gated = options.failUnder.length > 0 || old !== undefined;
  const gate = gated
    ? evaluateGate(candidate, {
        thresholds: options.failUnder,
        ...(old && { old }),
        maxRegression: options.maxRegression,
      })
    : undefined;

  if (options.report !== undefined) {
    const partial = `${options.report}.partial`;
    writeFileSync(
      partial,
      renderEvalReport({
        data: options.data,
        generatedAt: new Date().toISOString(),
        candidate,
        ...(old && { old }),
        ...(gate && { gate }),
      }),
    );
    renameSync(partial, options.report);
  }

  const out = new LineWriter(process.stdout);
  if (options.json) {
    const result = { ...candidate, skipped, ...(old && { compared: old }), ...(gate && { gate }) };
    await out.write(jsonForTerminal(JSON.stringify(result, null, 2)));
  } else {
    await out.write(forTerminal(formatEvaluation(candidate)));
    if (old)
      await out.write(forTerminal(`\nCompared with the old model:\n${formatEvaluation(old)}`));
    if (gate) await out.write(gate.passed ? "\nGate passed" : "\nGate FAILED");
  }
  await out.end();
  if (gate && !gate.passed) {
    process.stderr.write(`sentinel: eval gate failed: ${forTerminal(gate.failures.join("; "))}\n`);
    process.exitCode = 1;
  }
}

function formatEvaluation(result: ModelEvaluation): string {
  return [
    `Model ${result.model}: ${formatCount(result.lines)} lines, accuracy ${(100 * result.accuracy).toFixed(1)}%, macro F1 ${result.macroF1.toFixed(3)}`,
    `LLM calls ${formatCount(result.llmCalls)} for ${formatCount(result.distinctTemplates)} distinct templates, mean latency ${result.meanLatencyMs} ms per uncached line`,
    "",
    `${"label".padEnd(18)} ${"precision".padStart(9)} ${"recall".padStart(7)} ${"F1".padStart(6)} ${"support".padStart(8)}`,
    ...LABELS.map((label) => {
      const m = result.perLabel[label];
      return `${label.padEnd(18)} ${m.precision.toFixed(3).padStart(9)} ${m.recall.toFixed(3).padStart(7)} ${m.f1.toFixed(3).padStart(6)} ${formatCount(m.support).padStart(8)}`;
    }),
    "",
    `confusion (rows: truth, columns: predicted)`,
    `${"".padEnd(18)} ${LABELS.map((l) => l.slice(0, 10).padStart(10)).join(" ")}`,
    ...LABELS.map(
      (truth) =>
        `${truth.padEnd(18)} ${LABELS.map((p) => formatCount(result.confusion[truth][p]).padStart(10)).join(" ")}`,
    ),
  ].join("\n");
}
