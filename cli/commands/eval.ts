import type { Command } from "commander";
import type { ClassifierInput, LabelModel, Verdict } from "../../core/classifier/types.js";
import type { LogEvent } from "../../core/events/types.js";
import { LABELS, type Label } from "../../core/events/types.js";
import { ConfusionMatrix } from "../evaluation/classificationMetrics.js";
import { fileSource, LineWriter, openInput } from "../io.js";
import { formatCount } from "../progress.js";
import {
  addModelOptions,
  classifierFor,
  loadLabelModel,
  type ModelChoice,
  startRuntime,
} from "../runtime.js";
import { readLines } from "../sources/file/lineReader.js";
import { LineToEvent } from "../sources/file/lineToEvent.js";

interface EvalOptions extends ModelChoice {
  data: string;
  json: boolean;
}

export function registerEval(program: Command): void {
  const command = program
    .command("eval")
    .description(
      "measure a model on labelled lines: accuracy, per-label precision/recall/F1, confusion",
    )
    .requiredOption(
      "-d, --data <file>",
      'JSON lines {"message": ..., "label": ...}, or - for stdin',
    )
    .option("--json", "print the result as one JSON object", false);
  addModelOptions(command).action(evaluate);
}

/** Times the model's own work, so latency is per line the model actually read. */
class TimedModel implements LabelModel {
  readonly name: string;
  milliseconds = 0;
  constructor(readonly inner: LabelModel) {
    this.name = inner.name;
  }
  async classify(inputs: readonly ClassifierInput[]): Promise<Verdict[]> {
    const started = performance.now();
    const verdicts = await this.inner.classify(inputs);
    this.milliseconds += performance.now() - started;
    return verdicts;
  }
}

function isLabel(value: unknown): value is Label {
  return (LABELS as readonly unknown[]).includes(value);
}

async function evaluate(options: EvalOptions): Promise<void> {
  const runtime = startRuntime();
  const { config, logger } = runtime;
  const model = new TimedModel(await loadLabelModel(runtime, options));
  // Every line is judged on its own label, so suggestions are not wanted here.
  const classifier = classifierFor(runtime, model, "off");
  const input = openInput(options.data);
  const lineToEvent = new LineToEvent({
    format: "json",
    source: fileSource(input),
    defaultService: "eval",
    maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES,
  });
  const matrix = new ConfusionMatrix();
  const templates = new Set<string>();
  let skipped = 0;
  const ingestedAt = new Date().toISOString();
  for await (const batch of readLines(input.chunks, {
    maxLineBytes: config.SENTINEL_MAX_LINE_BYTES,
  })) {
    const events: LogEvent[] = [];
    const truths: Label[] = [];
    for (const line of batch) {
      const outcome = lineToEvent.convert(line, ingestedAt);
      const truth = outcome.ok ? outcome.event.attributes.label : undefined;
      if (!outcome.ok || !isLabel(truth)) {
        skipped++;
        continue;
      }
      events.push(outcome.event);
      truths.push(truth);
    }
    const classified = await classifier.classify(events);
    classified.forEach((event, i) => {
      matrix.add(truths[i] as Label, event.classification.label);
      templates.add(event.classification.templateId);
    });
  }
  await model.inner.dispose?.();

  const metrics = matrix.metrics();
  const result = {
    model: model.name,
    ...metrics,
    skipped,
    llmCalls: classifier.modelCalls,
    distinctTemplates: templates.size,
    meanLatencyMs:
      classifier.modelCalls === 0
        ? 0
        : Math.round((100 * model.milliseconds) / classifier.modelCalls) / 100,
  };
  if (skipped > 0)
    logger.warn({ skipped }, "lines without a message and a valid label were skipped");
  const out = new LineWriter(process.stdout);
  if (options.json) {
    await out.write(JSON.stringify(result, null, 2));
  } else {
    await out.write(
      [
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
      ].join("\n"),
    );
  }
  await out.end();
}
