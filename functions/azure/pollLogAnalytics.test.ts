import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import azureFunctions, { type Timer } from "@azure/functions";
import type { TokenCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";
import { BlobCheckpointStore } from "../../core/azure/blobCheckpointStore.js";
import { WorkspaceQuery } from "../../core/azure/logAnalyticsQuery.js";
import { type AzureCheckpoint, AzureLogPoller, type PollSummary } from "../../core/azure/poller.js";
import { type LocalAzurite, startAzurite } from "../../core/azure/testing/azurite.js";
import {
  type LogAnalyticsServer,
  startLogAnalyticsServer,
} from "../../core/azure/testing/logAnalyticsServer.js";
import type { LogEvent } from "../../core/events/types.js";
import { CheckpointConflictError } from "../../core/ingestion/checkpoint.js";
import { CallbackEventSink } from "../../core/ingestion/eventSink.js";
import { pollLogAnalytics } from "./pollLogAnalytics.js";

// The package is CommonJS; Node sees InvocationContext only on its default export.
const { InvocationContext } = azureFunctions;
const WORKSPACE = "00000000-0000-0000-0000-0000000000bb";
const TOKEN = "fake-token-for-tests-only";
const NOW = Date.parse("2026-01-05T12:00:00Z");
const MINUTE = 60_000;
const credential: TokenCredential = {
  getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

function timer(isPastDue: boolean): Timer {
  return {
    isPastDue,
    schedule: { adjustForDST: false },
    scheduleStatus: {
      last: "2026-01-05T09:00:00.000Z",
      next: "2026-01-05T12:01:00.000Z",
      lastUpdated: "2026-01-05T09:00:00.000Z",
    },
  };
}

function context() {
  const lines: { level: string; text: string }[] = [];
  const invocation = new InvocationContext({
    functionName: "pollLogAnalytics",
    logHandler: (level, ...args) => lines.push({ level, text: args.map(String).join(" ") }),
  });
  return { invocation, lines };
}

describe("pollLogAnalytics (timer function)", () => {
  let server: LogAnalyticsServer;
  let azurite: LocalAzurite;
  let containers = 0;

  before(async () => {
    [server, azurite] = await Promise.all([
      startLogAnalyticsServer({ workspaceId: WORKSPACE, token: TOKEN, now: () => NOW }),
      startAzurite(),
    ]);
    server.addRows(
      "AppTraces",
      Array.from({ length: 120 }, (_, i) => ({
        TimeGenerated: new Date(NOW - 3 * 60 * MINUTE + i * 90_000).toISOString(),
        Message: `job ${i} finished`,
        SeverityLevel: 1,
        AppRoleName: "scheduler",
        _ItemId: `item-${i}`,
      })),
    );
  });
  after(async () => {
    await Promise.all([server.stop(), azurite.stop()]);
  });

  function poller(sent: LogEvent[], maxWindowsPerRun: number) {
    const container = BlobServiceClient.fromConnectionString(
      azurite.connectionString,
    ).getContainerClient(`function-${++containers}`);
    return new AzureLogPoller(
      {
        workspaceId: WORKSPACE,
        query: "union *",
        lagMs: 3 * MINUTE,
        overlapMs: 10 * MINUTE,
        maxWindowMs: 15 * MINUTE,
        maxWindowsPerRun,
        startLookbackMs: 4 * 60 * MINUTE,
        maxMessageBytes: 16_384,
      },
      {
        source: new WorkspaceQuery({
          credential,
          endpoint: server.endpoint,
          clientOptions: { agent: server.agent },
          workspaceId: WORKSPACE,
          query: "union *",
        }),
        store: new BlobCheckpointStore<AzureCheckpoint>(container),
        sink: new CallbackEventSink((events) => {
          sent.push(...events);
        }),
        now: () => NOW,
      },
    );
  }

  it("reads the due windows, checkpoints in blob storage, and reads nothing twice on the next run", async () => {
    const sent: LogEvent[] = [];
    const instance = poller(sent, 100);
    const deps = { poller: async () => instance, budgetMs: 60_000 };
    const first = context();
    const summary = await pollLogAnalytics(timer(false), first.invocation, deps);
    assert.equal(summary?.caughtUp, true);
    assert.equal(sent.length, 119, "rows up to now - lag (3 minutes)");
    assert.match(first.lines.at(-1)?.text ?? "", /119 sent/);
    const second = await pollLogAnalytics(timer(false), context().invocation, deps);
    assert.equal(second?.sent, 0);
    assert.equal(sent.length, 119);
  });

  it("says when the timer is past due, and catches up over runs of bounded windows", async () => {
    const sent: LogEvent[] = [];
    const instance = poller(sent, 4);
    const deps = { poller: async () => instance, budgetMs: 60_000 };
    const late = context();
    const first = await pollLogAnalytics(timer(true), late.invocation, deps);
    assert.ok(late.lines.some((l) => l.level === "warning" && /past due/.test(l.text)));
    assert.ok(late.lines.some((l) => l.level === "warning" && /behind/.test(l.text)));
    assert.equal(first?.windows, 4);
    let runs = 1;
    let summary: PollSummary | undefined = first;
    while (!summary?.caughtUp && runs < 50) {
      summary = await pollLogAnalytics(timer(false), context().invocation, deps);
      runs++;
    }
    assert.ok(runs >= 4, `${runs} runs for about 4 hours of 15-minute windows, 4 a run`);
    assert.equal(new Set(sent.map((e) => e.id)).size, 119);
    assert.equal(sent.length, 119);
  });

  it("stops quietly when an overlapping run advanced the checkpoint first", async () => {
    const { invocation, lines } = context();
    const result = await pollLogAnalytics(timer(false), invocation, {
      poller: async () => ({
        poll: async () => {
          throw new CheckpointConflictError("azure/ws/q");
        },
      }),
      budgetMs: 1000,
    });
    assert.equal(result, undefined);
    assert.ok(lines.some((l) => l.level === "warning" && /another run/.test(l.text)));
  });

  it("fails the invocation on any other error, leaving the checkpoint for the next run", async () => {
    await assert.rejects(
      pollLogAnalytics(timer(false), context().invocation, {
        poller: async () => ({
          poll: async () => {
            throw new Error("Kafka unreachable");
          },
        }),
        budgetMs: 1000,
      }),
      /Kafka unreachable/,
    );
  });
});
