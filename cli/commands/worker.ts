import type { Command } from "commander";
import { classifierWorker } from "../../classifier-service/kafkaWorker.js";
import {
  createModelFromConfig,
  type LlmLoader,
  type ModelConfig,
} from "../../classifier-service/modelFactory.js";
import type { LabelModel } from "../../core/classifier/types.js";
import { publishConsumerLag } from "../../core/kafka/consumerLag.js";
import { ModelUnavailableError } from "../../core/llm/modelSource.js";
import { addKafkaOptions, connectKafka, type KafkaConnection, untilSignal } from "../kafka.js";
import {
  addModelOptions,
  classifierFor,
  loadLabelModel,
  type ModelChoice,
  type Runtime,
  startProcessMetrics,
  startRuntime,
} from "../runtime.js";

export interface WorkerOptions extends ModelChoice {
  brokers?: string;
}

/** What the command reaches outside itself for; tests replace them. */
export interface WorkerDependencies {
  /** Configuration and logger; startRuntime() by default. */
  runtime?: Runtime;
  /** The LLM loader the model factory calls; core/llm's by default. */
  loadLlm?: LlmLoader;
  /** Kafka client and producer; connectKafka by default. */
  connect?: (runtime: Runtime, brokers?: string) => Promise<KafkaConnection>;
  /** Resolves when the worker should stop; the first SIGINT or SIGTERM by default. */
  untilStopped?: (runtime: Runtime) => Promise<void>;
  /** The consumer-lag EMF lines (SENTINEL_CLOUDWATCH_METRICS_NAMESPACE): where, how often. */
  lagMetric?: { write?: (line: string) => void; intervalMs?: number };
}

export function registerWorker(program: Command): void {
  const worker = program
    .command("worker")
    .description("run a pipeline stage against Kafka until SIGTERM");
  const classify = worker
    .command("classify")
    .description(
      "consume raw-logs, classify, produce classified-logs (the classifier container's worker mode); " +
        "needs a model (SENTINEL_MODEL or --model) unless --baseline is given",
    );
  addKafkaOptions(
    addModelOptions(classify, {
      model: "GGUF file or Hugging Face reference, pulled if need be (default: SENTINEL_MODEL)",
      baseline:
        "classify with the rule-based baseline model; without it the worker refuses to start with no model",
    }),
  ).action((options: WorkerOptions) => runClassifyWorker(options));
}

/**
 * `sentinel worker classify`: the classifier service's Kafka mode. The model comes from the same
 * factory as the HTTP service (classifier-service/modelFactory.ts), with the command-line options
 * over the SENTINEL_* variables, and there is no fallback: without a model the worker refuses to
 * start, before it touches Kafka, unless `--baseline` asks for the rule model explicitly.
 */
export async function runClassifyWorker(
  options: WorkerOptions,
  dependencies: WorkerDependencies = {},
): Promise<void> {
  const runtime = dependencies.runtime ?? startRuntime();
  const { config, logger } = runtime;
  const model = await loadWorkerModel(runtime, options, dependencies.loadLlm);
  const classifier = classifierFor(
    runtime,
    model,
    options.suggestions ?? config.SENTINEL_SUGGESTIONS,
  );
  // /readyz (with SENTINEL_METRICS_PORT) for the container's health check: the model is loaded by
  // now; ready once the consumer runs, not while it starts or stops.
  let readiness = { ready: false, reason: "starting: connecting to Kafka" };
  const metrics = await startProcessMetrics(runtime, "sentinel-worker", () => readiness);
  const { kafka, producer } = await (dependencies.connect ?? connectKafka)(
    runtime,
    options.brokers,
  );
  const worker = classifierWorker({ kafka, settings: config, classifier, producer, logger });
  const stopped = (dependencies.untilStopped ?? untilSignal)(runtime);
  await worker.start();
  readiness = { ready: true, reason: `classifying with ${classifier.modelName}` };
  // For ECS autoscaling: the lag as a CloudWatch metric, through the task's log stream (stdout).
  const namespace = config.SENTINEL_CLOUDWATCH_METRICS_NAMESPACE;
  const lagMetric = namespace
    ? publishConsumerLag({
        consumer: worker,
        kafka,
        namespace,
        logger,
        ...dependencies.lagMetric,
      })
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
  readiness = { ready: false, reason: "stopping" };
  await lagMetric?.stop();
  await worker.stop();
  await producer.disconnect();
  await classifier.model.dispose?.();
  await metrics.stop();
  logger.info({ ...worker.counts, modelCalls: classifier.modelCalls }, "classifier worker stopped");
}

/**
 * The worker's model: the rule model when `--baseline` says so, else the LLM from the classifier
 * service's factory. A model that cannot be loaded stops the worker with what to set.
 */
async function loadWorkerModel(
  runtime: Runtime,
  options: WorkerOptions,
  loadLlm?: LlmLoader,
): Promise<LabelModel> {
  if (options.baseline) return loadLabelModel(runtime, { baseline: true });
  const factory = createModelFromConfig(modelConfigFor(runtime, options), loadLlm);
  let model: LabelModel;
  try {
    model = await factory();
  } catch (error) {
    throw new ModelUnavailableError(
      `the classifier worker will not start without a model (${(error as Error).message}). ` +
        "Set SENTINEL_MODEL (or pass --model) to a GGUF file or a Hugging Face reference " +
        "(`sentinel model pull` downloads our model), " +
        "or pass --baseline to classify with the rule-based baseline model",
    );
  }
  runtime.logger.info({ model: model.name }, "classifying with the LLM");
  return model;
}

/** The factory's settings: the SENTINEL_* variables, with the command-line options over them. */
function modelConfigFor(runtime: Runtime, options: WorkerOptions): ModelConfig {
  const { config } = runtime;
  const model = options.model ?? config.SENTINEL_MODEL;
  const lora = options.lora ?? config.SENTINEL_LORA;
  const threads = options.threads ?? config.SENTINEL_THREADS;
  return {
    SENTINEL_MODEL_DIR: config.SENTINEL_MODEL_DIR,
    SENTINEL_GPU: options.cpu ? "off" : config.SENTINEL_GPU,
    SENTINEL_PARALLEL_SEQUENCES: options.parallel ?? config.SENTINEL_PARALLEL_SEQUENCES,
    SENTINEL_MAX_MESSAGE_TOKENS: config.SENTINEL_MAX_MESSAGE_TOKENS,
    SENTINEL_MODEL_LOAD_TIMEOUT_SECONDS: config.SENTINEL_MODEL_LOAD_TIMEOUT_SECONDS,
    ...(model !== undefined && { SENTINEL_MODEL: model }),
    ...(lora !== undefined && { SENTINEL_LORA: lora }),
    ...(threads !== undefined && { SENTINEL_THREADS: threads }),
  };
}
