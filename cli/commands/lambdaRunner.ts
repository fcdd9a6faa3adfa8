import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Command } from "commander";
import type { ScheduledEvent } from "../../core/eventbridge/scheduledEvent.js";
import { UsageError } from "../io.js";
import { addKafkaOptions, connectKafka, untilSignal } from "../kafka.js";
import { type KafkaLambdaHandler, LambdaRunner } from "../lambdaRunner.js";
import { startProcessMetrics, startRuntime } from "../runtime.js";
import { parsePositiveInt } from "./options.js";

interface RunnerOptions {
  handler: string;
  function?: string;
  topic: string[];
  batchSize: number;
  windowMs: number;
  retries: number;
  onFailure?: string;
  schedule?: number;
  brokers?: string;
}

export function registerLambdaRunner(program: Command): void {
  const command = program
    .command("lambda-runner")
    .description(
      "run a Lambda handler against Kafka as the MSK event source mapping would (local emulation)",
    )
    .requiredOption(
      "--handler <module>",
      "module path, with #export (default export name: handler)",
    )
    .requiredOption("--topic <topic...>", "topics to consume")
    .option(
      "--function <name>",
      "function name, used as the consumer group (default: the module's name)",
    )
    .option("--batch-size <n>", "records per invocation (BatchSize)", parsePositiveInt, 100)
    .option(
      "--window-ms <ms>",
      "batching window (MaximumBatchingWindowInSeconds × 1000)",
      parsePositiveInt,
      500,
    )
    .option("--retries <n>", "retries of a failed batch", (v) => Number.parseInt(v, 10), 2)
    .option("--on-failure <topic>", "on-failure destination topic (default: the dead-letter topic)")
    .option(
      "--schedule <seconds>",
      "also invoke the handler every N seconds with an EventBridge scheduled event (the notifier's flush)",
      parsePositiveInt,
    );
  addKafkaOptions(command).action(runLambda);
}

async function loadHandler(spec: string): Promise<{ name: string; handler: KafkaLambdaHandler }> {
  const [path, exportName = "handler"] = spec.split("#") as [string, string?];
  const module = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  const handler = module[exportName];
  if (typeof handler !== "function")
    throw new UsageError(`${path} has no exported function ${exportName}`);
  const name =
    path
      .split(/[\\/]/)
      .pop()
      ?.replace(/\.[cm]?[jt]s$/, "") ?? "handler";
  return { name, handler: handler as KafkaLambdaHandler };
}

async function runLambda(options: RunnerOptions): Promise<void> {
  if (!Number.isInteger(options.retries) || options.retries < 0)
    throw new UsageError("--retries takes a whole number of at least 0");
  const runtime = startRuntime();
  const { config, logger } = runtime;
  const { name, handler } = await loadHandler(options.handler);
  // /readyz (with SENTINEL_METRICS_PORT) for the container's health check: ready once the
  // runner consumes, not while it connects or stops.
  let readiness = { ready: false, reason: "starting: connecting to Kafka" };
  const metrics = await startProcessMetrics(runtime, "sentinel-lambda-runner", () => readiness);
  const { kafka, producer } = await connectKafka(runtime, options.brokers);
  const functionName = options.function ?? name;
  const runner = new LambdaRunner({
    kafka,
    functionName,
    topics: options.topic,
    handler,
    batchSize: options.batchSize,
    batchWindowMs: options.windowMs,
    maxRetries: options.retries,
    onFailure: { producer, topic: options.onFailure ?? config.KAFKA_TOPIC_DEAD_LETTER },
    ...(options.schedule && {
      schedule: {
        everyMs: options.schedule * 1000,
        // The module's one handler takes both events, as the notifier Lambda does in AWS.
        handler: handler as unknown as (event: ScheduledEvent) => Promise<unknown>,
      },
    }),
    ...(config.AWS_REGION && { region: config.AWS_REGION }),
    logger,
  });
  const stopped = untilSignal(runtime);
  await runner.start();
  readiness = { ready: true, reason: `running ${functionName} on ${options.topic.join(", ")}` };
  logger.info(
    { functionName, topics: options.topic, scheduleSeconds: options.schedule },
    "lambda runner started",
  );
  await stopped;
  readiness = { ready: false, reason: "stopping" };
  await runner.stop();
  await producer.disconnect();
  await metrics.stop();
  logger.info(
    { functionName, ...runner.counts, scheduled: runner.scheduled },
    "lambda runner stopped",
  );
}
