// `npm run bench`: the throughput and memory figures the issues name, on this machine.
// Prints one line per figure and a JSON object at the end (also written to .bench/results.json).
import { spawn } from "node:child_process";
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createInterface } from "node:readline";
import { CachingClassifier } from "../core/classifier/cachingClassifier.js";
import { ClassificationCache } from "../core/classifier/classificationCache.js";
import type { LogEvent } from "../core/events/types.js";
import { LlmModel } from "../core/llm/llmModel.js";
import { TemplateKeyer } from "../core/templates/templateKeyer.js";
import { writeTinyModel } from "../fine-tune/gguf/tinyModel.js";
import { benchDetection } from "./bench/detection.js";
import { benchIngestAws } from "./bench/ingestAws.js";
import { benchIngestLoki } from "./bench/ingestLoki.js";
import { benchMask } from "./bench/mask.js";
import { benchMetrics } from "./bench/metrics.js";
import { benchNotifier } from "./bench/notifier.js";
import { benchBruteForce, benchKeyThroughput, benchTemplateCorpus } from "./bench/templates.js";

const BENCH_DIR = ".bench";
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const CLI = "bin/sentinel.js";
const results: Record<string, number | string> = {};

function report(name: string, value: number, unit: string, target?: string): void {
  // Fractions (accuracies, purities) keep a third decimal.
  const digits = Math.abs(value) < 1 ? 3 : 2;
  results[name] = Math.round(value * 10 ** digits) / 10 ** digits;
  const shown = value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(digits);
  console.log(
    `${name.padEnd(34)} ${shown.padStart(14)} ${unit}${target ? `   (target ${target})` : ""}`,
  );
}

/**
 * Runs a command; returns wall seconds, peak RSS in MB (VmHWM, sampled from /proc while it runs)
 * and its stdout, or has it write its stdout to a file itself (no pipe through this process).
 */
function measure(
  args: string[],
  stdoutFile?: string,
): Promise<{ seconds: number; peakRssMb: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const out = stdoutFile ? openSync(stdoutFile, "w") : "pipe";
    const child = spawn(process.execPath, args, { stdio: ["ignore", out, "inherit"] });
    if (typeof out === "number") closeSync(out);
    let peakKb = 0;
    const sample = () => {
      try {
        const match = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (match) peakKb = Math.max(peakKb, Number(match[1]));
      } catch {
        // the process has just exited
      }
    };
    const timer = setInterval(sample, 20);
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(timer);
      if (code !== 0) return reject(new Error(`${args.join(" ")} exited with ${code}`));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ seconds, peakRssMb: peakKb / 1024, stdout: Buffer.concat(chunks).toString() });
    });
  });
}

async function ensureProducedFile(lines = LINES): Promise<string> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const path = `${BENCH_DIR}/produce-${lines}.jsonl`;
  if (!existsSync(path) || statSync(path).size === 0) {
    console.log(`generating ${lines.toLocaleString("en-US")} lines with sentinel produce …`);
    const produced = await measure([CLI, "produce", "--count", String(lines), "--seed", "7"], path);
    report("produce (lines/s)", lines / produced.seconds, "lines/s");
  }
  return path;
}

async function readMessages(path: string): Promise<string[]> {
  const messages: string[] = [];
  const lines = createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) messages.push((JSON.parse(line) as { message: string }).message);
  return messages;
}

async function benchTemplateKeys(path: string): Promise<void> {
  const messages = await readMessages(path);
  const keyer = new TemplateKeyer();
  for (let i = 0; i < 20_000; i++) keyer.keyOf(messages[i % messages.length] as string); // warm up
  const distinct = new Set<string>();
  const started = process.hrtime.bigint();
  for (const message of messages) distinct.add(keyer.keyOf(message).templateId);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  report("template keys, produced (lines/s)", messages.length / seconds, "lines/s", "≥ 300,000");
  report("distinct template keys", distinct.size, "keys");
}

/**
 * `sentinel analyze` end to end, the built CLI as a child process (startup included), the way
 * people run it: lines/s and peak RSS on the 1M-line file, then on 200k lines with the summary
 * printed and with `--output jsonl` (its events written to /dev/null).
 */
async function benchAnalyze(path: string): Promise<void> {
  const run = await measure([CLI, "analyze", path, "--output", "json"]);
  const summary = JSON.parse(run.stdout) as {
    input: { lines: number; accepted: number; rejected: number };
  };
  report("analyze end-to-end (lines/s)", summary.input.lines / run.seconds, "lines/s", "≥ 75,000");
  report("analyze peak RSS (MB)", run.peakRssMb, "MB", "≤ 300");
  report(
    "analyze accepted + rejected",
    summary.input.accepted + summary.input.rejected,
    `of ${summary.input.lines} lines`,
  );
  const lines = Math.min(200_000, LINES);
  const shorter = await ensureProducedFile(lines);
  for (const output of ["summary", "jsonl"] as const) {
    const timed = await measure([CLI, "analyze", shorter, "--output", output], "/dev/null");
    const name = `analyze ${lines / 1000}k lines, ${output}`;
    report(`${name} (lines/s)`, lines / timed.seconds, "lines/s", "≥ 75,000");
    report(`${name}, peak RSS (MB)`, timed.peakRssMb, "MB", "≤ 300");
  }
}

/** The LLM path on the tiny generated model: what the scoring mechanics cost, not Qwen2's speed. */
async function benchLlm(path: string): Promise<void> {
  const modelPath = `${BENCH_DIR}/tiny-random.gguf`;
  await writeTinyModel(modelPath, { weights: "random" });
  const lines = Array.from({ length: 300 }, (_, i) => ({
    message: `worker ${i} finished batch ${i * 7} in ${i}ms`,
  }));
  const options = { modelPath, gpu: "off", threads: 1, maxMessageTokens: 256 } as const;
  for (const parallelSequences of [1, 4]) {
    const model = await LlmModel.load({ ...options, parallelSequences });
    await model.classify(lines.slice(0, 10)); // warm up
    const started = performance.now();
    await model.classify(lines);
    const seconds = (performance.now() - started) / 1000;
    report(
      `LLM uncached, ${parallelSequences} sequence(s) (lines/s)`,
      lines.length / seconds,
      "lines/s",
    );
    await model.dispose();
  }
  const tokensPerLine: Record<string, number> = {};
  for (const reusePrefix of [true, false]) {
    const model = await LlmModel.load({ ...options, parallelSequences: 1, reusePrefix });
    await model.classify(lines.slice(0, 100));
    tokensPerLine[String(reusePrefix)] = model.stats.evaluatedTokens / model.stats.lines;
    await model.dispose();
  }
  report("evaluated tokens/line, prefix reused", tokensPerLine.true ?? 0, "tokens");
  report("evaluated tokens/line, no reuse", tokensPerLine.false ?? 0, "tokens");
  report(
    "  fewer tokens with reuse (%)",
    100 * (1 - (tokensPerLine.true ?? 0) / (tokensPerLine.false ?? 1)),
    "%",
    "≥ 70%",
  );

  // LLM calls for 100k lines of `sentinel produce` output, behind the template cache.
  const model = await LlmModel.load({ ...options, parallelSequences: 4 });
  const classifier = new CachingClassifier(
    model,
    new ClassificationCache({ maxEntries: 50_000, ttlMs: 3_600_000 }),
    {
      suggestions: "off",
    },
  );
  const keyer = new TemplateKeyer();
  const distinctKeys = new Set<string>();
  let batch: LogEvent[] = [];
  let count = 0;
  const lines100k = createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines100k) {
    const record = JSON.parse(line) as {
      message: string;
      level: LogEvent["level"];
      service: string;
      timestamp: string;
    };
    const event: LogEvent = {
      id: String(count),
      timestamp: record.timestamp,
      ingestedAt: record.timestamp,
      source: { provider: "synthetic" },
      service: record.service,
      message: record.message,
      attributes: {},
      ...(record.level && { level: record.level }),
    };
    distinctKeys.add(`${keyer.keyOf(event.message).templateId}:${event.level ?? ""}`);
    batch.push(event);
    if (batch.length === 1000) {
      await classifier.classify(batch);
      batch = [];
    }
    if (++count === 100_000) break;
  }
  lines100k.close();
  if (batch.length > 0) await classifier.classify(batch);
  report(
    "LLM calls per 100k produced lines",
    classifier.modelCalls,
    "calls",
    `≤ ${distinctKeys.size} distinct keys`,
  );
  await model.dispose();
}

/** Through librdkafka's mock cluster on loopback: produce, then raw → classifier worker → classified. */
async function benchKafka(): Promise<void> {
  const { startMockCluster } = await import("../core/kafka/testing/mockCluster.js");
  const { Kafka, logLevel } = await import("kafkajs");
  await import("../core/kafka/client.js"); // registers the fast gzip codec, as every client does
  const { DurableProducer } = await import("../core/kafka/producer.js");
  const { classifierWorker } = await import("../classifier-service/kafkaWorker.js");
  const { eventMessage } = await import("../core/kafka/logEventRecords.js");
  const { syntheticLogEvent } = await import("../core/synthetic/toLogEvent.js");
  const { generateSyntheticLogs } = await import("../core/synthetic/index.js");
  const { loadConfig } = await import("../core/config/load.js");

  const count = Number(process.env.BENCH_KAFKA_EVENTS ?? 100_000);
  const cluster = await startMockCluster({ brokers: 3 });
  try {
    const settings = {
      ...loadConfig({ env: {}, envFile: false }),
      KAFKA_TOPIC_RAW: "raw-logs",
      KAFKA_TOPIC_CLASSIFIED: "classified-logs",
      KAFKA_TOPIC_DEAD_LETTER: "dead-letter",
      KAFKA_CONSUMER_GROUP: "bench-classifier",
    };
    for (const topic of ["raw-logs", "classified-logs", "dead-letter"])
      await cluster.createTopic(topic, 6, 3);
    const kafka = new Kafka({
      clientId: "bench",
      brokers: cluster.bootstrapServers,
      logLevel: logLevel.NOTHING,
    });
    const producer = new DurableProducer(kafka, {
      idempotent: process.env.BENCH_IDEMPOTENT !== "false",
      maxBatchBytes: 900_000,
    });
    const ingestedAt = new Date().toISOString();
    const messages = [
      ...generateSyntheticLogs({ scenario: "steady", seed: 3, rate: 50, count }),
    ].map((r, i) => eventMessage(syntheticLogEvent(r, 3, i, ingestedAt)));
    let started = performance.now();
    for (let i = 0; i < messages.length; i += 2_000)
      await producer.send("raw-logs", messages.slice(i, i + 2_000));
    report("Kafka produce (events/s)", count / ((performance.now() - started) / 1000), "events/s");

    const modelPath = `${BENCH_DIR}/tiny-random.gguf`;
    if (!existsSync(modelPath)) {
      mkdirSync(BENCH_DIR, { recursive: true });
      await writeTinyModel(modelPath, { weights: "random" });
    }
    const model = await LlmModel.load({
      modelPath,
      gpu: "off",
      threads: 1,
      parallelSequences: 4,
      maxMessageTokens: 256,
    });
    const classifier = new CachingClassifier(
      model,
      new ClassificationCache({ maxEntries: 50_000, ttlMs: 3_600_000 }),
      {
        suggestions: "off",
      },
    );
    // Warm the cache with the same stream, so the measured path is the cache-hit path.
    for (let i = 0; i < messages.length; i += 5_000) {
      await classifier.classify(
        messages.slice(i, i + 5_000).map((m) => JSON.parse(String(m.value))),
      );
    }
    const worker = classifierWorker({ kafka, settings, classifier, producer, chunkSize: 5_000 });
    await worker.start();
    // The clock starts at the first processed chunk: the mock's first group join takes ~3 s.
    while (worker.counts.processed === 0) await new Promise((r) => setTimeout(r, 5));
    const from = worker.counts.processed;
    started = performance.now();
    while (worker.counts.processed < count) await new Promise((r) => setTimeout(r, 20));
    const rate = (count - from) / ((performance.now() - started) / 1000);
    report("Kafka raw → classifier → classified (events/s)", rate, "events/s", "≥ 20,000");
    await worker.stop();
    await producer.disconnect();
    await model.dispose();
  } finally {
    await cluster.stop();
  }
}

const only = process.env.BENCH_ONLY;
const needsFile = !only || ["templates", "analyze", "llm"].includes(only);
const path = needsFile ? await ensureProducedFile() : "";
if (!only || only === "templates") {
  await benchTemplateKeys(path);
  await benchKeyThroughput(report);
  await benchTemplateCorpus(report);
  await benchBruteForce(report);
}
if (!only || only === "analyze") await benchAnalyze(path);
if (!only || only === "llm") await benchLlm(path);
if (!only || only === "kafka") await benchKafka();
if (!only || only === "detection") await benchDetection(report);
if (!only || only === "notifier") await benchNotifier(report, CLI);
if (!only || only === "aws") await benchIngestAws(report);
if (!only || only === "loki") await benchIngestLoki(report);
if (!only || only === "metrics") await benchMetrics(report);
if (!only || only === "mask") await benchMask(report);
writeFileSync(`${BENCH_DIR}/results.json`, `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results));
