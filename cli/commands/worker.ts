import type { Command } from "commander";
import { classifierWorker } from "../../classifier-service/kafkaWorker.js";
import { publishConsumerLag } from "../../core/kafka/consumerLag.js";
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
  // For ECS autoscaling: the lag as a CloudWatch metric, through the task's log stream.
  const namespace = config.SENTINEL_CLOUDWATCH_METRICS_NAMESPACE;
  const lagMetric = namespace
    ? publishConsumerLag({ consumer: worker, kafka, namespace, logger })
    : undefined;
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
  await lagMetric?.stop();
  await worker.stop();
  await producer.disconnect();
  await classifier.model.dispose?.();
  await metrics.stop();
  logger.info({ ...worker.counts, modelCalls: classifier.modelCalls }, "classifier worker stopped");
}
