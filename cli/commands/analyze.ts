import { createWriteStream } from "node:fs";
import { basename, extname } from "node:path";
import type { Command } from "commander";
import { renderOptionsFrom } from "../../core/alerting/createChannels.js";
import type { OutgoingMessage } from "../../core/kafka/producer.js";
import type { InputFormat } from "../../core/normalize/index.js";
import { addMaskOption, eventLines, summaryText } from "../analysisOutput.js";
import { EmbeddedReport } from "../embeddedReport.js";
import {
  exitQuietlyOnBrokenPipe,
  fileSource,
  type Input,
  LineWriter,
  openInput,
  UsageError,
} from "../io.js";
import { Pipeline, type PipelineSinks } from "../pipeline/pipeline.js";
import { formatCount, progressBar, StatusLine } from "../progress.js";
import {
  addModelOptions,
  createClassifier,
  type ModelChoice,
  type Runtime,
  startRuntime,
} from "../runtime.js";
import { readLines } from "../sources/file/lineReader.js";
import { LineToEvent } from "../sources/file/lineToEvent.js";
import { addKafkaOptions, formatOption, parseOutput, parsePositiveInt } from "./options.js";

interface AnalyzeOptions extends ModelChoice {
  format: InputFormat;
  output: "summary" | "json" | "jsonl";
  mask: boolean;
  rejects?: string;
  service?: string;
  top: number;
  to: string;
  brokers?: string;
}

export function registerAnalyze(program: Command): void {
  const command = program
    .command("analyze")
    .description(
      "classify a log file (or stdin) and summarise it: labels, services, templates, alerts",
    )
    .argument("[file]", "log file to read, or - for standard input", "-")
    .addOption(formatOption())
    .option(
      "-o, --output <output>",
      "summary (for people), json (the summary) or jsonl (one event per line)",
      parseOutput,
      "summary",
    )
    .option(
      "--rejects <file>",
      "write one JSON object per rejected line ({line, reason}) to this file",
    )
    .option(
      "--service <name>",
      "service name for lines that do not carry one (default: the file's name)",
    )
    .option("--top <n>", "templates listed per label", parsePositiveInt, 5)
    .option(
      "--to <sink>",
      "where events go: stdout (classify here) or kafka (the raw-logs topic)",
      "stdout",
    );
  addKafkaOptions(addModelOptions(addMaskOption(command))).action(analyze);
}

async function analyze(file: string, options: AnalyzeOptions): Promise<void> {
  if (options.to !== "stdout" && options.to !== "kafka")
    throw new UsageError("--to takes stdout or kafka");
  const runtime = startRuntime();
  const { config } = runtime;
  const input = openInput(file);
  if (options.to === "kafka") return sendToKafka(runtime, input, options);
  const classifier = await createClassifier(runtime, options);
  // Detection replays the input's timeline on event time; the summary lists what it raised.
  // With --output jsonl the events are the output, and the report only counts rejected lines.
  const summarise = options.output !== "jsonl";
  const report = new EmbeddedReport(config, { top: options.top, detect: summarise });
  const lineToEvent = new LineToEvent({
    format: options.format,
    source: fileSource(input),
    defaultService: options.service ?? defaultServiceName(input.path),
    maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES,
  });

  const sinks: PipelineSinks[] = [
    {
      rejected: (rejections) => {
        for (const rejection of rejections) report.recordRejected(rejection.reason);
      },
    },
  ];
  if (summarise) sinks.push({ classified: (events) => report.recordClassified(events) });
  const stdout = new LineWriter(process.stdout);
  exitQuietlyOnBrokenPipe(process.stdout);
  if (options.output === "jsonl") {
    const mask = options.mask ? renderOptionsFrom(config).mask : undefined;
    sinks.push({
      classified: (events) => stdout.write(eventLines(events, mask)),
    });
  }
  const rejectsFile = options.rejects
    ? new LineWriter(createWriteStream(options.rejects))
    : undefined;
  if (rejectsFile) {
    sinks.push({
      rejected: (rejections) =>
        rejectsFile.writeLines(rejections.map((rejection) => JSON.stringify(rejection))),
    });
  }

  const pipeline = new Pipeline({ lineToEvent, classifier, sinks });
  const status = new StatusLine();
  const started = Date.now();
  let bytesRead = 0;
  const counted = countBytes(input.chunks, (n) => {
    bytesRead += n;
  });
  for await (const batch of readLines(counted, { maxLineBytes: config.SENTINEL_MAX_LINE_BYTES })) {
    await pipeline.process(batch);
    if (status.enabled && input.size !== undefined && input.size > 1_000_000) {
      const rate = pipeline.counts.lines / Math.max(0.001, (Date.now() - started) / 1000);
      status.update(
        `${progressBar(bytesRead, input.size)} ${formatCount(pipeline.counts.lines)} lines, ${formatCount(Math.round(rate))}/s`,
      );
    }
  }
  status.clear();
  await rejectsFile?.end();
  const summary = await report.finish(classifier);
  if (options.output !== "jsonl") await stdout.write(summaryText(summary, options.output));
  await stdout.end();
  await classifier.model.dispose?.();

  const { lines, accepted, rejected } = pipeline.counts;
  if (rejected > 0) {
    runtime.logger.warn(
      { lines, accepted, rejected, reasons: summary.input.rejectReasons },
      options.rejects
        ? `${rejected} lines rejected, details in ${options.rejects}`
        : `${rejected} lines rejected (--rejects FILE lists them)`,
    );
  }
}

async function* countBytes(
  chunks: AsyncIterable<Buffer>,
  count: (n: number) => void,
): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    count(chunk.length);
    yield chunk;
  }
}

/** `api.log`, `api.log.gz` and `api.jsonl` are the service `api`. */
function defaultServiceName(path: string): string {
  if (path === "-") return "unknown";
  const name = basename(path).replace(/\.gz$/i, "");
  return basename(name, extname(name)) || "unknown";
}

/**
 * `--to kafka`: the file's lines, normalised into log events, go to the raw-logs topic for the
 * classifier workers; rejected lines are reported here as they would be locally.
 */
async function sendToKafka(runtime: Runtime, input: Input, options: AnalyzeOptions): Promise<void> {
  const { config, logger } = runtime;
  // Loaded here: the Kafka client and its AWS signer are a third of the CLI's code.
  const { connectKafka } = await import("../kafka.js");
  const { eventMessage } = await import("../../core/kafka/logEventRecords.js");
  const { producer } = await connectKafka(runtime, options.brokers);
  const lineToEvent = new LineToEvent({
    format: options.format,
    source: fileSource(input),
    defaultService: options.service ?? defaultServiceName(input.path),
    maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES,
  });
  const rejectsFile = options.rejects
    ? new LineWriter(createWriteStream(options.rejects))
    : undefined;
  const counts = { lines: 0, sent: 0, rejected: 0 };
  for await (const batch of readLines(input.chunks, {
    maxLineBytes: config.SENTINEL_MAX_LINE_BYTES,
  })) {
    const ingestedAt = new Date().toISOString();
    const messages: OutgoingMessage[] = [];
    for (const line of batch) {
      const outcome = lineToEvent.convert(line, ingestedAt);
      if (outcome.ok) messages.push(eventMessage(outcome.event));
      else {
        counts.rejected++;
        await rejectsFile?.write(JSON.stringify({ line: line.number, reason: outcome.reason }));
      }
    }
    await producer.send(config.KAFKA_TOPIC_RAW, messages);
    counts.lines += batch.length;
    counts.sent += messages.length;
  }
  await rejectsFile?.end();
  await producer.disconnect();
  logger.info({ ...counts, topic: config.KAFKA_TOPIC_RAW }, "sent log events to Kafka");
}
