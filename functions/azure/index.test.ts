import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BlobServiceClient } from "@azure/storage-blob";
import { Kafka, logLevel } from "kafkajs";
import { runNode } from "../../cli/testing/sentinelCli.js";
import type { PollSummary } from "../../core/azure/poller.js";
import { type LocalAzurite, startAzurite } from "../../core/azure/testing/azurite.js";
import {
  type LogAnalyticsServer,
  logAnalyticsClientEnv,
  startLogAnalyticsServer,
} from "../../core/azure/testing/logAnalyticsServer.js";
import type { LogEvent } from "../../core/events/types.js";
import { type MockCluster, startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import { jsonValues, readTopic } from "../../core/kafka/testing/readTopic.js";
import type { FunctionsAppReport, RpcBindingInfo } from "./testing/functionsWorker.js";

// The Functions app's entry (index.ts, the package's "main" once bundled) loaded as the Functions
// host's Node.js worker loads it: in a process of its own with the app settings in its
// environment, `@azure/functions-core` served by the worker stand-in (testing/functionsWorker.ts),
// the real `@azure/functions` registering what index.ts declares. Each registered function is
// then invoked as the host's invocation request would, against the local stand-ins: the Log
// Analytics query API (HTTPS, with App Service's managed-identity endpoint for
// DefaultAzureCredential), azurite for the checkpoint blob, librdkafka's mock cluster for Kafka.
const RUNNER = new URL("./testing/runFunctionsApp.ts", import.meta.url).pathname;
const ENTRY = new URL("./index.ts", import.meta.url).pathname;
const WORKSPACE = "00000000-0000-4000-8000-0000000000dd";
const TOPIC = "raw-logs-azure-functions";
const CONTAINER = "functions-checkpoints";
const SCHEDULE = "0 */5 * * * *";
/** Every function the app must register, with its trigger. */
const EXPECTED = {
  pollLogAnalytics: { type: "timerTrigger", direction: "in", schedule: SCHEDULE },
};

let server: LogAnalyticsServer;
let azurite: LocalAzurite;
let cluster: MockCluster;
let dir: string;
let caFile: string;

before(async () => {
  [server, azurite, cluster] = await Promise.all([
    startLogAnalyticsServer({ workspaceId: WORKSPACE, token: "fake-msi-token-for-functions" }),
    startAzurite(),
    startMockCluster({ brokers: 1, topics: [{ name: TOPIC, partitions: 1 }] }),
  ]);
  dir = await mkdtemp(join(tmpdir(), "sentinel-azure-functions-"));
  caFile = join(dir, "stand-in-ca.pem");
  await writeFile(caFile, server.certificate);
  const start = Date.now() - 30 * 60_000;
  server.addRows(
    "AppTraces",
    Array.from({ length: 12 }, (_, i) => ({
      TimeGenerated: new Date(start + i * 60_000).toISOString(),
      Message: i === 7 ? "payment provider refused the connection" : `order ${i} shipped`,
      SeverityLevel: i === 7 ? 3 : 1,
      AppRoleName: "orders",
      _ItemId: `item-${i}`,
    })),
  );
});

after(async () => {
  await Promise.all([server?.stop(), azurite?.stop(), cluster?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** The host's timer trigger data: TimerInfo as JSON, PascalCase as the host sends it. */
function timerTrigger(isPastDue: boolean) {
  const status = {
    Last: "2026-01-05T09:00:00.000Z",
    Next: "2026-01-05T09:05:00.000Z",
    LastUpdated: "2026-01-05T09:00:00.000Z",
  };
  return {
    json: JSON.stringify({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: status,
      IsPastDue: isPastDue,
    }),
  };
}

async function runApp(plan: { function: string; trigger: { json: string } }[]) {
  const { status, stdout, stderr } = await runNode(
    ["--import", "tsx", RUNNER, ENTRY, JSON.stringify(plan)],
    {
      env: {
        ...process.env,
        ...logAnalyticsClientEnv(server, caFile, WORKSPACE),
        AZURE_POLL_SCHEDULE: SCHEDULE,
        AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
        AZURE_CHECKPOINT_CONTAINER: CONTAINER,
        KAFKA_BROKERS: cluster.bootstrapServers.join(","),
        KAFKA_TOPIC_RAW: TOPIC,
        SENTINEL_LOG_LEVEL: "warn",
        SENTINEL_ENV_FILE: "",
      },
    },
  );
  assert.equal(status, 0, stderr);
  const report = stdout.trim().split("\n").at(-1) ?? "";
  return { report: JSON.parse(report) as FunctionsAppReport, stderr };
}

/** The trigger binding of a registered function, and how many bindings it has in all. */
function triggerOf(bindings: Record<string, RpcBindingInfo>) {
  const all = Object.values(bindings);
  const trigger = all.find((binding) => /trigger$/i.test(binding.type ?? ""));
  return { trigger, count: all.length };
}

describe("the Azure Functions app (index.ts)", () => {
  it('is the module the package\'s "main" is bundled from', () => {
    const manifest = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { main: string };
    assert.equal(manifest.main, "dist/functions/azure/index.js");
  });

  it("registers each function with its trigger, and each runs the real handler", async () => {
    const { report } = await runApp([
      { function: "pollLogAnalytics", trigger: timerTrigger(false) },
      { function: "pollLogAnalytics", trigger: timerTrigger(true) },
    ]);

    // Registration: the v4 programming model, exactly the expected functions and triggers.
    assert.equal(report.programmingModel?.name, "@azure/functions");
    assert.deepEqual(report.functions.map((f) => f.name).sort(), Object.keys(EXPECTED).sort());
    for (const metadata of report.functions) {
      const expected = EXPECTED[metadata.name as keyof typeof EXPECTED];
      const { trigger, count } = triggerOf(metadata.bindings);
      assert.deepEqual(
        { type: trigger?.type, direction: trigger?.direction, schedule: trigger?.schedule },
        expected,
        metadata.name,
      );
      assert.equal(count, 1, `${metadata.name}: no input or output bindings besides its trigger`);
      assert.equal(metadata.retryOptions, undefined);
    }

    // The timer function polls the workspace into Kafka and checkpoints in blob storage...
    const [first, second] = report.invocations;
    assert.equal(first?.status, "success", first?.error);
    const summary = JSON.parse(first?.returnValue?.json ?? "null") as PollSummary;
    assert.equal(summary.caughtUp, true);
    assert.equal(summary.sent, 12);
    assert.ok(
      first?.logs.some((l) => l.level === "information" && /12 sent/.test(l.message)),
      JSON.stringify(first?.logs),
    );
    assert.ok(!first?.logs.some((l) => /past due/.test(l.message)));
    const events = jsonValues<LogEvent>(
      await readTopic(
        new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING }),
        TOPIC,
        12,
      ),
    );
    assert.deepEqual(events.map((e) => e.source.provider).sort(), Array(12).fill("azure"));
    assert.ok(events.every((e) => e.service === "orders"));
    assert.ok(events.some((e) => e.message === "payment provider refused the connection"));
    const blobs: string[] = [];
    const container = BlobServiceClient.fromConnectionString(
      azurite.connectionString,
    ).getContainerClient(CONTAINER);
    for await (const blob of container.listBlobsFlat()) blobs.push(blob.name);
    assert.equal(blobs.length, 1);
    assert.match(blobs[0] ?? "", new RegExp(`^azure/${WORKSPACE}/`));

    // ...and the next run, late (the host's IsPastDue, camel-cased on the way in), says so and
    // reads nothing twice.
    assert.equal(second?.status, "success", second?.error);
    assert.equal((JSON.parse(second?.returnValue?.json ?? "null") as PollSummary).sent, 0);
    assert.ok(
      second?.logs.some(
        (l) => l.level === "warning" && /past due \(last run 2026-01-05T09:00/.test(l.message),
      ),
      JSON.stringify(second?.logs),
    );
  });
});
