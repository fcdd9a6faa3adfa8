import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";
import {
  type FakeCloudWatchLogs,
  startFakeCloudWatchLogs,
} from "../../core/cloudwatch/testing/fakeCloudWatchLogs.js";
import { loadFixture } from "../../core/cloudwatch/testing/fixtures.js";
import type { ClassifiedEvent, LogEvent } from "../../core/events/types.js";
import { type MockCluster, startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import type { SummaryReport } from "../pipeline/summary.js";

// `sentinel ingest aws` as a process. CloudWatch Logs is a local server speaking its wire
// protocol; the CLI's SDK client finds it through AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, which the
// AWS SDK reads by itself. Async spawns only: the fake server runs in this process.
const MAIN = new URL("../main.ts", import.meta.url).pathname;
let cwl: FakeCloudWatchLogs;
let dir: string;
let groups = 0;

before(async () => {
  cwl = await startFakeCloudWatchLogs({ pageSize: 5, throttleEvery: 4 });
  dir = await mkdtemp(join(tmpdir(), "sentinel-ingest-aws-"));
});
after(async () => {
  await cwl.stop();
  await rm(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cwl.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "test-secret-not-real",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    SENTINEL_LOG_LEVEL: "warn",
    SENTINEL_ENV_FILE: "",
    ...extra,
  };
}

function start(args: string[], extra: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", MAIN, "ingest", "aws", ...args], {
    env: env(extra),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

async function sentinel(args: string[], extra: Record<string, string> = {}) {
  const child = start(args, extra);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const status = await new Promise<number | null>((resolve) => child.once("close", resolve));
  return { status, stdout, stderr };
}

/** A Lambda log group holding the recorded fixture's twelve lines, minutes ago. */
function lambdaGroup(): { name: string; ids: string[] } {
  const fixture = loadFixture("lambda-data-message");
  const name = `/aws/lambda/checkout-${++groups}`;
  const at = Date.now() - 10 * 60_000;
  const events = cwl.putEvents(
    name,
    fixture.logStream,
    fixture.logEvents.map((e, i) => ({ timestamp: at + Math.floor(i / 2), message: e.message })),
  );
  return { name, ids: events.map((e) => e.eventId) };
}

describe("sentinel ingest aws", () => {
  it("classifies a backfill in the embedded pipeline, then resumes from its checkpoint", async () => {
    const group = lambdaGroup();
    const checkpoints = join(dir, "embedded");
    const args = ["--log-group", group.name, "--since", "2h", "--baseline", "-o", "json"];
    const first = await sentinel([...args, "--checkpoint-dir", checkpoints]);
    assert.equal(first.status, 0, first.stderr);
    const report = JSON.parse(first.stdout) as SummaryReport;
    assert.equal(report.input.lines, 12);
    assert.equal(report.labels.incident, 3);
    assert.deepEqual(
      report.services.map((s) => s.service),
      [`checkout-${groups}`, "checkout"],
    );
    assert.equal((await readdir(checkpoints)).length, 1);

    const second = await sentinel([...args, "--checkpoint-dir", checkpoints]);
    assert.equal(second.status, 0, second.stderr);
    assert.equal((JSON.parse(second.stdout) as SummaryReport).input.lines, 0);
  });

  it("follows log groups until SIGTERM, reading new events once", async () => {
    const group = lambdaGroup();
    const child = start(
      [
        "--log-group",
        group.name,
        "--follow",
        "--baseline",
        "-o",
        "jsonl",
        "--checkpoint-dir",
        join(dir, "follow"),
      ],
      { AWS_POLL_INTERVAL_SECONDS: "1", AWS_QUERY_LAG_SECONDS: "0" },
    );
    const seen: string[] = [];
    let pending = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) seen.push((JSON.parse(line) as ClassifiedEvent).id);
    });
    const until = async (count: number) => {
      const deadline = Date.now() + 20_000;
      while (seen.length < count && Date.now() < deadline) await sleep(50);
    };
    await until(12);
    // Later than the end of the poll that just ran (its checkpoint is there).
    const later = cwl.putEvents(group.name, "late", [
      { timestamp: Date.now() + 500, message: "ERROR ledger write failed" },
    ]);
    await until(13);
    child.kill("SIGTERM");
    const status = await new Promise((resolve) => child.once("close", resolve));
    assert.equal(status, 0);
    assert.deepEqual(seen, [...group.ids, ...later.map((e) => e.eventId)]);
  });

  it("says which log group does not exist, and asks for one when none is named", async () => {
    const [missing, none, badSince] = await Promise.all([
      sentinel([
        "--log-group",
        "/aws/lambda/nope",
        "--baseline",
        "--checkpoint-dir",
        join(dir, "missing"),
      ]),
      sentinel(["--baseline"], { AWS_LOG_GROUPS: "" }),
      sentinel(["--log-group", "/a", "--since", "two hours"]),
    ]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /\/aws\/lambda\/nope: ResourceNotFoundException/);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /--log-group NAME \(or AWS_LOG_GROUPS\)/);
    assert.equal(badSince.status, 2);
    assert.match(badSince.stderr, /expected a duration such as 30m, 2h or 7d/);
  });

  it("produces to raw-logs with --to kafka", async () => {
    const topics = {
      KAFKA_TOPIC_RAW: "raw-logs-cli",
      KAFKA_TOPIC_CLASSIFIED: "classified-logs-cli",
      KAFKA_TOPIC_ANOMALIES: "anomalies-cli",
      KAFKA_TOPIC_DEAD_LETTER: "dead-letter-cli",
    };
    const cluster: MockCluster = await startMockCluster({
      brokers: 1,
      topics: Object.values(topics).map((name) => ({ name, partitions: 2 })),
    });
    const kafka = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: "cli-reader", maxWaitTimeInMs: 100 });
    try {
      const group = lambdaGroup();
      const run = await sentinel(
        ["--log-group", group.name, "--to", "kafka", "--checkpoint-dir", join(dir, "kafka")],
        { ...topics, KAFKA_BROKERS: cluster.bootstrapServers.join(",") },
      );
      assert.equal(run.status, 0, run.stderr);
      const events: LogEvent[] = [];
      await consumer.connect();
      await consumer.subscribe({ topics: [topics.KAFKA_TOPIC_RAW], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          events.push(JSON.parse(String(message.value)) as LogEvent);
        },
      });
      const deadline = Date.now() + 20_000;
      while (events.length < 12 && Date.now() < deadline) await sleep(50);
      assert.deepEqual(events.map((e) => e.id).sort(), [...group.ids].sort());
      assert.ok(events.every((e) => e.source.region === "us-east-1"));
    } finally {
      await consumer.disconnect();
      await cluster.stop();
    }
  });
});
