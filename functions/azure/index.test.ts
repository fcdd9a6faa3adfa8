import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
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
import type { HealthReport } from "./health.js";
import type {
  FunctionsAppReport,
  InvocationResult,
  RpcBindingInfo,
  RpcTypedData,
} from "./testing/functionsWorker.js";

// The Functions app as it is published: built (`npm run build`'s scripts/bundle.mjs) and
// packaged (`npm run package:azure`'s scripts/package-azure.mjs) into the folder
// `func azure functionapp publish` uploads, then its entry loaded as the Functions host's Node.js
// worker loads it: in a process of its own with the app settings in its environment,
// `@azure/functions-core` served by the worker stand-in (testing/functionsWorker.ts), the bundled
// `@azure/functions` registering what index.ts declares. Each registered function is then invoked
// as the host's invocation request would, against the local stand-ins: the Log Analytics query
// API (HTTPS, with App Service's managed-identity endpoint for DefaultAzureCredential), azurite
// for the checkpoint blob, librdkafka's mock cluster for Kafka.
const run = promisify(execFile);
const RUNNER = new URL("./testing/runFunctionsApp.ts", import.meta.url).pathname;
const WORKSPACE = "00000000-0000-4000-8000-0000000000dd";
const TOPIC = "raw-logs-azure-functions";
const SCHEDULE = "0 */5 * * * *";
const MINUTE = 60_000;

let server: LogAnalyticsServer;
let azurite: LocalAzurite;
let cluster: MockCluster;
let built: string;
let folder: string;
let entry: string;
let caFile: string;
let rowsAt: number;

before(async () => {
  await mkdir("dist", { recursive: true });
  built = await mkdtemp(join("dist", "azure-functions-test-"));
  folder = join(built, "azure-functionapp");
  await run(process.execPath, ["scripts/bundle.mjs", built]);
  await run(process.execPath, ["scripts/package-azure.mjs", built, folder]);
  entry = join(folder, "index.js");
  [server, azurite, cluster] = await Promise.all([
    startLogAnalyticsServer({ workspaceId: WORKSPACE, token: "fake-msi-token-for-functions" }),
    startAzurite(),
    startMockCluster({ brokers: 1, topics: [{ name: TOPIC, partitions: 1 }] }),
  ]);
  caFile = join(built, "stand-in-ca.pem");
  await writeFile(caFile, server.certificate);
  // Three hours of rows, one every 15 minutes, the newest 8 minutes old.
  rowsAt = Date.now();
  server.addRows(
    "AppTraces",
    Array.from({ length: 12 }, (_, i) => ({
      TimeGenerated: new Date(rowsAt - (173 - i * 15) * MINUTE).toISOString(),
      Message: i === 7 ? "payment provider refused the connection" : `order ${i} shipped`,
      SeverityLevel: i === 7 ? 3 : 1,
      AppRoleName: "orders",
      _ItemId: `item-${i}`,
    })),
  );
});

after(async () => {
  await Promise.all([server?.stop(), azurite?.stop(), cluster?.stop()]);
  await rm(built, { recursive: true, force: true });
});

/** The host's timer trigger data: TimerInfo as JSON, PascalCase as the host sends it. */
function timerTrigger(isPastDue: boolean): RpcTypedData {
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

/** The host's HTTP trigger data for `GET /api/health`. */
const healthRequest: RpcTypedData = {
  http: { method: "GET", url: "http://localhost:7071/api/health", headers: {}, query: {} },
};

function appSettings(container: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...logAnalyticsClientEnv(server, caFile, WORKSPACE),
    AZURE_POLL_SCHEDULE: SCHEDULE,
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    AZURE_CHECKPOINT_CONTAINER: container,
    KAFKA_BROKERS: cluster.bootstrapServers.join(","),
    KAFKA_TOPIC_RAW: TOPIC,
    SENTINEL_LOG_LEVEL: "warn",
    SENTINEL_ENV_FILE: "",
  };
}

async function runApp(env: NodeJS.ProcessEnv, plan: { function: string; trigger: RpcTypedData }[]) {
  const { status, stdout, stderr } = await runNode(
    ["--import", "tsx", RUNNER, entry, JSON.stringify(plan)],
    { env },
  );
  assert.equal(status, 0, stderr);
  const report = stdout.trim().split("\n").at(-1) ?? "";
  return { report: JSON.parse(report) as FunctionsAppReport, stderr };
}

/** The trigger binding of a registered function, and its other bindings. */
function bindingsOf(bindings: Record<string, RpcBindingInfo>) {
  const all = Object.values(bindings);
  const trigger = all.find((binding) => /trigger$/i.test(binding.type ?? ""));
  return { trigger, others: all.filter((binding) => binding !== trigger) };
}

function summaryOf(invocation: InvocationResult | undefined): PollSummary {
  assert.equal(invocation?.status, "success", invocation?.error);
  return JSON.parse(invocation?.returnValue?.json ?? "null") as PollSummary;
}

function healthOf(invocation: InvocationResult | undefined) {
  assert.equal(invocation?.status, "success", invocation?.error);
  const http = invocation?.returnValue?.http;
  return {
    status: Number(http?.statusCode),
    body: JSON.parse(String(http?.body?.bytes)) as HealthReport,
  };
}

describe("the Azure Functions app, packaged for `func azure functionapp publish`", () => {
  it("is a folder with the bundle, host.json and a package.json without devDependencies or node-llama-cpp", async () => {
    const files = (await readdir(folder)).sort();
    assert.deepEqual(files, [
      ".funcignore",
      "host.json",
      "index.js",
      "index.js.map",
      "local.settings.json",
      "package.json",
    ]);
    const root = JSON.parse(readFileSync("package.json", "utf8")) as {
      main: string;
      dependencies: Record<string, string>;
    };
    const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as {
      main: string;
      type: string;
      dependencies: Record<string, string>;
      devDependencies?: unknown;
    };
    assert.equal(manifest.main, "index.js");
    assert.equal(manifest.type, "module");
    assert.equal(manifest.devDependencies, undefined);
    // Only what the bundle leaves to node_modules, at the project's versions: nothing today.
    assert.deepEqual(manifest.dependencies, {});
    const code = readFileSync(entry, "utf8");
    assert.doesNotMatch(code, /from\s*"node-llama-cpp"|import\("node-llama-cpp"\)/);
    // `npm run build` builds the project's "main" too: the host loads it in `func start` at the top.
    assert.equal(root.main, "dist/functions/azure/index.js");
    assert.ok(existsSync(join(built, "functions", "azure", "index.js")));
    const host = JSON.parse(readFileSync(join(folder, "host.json"), "utf8")) as {
      version: string;
      extensionBundle: { id: string; version: string };
    };
    assert.equal(host.version, "2.0");
    assert.deepEqual(host.extensionBundle, {
      id: "Microsoft.Azure.Functions.ExtensionBundle",
      version: "[4.*, 5.0.0)",
    });
    assert.match(readFileSync(join(folder, ".funcignore"), "utf8"), /^local\.settings\.json$/m);
  });

  it("registers the timer and the anonymous health function, and catches up over past-due runs", async () => {
    const container = "catch-up-checkpoints";
    const env = {
      ...appSettings(container),
      // A first run reads from 3 h 45 min back, at most two one-hour windows a run: the backlog
      // takes two runs.
      AZURE_START_LOOKBACK_SECONDS: "13500",
      AZURE_MAX_WINDOW_SECONDS: "3600",
      AZURE_MAX_WINDOWS_PER_RUN: "2",
    };
    const { report } = await runApp(env, [
      { function: "health", trigger: healthRequest },
      { function: "pollLogAnalytics", trigger: timerTrigger(false) },
      { function: "pollLogAnalytics", trigger: timerTrigger(true) },
      { function: "health", trigger: healthRequest },
    ]);

    // Registration: the v4 programming model, exactly these functions and triggers.
    assert.equal(report.programmingModel?.name, "@azure/functions");
    const functions = Object.fromEntries(
      report.functions.map((f) => [f.name, bindingsOf(f.bindings)]),
    );
    assert.deepEqual(Object.keys(functions).sort(), ["health", "pollLogAnalytics"]);
    const timer = functions.pollLogAnalytics;
    assert.deepEqual(
      { type: timer?.trigger?.type, direction: timer?.trigger?.direction },
      { type: "timerTrigger", direction: "in" },
    );
    assert.equal(timer?.trigger?.schedule, SCHEDULE);
    assert.deepEqual(timer?.others, [], "no bindings besides the timer");
    const http = functions.health;
    assert.equal(http?.trigger?.type, "httpTrigger");
    assert.equal(http?.trigger?.authLevel, "anonymous");
    assert.deepEqual(http?.trigger?.methods, ["GET"]);
    assert.equal(http?.trigger?.route, "health");
    assert.deepEqual(
      http?.others.map((b) => [b.type, b.direction]),
      [["http", "out"]],
    );
    for (const f of report.functions) assert.equal(f.retryOptions, undefined, f.name);

    const [before, first, second, afterRuns] = report.invocations;
    // Before any run: healthy settings, no window yet.
    assert.deepEqual(healthOf(before), {
      status: 200,
      body: {
        status: "ok",
        configuration: { valid: true, problems: [] },
        lastSuccessfulWindow: null,
      },
    });

    // The first run reads two windows (to 1 h 45 min back) and stops behind, saying so.
    const one = summaryOf(first);
    assert.deepEqual([one.windows, one.sent, one.caughtUp], [2, 5, false]);
    assert.ok(
      first?.logs.some((l) => l.level === "warning" && /^behind: stopped at /.test(l.message)),
      JSON.stringify(first?.logs),
    );
    assert.ok(!first?.logs.some((l) => /past due/.test(l.message)));

    // The next, late (the host's IsPastDue), says so and goes on from the checkpoint: the rest,
    // the rows each window's overlap reads again not sent twice.
    const two = summaryOf(second);
    assert.deepEqual([two.windows, two.sent, two.duplicates, two.caughtUp], [2, 7, 2, true]);
    assert.ok(
      second?.logs.some(
        (l) => l.level === "warning" && /past due \(last run 2026-01-05T09:00/.test(l.message),
      ),
      JSON.stringify(second?.logs),
    );
    assert.ok(second?.logs.some((l) => l.level === "information" && /7 sent/.test(l.message)));

    const events = jsonValues<LogEvent>(
      await readTopic(
        new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING }),
        TOPIC,
        12,
      ),
    );
    assert.deepEqual(events.map((e) => e.id).length, 12);
    assert.equal(new Set(events.map((e) => e.id)).size, 12);
    assert.ok(events.every((e) => e.service === "orders" && e.source.provider === "azure"));
    assert.ok(events.some((e) => e.message === "payment provider refused the connection"));

    // The checkpoint is one blob in the container, under the workspace...
    const blobs: string[] = [];
    const checkpoints = BlobServiceClient.fromConnectionString(
      azurite.connectionString,
    ).getContainerClient(container);
    for await (const blob of checkpoints.listBlobsFlat()) blobs.push(blob.name);
    assert.equal(blobs.length, 1);
    assert.match(blobs[0] ?? "", new RegExp(`^azure/${WORKSPACE}/[0-9a-f]{16}\\.json$`));

    // ...and health reports its window, which ended at the run (the stand-in's settings have no
    // AZURE_QUERY_LAG_SECONDS), and how long ago that is.
    const healthy = healthOf(afterRuns);
    assert.equal(healthy.status, 200);
    assert.equal(healthy.body.lastSuccessfulWindow?.end, two.windowEnd);
    const age = healthy.body.lastSuccessfulWindow?.ageSeconds ?? -1;
    assert.ok(Number.isInteger(age) && age >= 0 && age < 60, String(age));
  });

  it("registers only the health function on invalid settings, and it names the variables", async () => {
    const env = appSettings("unused-checkpoints");
    // Valid for the configuration loader, but the app cannot run without a workspace.
    delete env.AZURE_WORKSPACE_ID;
    const { report, stderr } = await runApp(env, [{ function: "health", trigger: healthRequest }]);
    assert.deepEqual(
      report.functions.map((f) => f.name),
      ["health"],
    );
    const { status, body } = healthOf(report.invocations[0]);
    assert.equal(status, 503);
    assert.equal(body.status, "misconfigured");
    assert.equal(body.configuration.valid, false);
    assert.deepEqual(
      body.configuration.problems.map((p) => p.variable),
      ["AZURE_WORKSPACE_ID"],
    );
    assert.match(stderr, /invalid settings: pollLogAnalytics is not registered/);
  });
});
