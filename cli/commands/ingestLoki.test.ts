import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClassifiedEvent } from "../../core/events/types.js";
import { type LokiServer, startLokiServer } from "../../core/loki/testing/lokiServer.js";
import type { SummaryReport } from "../pipeline/summary.js";

// `sentinel ingest loki` as a process, against the local query_range stand-in on loopback.
const MAIN = new URL("../main.ts", import.meta.url).pathname;
let loki: LokiServer;
let dir: string;

before(async () => {
  loki = await startLokiServer({ tenantId: "team-a" });
  dir = await mkdtemp(join(tmpdir(), "sentinel-ingest-loki-"));
});
after(async () => {
  await loki.stop();
  await rm(dir, { recursive: true, force: true });
});

function start(args: string[], extra: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", MAIN, "ingest", "loki", ...args], {
    env: {
      ...process.env,
      LOKI_URL: loki.url,
      LOKI_TENANT_ID: "team-a",
      LOKI_QUERY_LAG_SECONDS: "0",
      LOKI_POLL_INTERVAL_SECONDS: "1",
      SENTINEL_LOG_LEVEL: "warn",
      SENTINEL_ENV_FILE: "",
      ...extra,
    },
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

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

describe("sentinel ingest loki", () => {
  it("classifies a backfill in the embedded pipeline, then resumes from its checkpoint", async () => {
    const from = nowNs() - 600n * 1_000_000_000n;
    loki.push({ app: "checkout", level: "error" }, [
      [from, "payment provider timeout after 30000 ms"],
      [from + 1n, "database connection refused"],
    ]);
    loki.push({ app: "checkout", level: "info" }, [
      [from, "GET /cart 200 4ms"],
      [from + 2n, ""],
    ]);
    loki.push({ app: "search" }, [[from, '{"level":"warn","msg":"index lag above 30s"}']]);
    const checkpoints = join(dir, "embedded");
    const args = [
      "--query",
      '{app=~"checkout|search"}',
      "--since",
      "1h",
      "--baseline",
      "-o",
      "json",
    ];
    const first = await sentinel([...args, "--checkpoint-dir", checkpoints]);
    assert.equal(first.status, 0, first.stderr);
    const report = JSON.parse(first.stdout) as SummaryReport;
    assert.equal(report.input.lines, 4, "the empty line is refused, not classified");
    assert.equal(report.labels.incident, 2);
    assert.deepEqual(report.services.map((s) => s.service).sort(), ["checkout", "search"]);
    assert.equal((await readdir(checkpoints)).length, 1);

    const second = await sentinel([...args, "--checkpoint-dir", checkpoints]);
    assert.equal(second.status, 0, second.stderr);
    assert.equal((JSON.parse(second.stdout) as SummaryReport).input.lines, 0);
  });

  it("follows new entries until SIGTERM, each once, in rate-limited batches", async () => {
    loki.push(
      { app: "worker" },
      Array.from(
        { length: 6 },
        (_, i) => [nowNs() - 60_000_000_000n + BigInt(i), `job ${i} done`] as const,
      ),
    );
    const child = start([
      "--query",
      '{app="worker"}',
      "--follow",
      "--rate",
      "50",
      "--batch-size",
      "4",
      "--baseline",
      "-o",
      "jsonl",
      "--checkpoint-dir",
      join(dir, "follow"),
    ]);
    const seen: string[] = [];
    let pending = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) seen.push((JSON.parse(line) as ClassifiedEvent).message);
    });
    const until = async (count: number) => {
      const deadline = Date.now() + 20_000;
      while (seen.length < count && Date.now() < deadline) await sleep(50);
    };
    await until(6);
    loki.push({ app: "worker" }, [[nowNs(), "job 6 failed: disk full"]]);
    await until(7);
    child.kill("SIGTERM");
    const status = await new Promise((resolve) => child.once("close", resolve));
    assert.equal(status, 0);
    assert.deepEqual(seen, [
      ...Array.from({ length: 6 }, (_, i) => `job ${i} done`),
      "job 6 failed: disk full",
    ]);
  });

  it("stops with Loki's refusal of a query that is not a log query", async () => {
    const bad = await sentinel([
      "--query",
      'sum(rate({app="x"}[1m]))',
      "--baseline",
      "--checkpoint-dir",
      join(dir, "bad"),
    ]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /Loki refused the query \(400\)/);
  });
});
