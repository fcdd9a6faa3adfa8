import { join } from "node:path";
import { type Command, Option } from "commander";
import { renderOptionsFrom } from "../core/alerting/createChannels.js";
import { stateDir } from "../core/config/stateDir.js";
import { FileCheckpointStore } from "../core/files/checkpointStore.js";
import { CheckpointConflictError } from "../core/ingestion/checkpoint.js";
import { CallbackEventSink, type EventSink, KafkaEventSink } from "../core/ingestion/eventSink.js";
import type { Logger } from "../core/logging/logger.js";
import { addMaskOption, eventLine, summaryText } from "./analysisOutput.js";
import { parseOutput, parsePositiveInt } from "./commands/options.js";
import { EmbeddedReport } from "./embeddedReport.js";
import { exitQuietlyOnBrokenPipe, LineWriter } from "./io.js";
import { addKafkaOptions, connectKafka } from "./kafka.js";
import {
  addModelOptions,
  createClassifier,
  keepTemplateKeys,
  type ModelChoice,
  type Runtime,
  startProcessMetrics,
} from "./runtime.js";

/**
 * Where `sentinel ingest <source>` hands its events: the embedded pipeline (classified here, and
 * summarised at the end like `sentinel analyze`), or Kafka `raw-logs` for the classifier workers.
 * Every ingest source registers these options and opens its target with `openIngestTarget`.
 */

export interface IngestTargetOptions extends ModelChoice {
  to: "embedded" | "kafka";
  output: "summary" | "json" | "jsonl";
  mask: boolean;
  top: number;
  brokers?: string;
  checkpointDir?: string;
}

export interface IngestTarget {
  /** Resolves once the events are classified (embedded) or acknowledged by Kafka. */
  sink: EventSink;
  /** Prints the summary (embedded) or disconnects (Kafka). */
  close(): Promise<void>;
}

/** `--to`, `-o/--output`, `--mask`, `--top`, the model options and `--brokers`. */
export function addIngestTargetOptions(command: Command): Command {
  command
    .addOption(
      new Option(
        "--to <target>",
        "embedded (classify here, print a summary) or kafka (the raw-logs topic)",
      )
        .choices(["embedded", "kafka"])
        .default("embedded"),
    )
    .option(
      "-o, --output <output>",
      "with --to embedded: summary, json (the summary) or jsonl (one classified event per line)",
      parseOutput,
      "summary",
    )
    .option("--top <n>", "with --to embedded: templates listed per label", parsePositiveInt, 5)
    .option(
      "--checkpoint-dir <dir>",
      "where checkpoints are kept (default: <SENTINEL_STATE_DIR>/checkpoints)",
    );
  return addKafkaOptions(addModelOptions(addMaskOption(command)));
}

/** A checkpoint another run advanced: this run stops without saving, with exit status 1. */
export function stoppedByCheckpointConflict(error: unknown, logger: Logger): boolean {
  if (!(error instanceof CheckpointConflictError)) return false;
  logger.error(error.message);
  process.exitCode = 1;
  return true;
}

/** The CLI's checkpoints: JSON files in --checkpoint-dir, else the state directory's checkpoints/. */
export function checkpointStore<T>(
  { config, logger }: Pick<Runtime, "config" | "logger">,
  dir: string | undefined,
): FileCheckpointStore<T> {
  return new FileCheckpointStore<T>(dir ?? join(stateDir(config), "checkpoints"), { logger });
}

export async function openIngestTarget(
  runtime: Runtime,
  options: IngestTargetOptions,
): Promise<IngestTarget> {
  return options.to === "kafka" ? kafkaTarget(runtime, options) : embeddedTarget(runtime, options);
}

async function kafkaTarget(runtime: Runtime, options: IngestTargetOptions): Promise<IngestTarget> {
  const { config, logger } = runtime;
  // /readyz (with SENTINEL_METRICS_PORT) for a forwarder container's health check: ready once
  // connected to Kafka; a batch Kafka refused makes it unready until one is acknowledged again.
  let readiness = { ready: false, reason: "starting: connecting to Kafka" };
  const metrics = await startProcessMetrics(runtime, "sentinel-ingest", () => readiness);
  const { producer } = await connectKafka(runtime, options.brokers);
  readiness = { ready: true, reason: `forwarding to ${config.KAFKA_TOPIC_RAW}` };
  let sent = 0;
  const kafka = new KafkaEventSink(producer, config.KAFKA_TOPIC_RAW);
  return {
    sink: {
      async write(events, signal) {
        try {
          await kafka.write(events, signal);
        } catch (error) {
          readiness = {
            ready: false,
            reason: `Kafka refused a batch: ${(error as Error).message}`,
          };
          throw error;
        }
        readiness = { ready: true, reason: `forwarding to ${config.KAFKA_TOPIC_RAW}` };
        sent += events.length;
      },
    },
    async close() {
      await producer.disconnect();
      await metrics.stop();
      logger.info({ sent, topic: config.KAFKA_TOPIC_RAW }, "sent log events to Kafka");
    },
  };
}

async function embeddedTarget(
  runtime: Runtime,
  options: IngestTargetOptions,
): Promise<IngestTarget> {
  const classifier = await createClassifier(runtime, options);
  const saveTemplateKeys = await keepTemplateKeys(runtime, classifier);
  const report = new EmbeddedReport(runtime.config, {
    top: options.top,
    detect: options.output !== "jsonl",
  });
  const stdout = new LineWriter(process.stdout);
  exitQuietlyOnBrokenPipe(process.stdout);
  const mask = options.mask ? renderOptionsFrom(runtime.config).mask : undefined;
  return {
    sink: new CallbackEventSink(async (events) => {
      const classified = await classifier.classify(events);
      await report.recordClassified(classified);
      if (options.output === "jsonl") {
        for (const event of classified) await stdout.write(eventLine(event, mask));
        await stdout.flush();
      }
    }),
    async close() {
      const summary = await report.finish(classifier);
      if (options.output !== "jsonl") await stdout.write(summaryText(summary, options.output));
      await stdout.end();
      await saveTemplateKeys();
      await classifier.model.dispose?.();
    },
  };
}
