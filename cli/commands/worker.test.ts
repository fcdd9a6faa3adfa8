import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Kafka, Kafka as KafkaClient, logLevel } from "kafkajs";
import { BaselineModel } from "../../core/classifier/baselineModel.js";
import type { ClassifierInput, LabelModel, Verdict } from "../../core/classifier/types.js";
import { loadConfig } from "../../core/config/load.js";
import { logEvent } from "../../core/events/testing/fixtures.js";
import type { ClassifiedEvent } from "../../core/events/types.js";
import { eventMessage } from "../../core/kafka/logEventRecords.js";
import { DurableProducer } from "../../core/kafka/producer.js";
import { type MockCluster, startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import { jsonValues, readTopic } from "../../core/kafka/testing/readTopic.js";
import type { LoadLlmOptions } from "../../core/llm/index.js";
import { createLogger } from "../../core/logging/logger.js";
import { connectKafka, type KafkaConnection } from "../kafka.js";
import type { Runtime } from "../runtime.js";
import { runClassifyWorker, type WorkerDependencies } from "./worker.js";

// `sentinel worker classify` in this process (its Kafka, model loader and stop replaceable), and
// once as a process for the exit status. The Kafka is librdkafka's mock cluster on loopback.
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const UNREACHABLE_BROKER = "127.0.0.1:1";
let cluster: MockCluster;
let kafka: Kafka;
let counter = 0;

before(async () => {
  cluster = await startMockCluster({ brokers: 1 });
  kafka = new KafkaClient({
    clientId: "worker-test",
    brokers: cluster.bootstrapServers,
    logLevel: logLevel.NOTHING,
  });
});

after(async () => {
  await cluster?.stop();
});

/** A runtime on fresh topics, its log lines kept in `lines`. */
function runtime(
  env: Record<string, string> = {},
): Runtime & { lines: string[]; topics: string[] } {
  const n = ++counter;
  const topics = {
    KAFKA_TOPIC_RAW: `raw-logs-w${n}`,
    KAFKA_TOPIC_CLASSIFIED: `classified-logs-w${n}`,
    KAFKA_TOPIC_DEAD_LETTER: `dead-letter-w${n}`,
    KAFKA_TOPIC_ANOMALIES: `anomalies-w${n}`,
    KAFKA_CONSUMER_GROUP: `classifier-w${n}`,
  };
  const config = loadConfig({
    env: { KAFKA_BROKERS: UNREACHABLE_BROKER, KAFKA_REPLICATION_FACTOR: "1", ...topics, ...env },
    envFile: false,
  });
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: "info", format: "json", destination });
  return { config, logger, lines, topics: Object.values(topics).slice(0, 4) };
}

/** A connect that records being called and never reaches Kafka. */
function refusingConnect() {
  const calls: string[] = [];
  const connect: WorkerDependencies["connect"] = async () => {
    calls.push("connect");
    throw new Error("the worker must not reach Kafka");
  };
  return { calls, connect };
}

/** An LLM stand-in: the baseline's verdicts under another name. */
class StubLlm implements LabelModel {
  readonly name = "stub-llm";
  readonly #rules = new BaselineModel();
  disposed = false;
  classify(inputs: ClassifierInput[]): Promise<Verdict[]> {
    return this.#rules.classify(inputs);
  }
  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

/**
 * Runs the worker against the mock cluster on the runtime's topics: sends three raw events,
 * reads them back classified, then stops the worker as SIGTERM would.
 */
async function classifyThroughWorker(
  rt: ReturnType<typeof runtime>,
  options: Parameters<typeof runClassifyWorker>[0],
  loadLlm?: WorkerDependencies["loadLlm"],
  lagMetric?: WorkerDependencies["lagMetric"],
  whileRunning?: () => Promise<void>,
): Promise<ClassifiedEvent[]> {
  for (const topic of rt.topics) await cluster.createTopic(topic, 1, 1);
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const connected: KafkaConnection[] = [];
  const running = runClassifyWorker(
    { ...options, brokers: cluster.bootstrapServers.join(",") },
    {
      runtime: rt,
      ...(loadLlm && { loadLlm }),
      connect: async (r, brokers) => {
        const connection = await connectKafka(r, brokers);
        connected.push(connection);
        return connection;
      },
      untilStopped: () => stopped,
      ...(lagMetric && { lagMetric }),
    },
  );
  const out = new DurableProducer(kafka, { idempotent: false, maxBatchBytes: 900_000 });
  await out.connect();
  const events = [
    logEvent("payment declined for order 8812: card expired", { id: "w-1", level: "error" }),
    logEvent("disk at 91% on /var", { id: "w-2", level: "warn" }),
    logEvent("GET /health 200 in 3ms", { id: "w-3", level: "info" }),
  ];
  await out.send(rt.config.KAFKA_TOPIC_RAW, events.map(eventMessage));
  await out.disconnect();
  try {
    const classified = jsonValues<ClassifiedEvent>(
      await readTopic(kafka, rt.config.KAFKA_TOPIC_CLASSIFIED, 3, { timeoutMs: 60_000 }),
    );
    await whileRunning?.();
    return classified;
  } finally {
    stop();
    await running;
    assert.equal(connected.length, 1);
  }
}

describe("sentinel worker classify", () => {
  it("refuses to start without a model, naming SENTINEL_MODEL and --baseline, before Kafka", async () => {
    const rt = runtime();
    const { calls, connect } = refusingConnect();
    const loads: LoadLlmOptions[] = [];
    await assert.rejects(
      runClassifyWorker(
        {},
        {
          runtime: rt,
          connect,
          loadLlm: async (options) => {
            loads.push(options);
            return new StubLlm();
          },
        },
      ),
      (error: Error) => {
        assert.equal(error.name, "ModelUnavailableError");
        assert.match(error.message, /without a model \(SENTINEL_MODEL is not set/);
        assert.match(error.message, /Set SENTINEL_MODEL \(or pass --model\)/);
        assert.match(error.message, /`sentinel model pull` downloads our model/);
        assert.match(error.message, /pass --baseline to classify with the rule-based baseline/);
        return true;
      },
    );
    assert.deepEqual(calls, [], "no Kafka connection, so no consumer");
    assert.deepEqual(loads, [], "nothing to load");
    assert.ok(!rt.lines.some((line) => line.includes("classifier worker started")));
  });

  it("refuses to start, without falling back, when the configured model cannot be loaded", async () => {
    const rt = runtime({ SENTINEL_MODEL: "/nonexistent/model.gguf" });
    const { calls, connect } = refusingConnect();
    // The default loader: core/llm refuses a missing local file before node-llama-cpp.
    await assert.rejects(runClassifyWorker({}, { runtime: rt, connect }), {
      name: "ModelUnavailableError",
      message:
        "the classifier worker will not start without a model (model file /nonexistent/model.gguf does not exist). " +
        "Set SENTINEL_MODEL (or pass --model) to a GGUF file or a Hugging Face reference " +
        "(`sentinel model pull` downloads our model), " +
        "or pass --baseline to classify with the rule-based baseline model",
    });
    assert.deepEqual(calls, []);
    assert.ok(!rt.lines.some((line) => line.includes("falling back")));
  });

  it("exits 1 with the message as a process, without a model and without --baseline", async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_BROKERS: UNREACHABLE_BROKER,
      SENTINEL_LOG_LEVEL: "warn",
      SENTINEL_ENV_FILE: "",
    };
    delete env.SENTINEL_MODEL;
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, "worker", "classify"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const status = await new Promise<number | null>((resolve) => child.once("close", resolve));
    assert.equal(status, 1);
    assert.match(
      stderr,
      /^sentinel: the classifier worker will not start without a model \(SENTINEL_MODEL is not set/m,
    );
    assert.match(stderr, /--baseline/);
    assert.doesNotMatch(stderr, /classifier worker started|falling back/);
  });

  it("starts with --baseline, saying so, and classifies with the rule model", async () => {
    const rt = runtime();
    const loads: LoadLlmOptions[] = [];
    const classified = await classifyThroughWorker(rt, { baseline: true }, async (options) => {
      loads.push(options);
      return new StubLlm();
    });
    assert.deepEqual(loads, [], "--baseline loads no LLM");
    assert.deepEqual(
      classified.map((e) => [e.id, e.classification.label, e.classification.model]).sort(),
      [
        ["w-1", "incident", "baseline"],
        ["w-2", "preventive_action", "baseline"],
        ["w-3", "normal", "baseline"],
      ],
    );
    assert.ok(rt.lines.some((line) => line.includes("(--baseline)")));
    assert.ok(rt.lines.some((line) => line.includes("classifier worker started")));
  });

  it("loads the LLM through the classifier service's model factory, options over variables", async () => {
    const rt = runtime({ SENTINEL_MODEL: "/models/from-env.gguf", SENTINEL_THREADS: "2" });
    const loads: LoadLlmOptions[] = [];
    const model = new StubLlm();
    const classified = await classifyThroughWorker(
      rt,
      { model: "/models/from-cli.gguf", cpu: true, threads: 3, parallel: 2 },
      async (options) => {
        loads.push(options);
        return model;
      },
    );
    assert.deepEqual(loads, [
      {
        model: "/models/from-cli.gguf",
        gpu: "off",
        threads: 3,
        parallelSequences: 2,
        maxMessageTokens: 256,
        loadTimeoutSeconds: 300,
        download: true,
      },
    ]);
    assert.deepEqual(
      classified.map((e) => e.classification.model),
      ["stub-llm", "stub-llm", "stub-llm"],
    );
    assert.equal(model.disposed, true, "the model is disposed when the worker stops");
  });

  it("answers /readyz on its metrics port once it classifies, for the container's health check", async () => {
    const rt = runtime({ SENTINEL_METRICS_PORT: "0", SENTINEL_METRICS_HOST: "127.0.0.1" });
    let answer: { status: number; body: unknown } | undefined;
    await classifyThroughWorker(rt, { baseline: true }, undefined, undefined, async () => {
      const serving = rt.lines
        .map((line) => JSON.parse(line) as { msg?: string; url?: string })
        .find((line) => line.msg === "serving metrics for scraping");
      assert.ok(serving?.url, "the metrics server's address is logged");
      const response = await fetch(serving.url.replace("/metrics", "/readyz"));
      answer = { status: response.status, body: await response.json() };
    });
    assert.deepEqual(answer, {
      status: 200,
      body: { status: "ready", reason: "classifying with baseline" },
    });
  });

  it("writes its consumer lag as CloudWatch EMF lines when SENTINEL_CLOUDWATCH_METRICS_NAMESPACE is set, until it stops", async () => {
    const rt = runtime({ SENTINEL_CLOUDWATCH_METRICS_NAMESPACE: "SentinelLLM" });
    const lines: string[] = [];
    await classifyThroughWorker(rt, { baseline: true }, undefined, {
      write: (line) => lines.push(line),
      intervalMs: 100,
    });
    const published = lines.length;
    assert.ok(published > 0, "lines written while the worker ran");
    const last = JSON.parse(lines[published - 1] as string);
    assert.equal(last._aws.CloudWatchMetrics[0].Namespace, "SentinelLLM");
    assert.deepEqual(last._aws.CloudWatchMetrics[0].Metrics, [
      { Name: "ConsumerLag", Unit: "Count" },
    ]);
    assert.equal(last.ConsumerGroup, rt.config.KAFKA_CONSUMER_GROUP);
    assert.equal(last.Topic, rt.config.KAFKA_TOPIC_RAW);
    assert.equal(typeof last.ConsumerLag, "number");
    await sleep(300);
    assert.equal(lines.length, published, "none after the worker stopped");

    // Without the namespace, nothing is written.
    const quiet: string[] = [];
    await classifyThroughWorker(runtime(), { baseline: true }, undefined, {
      write: (line) => quiet.push(line),
      intervalMs: 100,
    });
    assert.deepEqual(quiet, []);
  });
});
