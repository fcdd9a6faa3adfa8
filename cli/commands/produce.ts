import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { eventMessage } from "../../core/kafka/logEventRecords.js";
import type { OutgoingMessage } from "../../core/kafka/producer.js";
import {
  generateSyntheticLogs,
  SCENARIOS,
  type Scenario,
  scenarioDefaults,
} from "../../core/synthetic/index.js";
import { syntheticLogEvent } from "../../core/synthetic/toLogEvent.js";
import type { SyntheticRecord } from "../../core/synthetic/types.js";
import type { DatasetRecord } from "../../fine-tune/dataset/datasetLine.js";
import { exitQuietlyOnBrokenPipe, LineWriter, UsageError } from "../io.js";
import { addKafkaOptions, connectKafka } from "../kafka.js";
import { startRuntime } from "../runtime.js";
import { pacedSyntheticLines } from "../sources/pacedSynthetic.js";
import { parsePositiveInt, parsePositiveNumber } from "./options.js";

interface ProduceOptions {
  scenario: Scenario;
  rate?: number;
  count?: number;
  seed: number;
  start?: Date;
  realtime: boolean;
  to: string;
  brokers?: string;
  labelled: boolean;
}

export function parseScenario(value: string): Scenario {
  if ((SCENARIOS as readonly string[]).includes(value)) return value as Scenario;
  throw new InvalidArgumentError(`expected one of ${SCENARIOS.join(", ")}`);
}

function parseStart(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new InvalidArgumentError("expected an ISO-8601 date-time");
  return date;
}

export function registerProduce(program: Command): void {
  const command = program
    .command("produce")
    .description(
      "generate realistic multi-service logs with ground-truth labels, as JSON lines on stdout",
    )
    .option("-s, --scenario <name>", `one of ${SCENARIOS.join(", ")}`, parseScenario, "steady")
    .option(
      "-r, --rate <events>",
      "events per second of event time (default: the scenario's, 50)",
      parsePositiveNumber,
    )
    .option(
      "-n, --count <events>",
      "how many events (default: the scenario's length at --rate)",
      parsePositiveInt,
    )
    .option("--seed <n>", "random seed; the same seed gives the same output", parsePositiveInt, 1)
    .option("--start <time>", "event time of the first line (ISO-8601)", parseStart)
    .option(
      "--realtime",
      "release lines at --rate per wall-clock second, with current timestamps",
      false,
    )
    .option(
      "--labelled",
      'print only {"message", "level", "label"} per line: a synthetic starter dataset for `sentinel dataset`',
      false,
    )
    .option(
      "--to <sink>",
      "stdout (JSON lines) or kafka (log events to the raw-logs topic)",
      "stdout",
    );
  addKafkaOptions(command).action(produce);
}

async function produce(options: ProduceOptions): Promise<void> {
  if (options.to !== "stdout" && options.to !== "kafka")
    throw new UsageError("--to takes stdout or kafka");
  if (options.to === "kafka") {
    if (options.labelled) throw new UsageError("--labelled prints a dataset; it needs --to stdout");
    return produceToKafka(options);
  }
  if (options.labelled && options.realtime)
    throw new UsageError("--labelled prints a dataset at once; it cannot be --realtime");
  const out = new LineWriter(process.stdout);
  exitQuietlyOnBrokenPipe(process.stdout);
  const synthetic = {
    scenario: options.scenario,
    seed: options.seed,
    rate: options.rate ?? scenarioDefaults(options.scenario).rate,
    ...(options.count !== undefined && { count: options.count }),
  };
  if (options.realtime) {
    const stop = new AbortController();
    process.once("SIGINT", () => stop.abort());
    process.once("SIGTERM", () => stop.abort());
    for await (const lines of pacedSyntheticLines(synthetic, stop.signal)) {
      process.stdout.write(lines);
    }
    return;
  }
  for (const record of generateSyntheticLogs({
    ...synthetic,
    ...(options.start && { start: options.start }),
  })) {
    await out.write(JSON.stringify(options.labelled ? datasetRecord(record) : record));
  }
  await out.end();
}

/** A dataset line (fine-tune/dataset) from a synthetic record: what the model reads, and the truth. */
function datasetRecord(record: SyntheticRecord): DatasetRecord {
  return { message: record.message, level: record.level, label: record.label };
}

/** Synthetic log events straight to the raw-logs topic, as an ingestion source would send them. */
async function produceToKafka(options: ProduceOptions): Promise<void> {
  const runtime = startRuntime();
  const { config, logger } = runtime;
  const { producer } = await connectKafka(runtime, options.brokers);
  const ingestedAt = new Date().toISOString();
  let batch: OutgoingMessage[] = [];
  let sent = 0;
  let index = 0;
  const records = generateSyntheticLogs({
    scenario: options.scenario,
    seed: options.seed,
    rate: options.rate ?? scenarioDefaults(options.scenario).rate,
    ...(options.count !== undefined && { count: options.count }),
    ...(options.start && { start: options.start }),
  });
  for (const record of records) {
    batch.push(eventMessage(syntheticLogEvent(record, options.seed, index++, ingestedAt)));
    if (batch.length === 1_000) {
      await producer.send(config.KAFKA_TOPIC_RAW, batch);
      sent += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await producer.send(config.KAFKA_TOPIC_RAW, batch);
  sent += batch.length;
  await producer.disconnect();
  logger.info({ sent, topic: config.KAFKA_TOPIC_RAW }, "produced synthetic log events");
}
