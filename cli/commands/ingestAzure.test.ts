import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { AzureTable } from "../../core/azure/rowToEvent.js";
import {
  type LogAnalyticsServer,
  logAnalyticsClientEnv,
  startLogAnalyticsServer,
} from "../../core/azure/testing/logAnalyticsServer.js";
import type { SummaryReport } from "../pipeline/summary.js";
import { runNode } from "../testing/sentinelCli.js";

// `sentinel ingest azure` as a process, against the local Log Analytics stand-in (HTTPS on
// loopback). The CLI authenticates through DefaultAzureCredential unchanged: the stand-in plays
// App Service's managed-identity endpoint (IDENTITY_ENDPOINT/IDENTITY_HEADER), and the child
// trusts the stand-in's certificate through NODE_EXTRA_CA_CERTS.
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const WORKSPACE = "00000000-0000-4000-8000-0000000000cc";
let server: LogAnalyticsServer;
let dir: string;
let caFile: string;

/** The recorded fixtures' rows as stand-in rows, moved to `minutesAgo`. */
function fixtureRows(name: string, minutesAgo: number): Record<string, unknown>[] {
  const table = (
    JSON.parse(
      readFileSync(new URL(`../../core/azure/fixtures/${name}.json`, import.meta.url), "utf8"),
    ) as {
      tables: AzureTable[];
    }
  ).tables[0] as AzureTable;
  return table.rows.map((row, i) => {
    const record: Record<string, unknown> = {};
    table.columns.forEach((column, c) => {
      const value = row[c];
      if (column.name === "Type" || value === null) return;
      record[column.name as string] = column.type === "dynamic" ? parseDynamic(value) : value;
    });
    record.TimeGenerated = new Date(Date.now() - minutesAgo * 60_000 + i * 1000).toISOString();
    return record;
  });
}

/** A dynamic cell holds JSON text, or plain text when the log line was not JSON. */
function parseDynamic(value: unknown): unknown {
  try {
    return JSON.parse(String(value)) as unknown;
  } catch {
    return value;
  }
}

before(async () => {
  server = await startLogAnalyticsServer({
    workspaceId: WORKSPACE,
    token: "fake-msi-token-for-tests",
  });
  dir = await mkdtemp(join(tmpdir(), "sentinel-ingest-azure-"));
  caFile = join(dir, "stand-in-ca.pem");
  await writeFile(caFile, server.certificate);
  server.addRows("AppTraces", fixtureRows("appTraces", 30));
  server.addRows("Syslog", fixtureRows("syslog", 20));
  server.addRows("ContainerLogV2", fixtureRows("containerLogV2", 10));
});
after(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

async function sentinel(args: string[], extra: Record<string, string> = {}) {
  return runNode(["--import", "tsx", MAIN, "ingest", "azure", ...args], {
    env: {
      ...process.env,
      ...logAnalyticsClientEnv(server, caFile, WORKSPACE),
      SENTINEL_LOG_LEVEL: "warn",
      SENTINEL_ENV_FILE: "",
      ...extra,
    },
  });
}

describe("sentinel ingest azure", () => {
  it("classifies the workspace's rows in the embedded pipeline, then resumes from its checkpoint", async () => {
    const checkpoints = join(dir, "embedded");
    const args = ["--since", "1h", "--baseline", "-o", "json", "--checkpoint-dir", checkpoints];
    const first = await sentinel(args);
    assert.equal(first.status, 0, first.stderr);
    const report = JSON.parse(first.stdout) as SummaryReport;
    assert.equal(report.input.lines, 8, "3 AppTraces + 2 Syslog + 3 ContainerLogV2 rows");
    assert.deepEqual(report.services.map((s) => s.service).sort(), [
      "cart-api",
      "checkout-api",
      "db-vm-02",
      "orders",
      "web-vm-01",
    ]);
    assert.ok(report.labels.incident >= 2, "the error rows are incidents");
    assert.equal((await readdir(checkpoints)).length, 1);
    assert.ok(server.requests.every((r) => r.status === 200 || r.status === 429));

    const second = await sentinel(args);
    assert.equal(second.status, 0, second.stderr);
    assert.equal((JSON.parse(second.stdout) as SummaryReport).input.lines, 0);
  });

  it("stops with the API's explanation when the query is refused", async () => {
    const badQuery = JSON.parse(
      readFileSync(new URL("../../core/azure/fixtures/badQuery.json", import.meta.url), "utf8"),
    ) as unknown;
    server.failNext(1, 400, badQuery);
    const result = await sentinel(["--baseline", "--checkpoint-dir", join(dir, "refused")]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Query could not be parsed at 'whre'/);
  });
});
