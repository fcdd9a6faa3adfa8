import type { Command } from "commander";
import { classifierWorker } from "../../classifier-service/kafkaWorker.js";
import { addKafkaOptions, connectKafka, untilSignal } from "../kafka.js";
import {
  addModelOptions,
  createClassifier,
  type ModelChoice,
  startProcessMetrics,
  startRuntime,
} from "../runtime.js";

interface WorkerOptions extends ModelChoice {
  brokers?: string;
}

export function registerWorker(program: Command): void {
  const worker = program
    .command("worker")
    .description("run a pipeline stage against Kafka until SIGTERM");
  const classify = worker
    .command("classify")
    .description(
      "consume raw-logs, classify, produce classified-logs (the classifier container's worker mode)",
    );
  addKafkaOptions(addModelOptions(classify)).action(runClassifyWorker);
}

async function runClassifyWorker(options: WorkerOptions): Promise<void> {
  const runtime = startRuntime();
  const { config, logger } = runtime;
  const classifier = await createClassifier(runtime, options);
  const metrics = await startProcessMetrics(runtime, "sentinel-worker");
  const { kafka, producer } = await connectKafka(runtime, options.brokers);
  const worker = classifierWorker({ kafka, settings: config, classifier, producer, logger });
  const stopped = untilSignal(runtime);
  await worker.start();
  logger.info(
    {
      group: config.KAFKA_CONSUMER_GROUP,
      from: config.KAFKA_TOPIC_RAW,
      to: config.KAFKA_TOPIC_CLASSIFIED,
      model: classifier.modelName,
    },
    "classifier worker started",
  );
  await stopped;
  await worker.stop();
  await producer.disconnect();
  await classifier.model.dispose?.();
  await metrics.stop();
  logger.info({ ...worker.counts, modelCalls: classifier.modelCalls }, "classifier worker stopped");
}
