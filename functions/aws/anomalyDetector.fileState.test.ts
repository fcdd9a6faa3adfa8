import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Consumer, Kafka, logLevel } from "kafkajs";
import { retentionMs } from "../../core/detection/detector.js";
import { MemoryDetectorState } from "../../core/detection/memoryDetectorState.js";
import { DEFAULT_DETECTOR_SETTINGS } from "../../core/detection/settings.js";
import { MINUTE, T0 } from "../../core/detection/testing/series.js";
import type { Anomaly } from "../../core/events/types.js";
import { loadDetectorStateFile } from "../../core/files/detectorState.js";
import { encodeMskEvent, type KafkaRecord } from "../../core/kafka/msk/index.js";
import { closeSharedProducer } from "../../core/kafka/sharedProducer.js";
import { type MockCluster, startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import { pipelineMetrics } from "../../core/metrics/catalog.js";
import { handler } from "./anomalyDetector.js";
import { records, spikeTraffic } from "./testing/classifiedRecords.js";

// The detector Lambda as `sentinel lambda-runner` runs it in the compose setup: the entry point,
// configured from the environment, its state in a file (SENTINEL_STATE_BACKEND=file). Its own
// test file: the entry point builds its state once per process.
const ANOMALIES = "anomalies-file-state";
let cluster: MockCluster;
let reader: Consumer;
let dir: string;
const produced: { key: string; value: string }[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sentinel-detector-lambda-"));
  cluster = await startMockCluster({ brokers: 1 });
  await cluster.createTopic(ANOMALIES, 1, 1);
  await cluster.createTopic("dead-letter-file-state", 1, 1);
  const kafka = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
  reader = kafka.consumer({ groupId: "reader", maxWaitTimeInMs: 100 });
  await reader.connect();
  await reader.subscribe({ topics: [ANOMALIES], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      produced.push({ key: String(message.key), value: String(message.value) });
    },
  });
});

after(async () => {
  // Kafka clients leave before the cluster stops (see core/kafka/testing/mockCluster.ts).
  await reader?.disconnect();
  await closeSharedProducer();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("anomaly detector Lambda with file state", () => {
  it("sets a corrupt state file aside and keeps handling batches, instead of failing each one", async () => {
    Object.assign(process.env, {
      KAFKA_BROKERS: cluster.bootstrapServers.join(","),
      KAFKA_TOPIC_ANOMALIES: ANOMALIES,
      KAFKA_TOPIC_DEAD_LETTER: "dead-letter-file-state",
      SENTINEL_STATE_BACKEND: "file",
      SENTINEL_STATE_DIR: dir,
      SENTINEL_LOG_LEVEL: "silent",
      SENTINEL_ENV_FILE: "",
    });
    const file = join(dir, "detector-lambda-state.json");
    const corrupt = '{"version": 1, "services": [{"service": "gateway", "buck';
    await writeFile(file, corrupt);

    const all = records(spikeTraffic("gateway"));
    const batches: KafkaRecord[][] = [];
    for (let i = 0; i < all.length; i += 100) batches.push(all.slice(i, i + 100));
    const half = Math.floor(batches.length / 2);
    for (const batch of batches.slice(0, half))
      assert.deepEqual(await handler(encodeMskEvent(batch)), { batchItemFailures: [] });

    const aside = (await readdir(dir)).filter((f) => f.startsWith("detector-lambda-state.json."));
    assert.equal(aside.length, 1);
    assert.match(aside[0] ?? "", /\.corrupt-\d+$/);
    assert.equal(await readFile(join(dir, aside[0] ?? ""), "utf8"), corrupt);
    const counted = await pipelineMetrics.stateFilesSetAside.get();
    assert.deepEqual(
      counted.values.map((v) => [v.labels.store, v.value]),
      [["detector_state", 1]],
    );

    // Each commit saved the state learnt since, in a file the next process can load.
    const saved = new MemoryDetectorState({
      retainMs: retentionMs(DEFAULT_DETECTOR_SETTINGS),
      templateMemoryMs: DEFAULT_DETECTOR_SETTINGS.templateMemoryMs,
    });
    assert.equal(await loadDetectorStateFile(file, saved), true);
    assert.equal((await saved.readBuckets("gateway", T0, T0 + 10 * MINUTE)).length, 10);

    // Corrupted again while running: the next commit writes the whole state over it.
    await writeFile(file, "garbage");
    for (const batch of batches.slice(half))
      assert.deepEqual(await handler(encodeMskEvent(batch)), { batchItemFailures: [] });
    assert.equal(await loadDetectorStateFile(file, saved), true);

    const deadline = Date.now() + 30_000;
    while (produced.length < 1 && Date.now() < deadline) await sleep(50);
    await sleep(300);
    assert.deepEqual(
      produced.map((r) => [r.key, (JSON.parse(r.value) as Anomaly).kind]),
      [["gateway", "incident-spike"]],
    );
  });
});
