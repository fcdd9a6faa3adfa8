import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type MockCluster, startMockCluster } from "../core/kafka/testing/mockCluster.js";
import { type LokiServer, startLokiServer } from "../core/loki/testing/lokiServer.js";

// The compose file's health checks of the long-running Node services ask GET /readyz on
// SENTINEL_METRICS_PORT: the classifier worker (cli/commands/worker.test.ts), and here the
// Lambda runner (detector, notifier) and a forwarder (`ingest ... --follow --to kafka`), each
// run as a process against librdkafka's mock cluster.
const MAIN = new URL("./main.ts", import.meta.url).pathname;
const TOPICS = ["raw-logs", "classified-logs", "anomalies", "sentinel-dead-letter"];
let cluster: MockCluster;
let loki: LokiServer;
let dir: string;
const children: ChildProcess[] = [];

before(async () => {
  [cluster, loki] = await Promise.all([
    // The mock cannot create topics (CreateTopics), so they exist beforehand, as after topic-init.
    startMockCluster({ brokers: 1, topics: TOPICS.map((name) => ({ name, partitions: 1 })) }),
    startLokiServer(),
  ]);
  dir = await mkdtemp(join(tmpdir(), "sentinel-readiness-"));
});

after(async () => {
  for (const child of children) child.kill("SIGKILL");
  await loki?.stop();
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Starts `sentinel <args>`; resolves with its /readyz URL once the process logs it. */
async function start(args: string[]): Promise<{ child: ChildProcess; readyz: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
    env: {
      ...process.env,
      KAFKA_BROKERS: cluster.bootstrapServers.join(","),
      KAFKA_REPLICATION_FACTOR: "1",
      SENTINEL_METRICS_PORT: "0",
      SENTINEL_METRICS_HOST: "127.0.0.1",
      SENTINEL_LOG_LEVEL: "info",
      SENTINEL_LOG_FORMAT: "json",
      SENTINEL_ENV_FILE: "",
      SENTINEL_STATE_DIR: dir,
      LOKI_URL: loki.url,
      LOKI_QUERY_LAG_SECONDS: "0",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  let stderr = "";
  const readyz = await new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
      const match = /"url":"(http:\/\/[^"]+)\/metrics","msg":"serving metrics for scraping"/.exec(
        stderr,
      );
      if (match) resolve(`${match[1]}/readyz`);
    });
    child.once("close", (status) => reject(new Error(`exited ${status}: ${stderr}`)));
  });
  return { child, readyz };
}

/** /readyz until it answers 200 (or 30 s pass), and what it said. */
async function untilReady(url: string): Promise<{ status: number; body: unknown }> {
  let last = { status: 0, body: undefined as unknown };
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(200)) {
    const response = await fetch(url);
    last = { status: response.status, body: await response.json() };
    if (response.ok) break;
  }
  return last;
}

async function stop(child: ChildProcess): Promise<number | null> {
  const closed = new Promise<number | null>((resolve) => child.once("close", resolve));
  child.kill("SIGTERM");
  return closed;
}

describe("readiness of the compose file's long-running services", () => {
  it("the Lambda runner is ready once it consumes, and stops on SIGTERM", async () => {
    const handler = join(dir, "handler.mjs");
    await writeFile(handler, "export const handler = async () => ({ batchItemFailures: [] });\n");
    const { child, readyz } = await start([
      "lambda-runner",
      `--handler=${handler}`,
      "--function=readiness-test",
      "--topic=classified-logs",
    ]);
    assert.deepEqual(await untilReady(readyz), {
      status: 200,
      body: { status: "ready", reason: "running readiness-test on classified-logs" },
    });
    assert.equal(await stop(child), 0);
  });

  it("a forwarder to Kafka is ready once connected, and stops on SIGTERM", async () => {
    const { child, readyz } = await start([
      "ingest",
      "loki",
      "--query",
      '{job="api"}',
      "--follow",
      "--to=kafka",
    ]);
    assert.deepEqual(await untilReady(readyz), {
      status: 200,
      body: { status: "ready", reason: "forwarding to raw-logs" },
    });
    assert.equal(await stop(child), 0);
  });
});
