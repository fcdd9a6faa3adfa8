/**
 * A real VictoriaMetrics (Debian package `victoria-metrics`) on loopback for tests: a free port, a
 * temporary data directory, ready once /health answers.
 *
 * ```ts
 * const vm = await startVictoriaMetrics();
 * // ... push to vm.writeUrl ...
 * await vm.forceFlush();
 * const result = await vm.query('sum(sentinel_events_classified_total)');
 * await vm.stop();
 * ```
 *
 * The binary runs under a small shell wrapper that reads the test process's end of a pipe: when
 * the test process ends in any way (stop(), a failed test, SIGKILL), the pipe closes, the wrapper
 * stops VictoriaMetrics and removes the data directory. Nothing is left running.
 *
 * Queries see samples at once: forceFlush() makes freshly written samples searchable, and queries
 * go with `nocache=1` and an explicit time, since without them VictoriaMetrics moves a query near
 * "now" back to its own clock, which ticks in whole seconds and hides the newest samples.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const VICTORIA_METRICS_BINARY = "/usr/bin/victoria-metrics";

export interface PromSample {
  metric: Record<string, string>;
  /** [unix seconds, value as text] */
  value: [number, string];
}

export interface PromSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export type InstantResult =
  | { resultType: "vector"; result: PromSample[] }
  | { resultType: "scalar" | "string"; result: [number, string] }
  | { resultType: "matrix"; result: PromSeries[] };

export interface VictoriaMetrics {
  /** e.g. http://127.0.0.1:43127 */
  readonly url: string;
  /** The remote-write endpoint: `${url}/api/v1/write`. */
  readonly writeUrl: string;
  readonly dataDir: string;
  readonly pid: number;
  /** Makes every sample written so far visible to queries. */
  forceFlush(): Promise<void>;
  /** PromQL/MetricsQL instant query (default time: now); throws with the server's message on an error. */
  query(promql: string, time?: Date): Promise<InstantResult>;
  queryRange(promql: string, start: Date, end: Date, stepSeconds: number): Promise<PromSeries[]>;
  /** Values of a label, optionally among series matching a selector. */
  labelValues(label: string, match?: string): Promise<string[]>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

// $1 data dir, $2 listen address, $3 binary. Stops the server when stdin closes, then cleans up.
// Background jobs of a non-interactive shell read /dev/null, hence stdin kept as fd 3 for cat.
const WRAPPER = `
exec 3<&0
"$3" -storageDataPath="$1" -httpListenAddr="$2" -loggerLevel=ERROR -search.latencyOffset=0s \\
  -retentionPeriod=100y -search.disableCache >/dev/null &
vm=$!
trap 'kill "$vm" 2>/dev/null' INT TERM HUP
( cat <&3 >/dev/null; kill "$vm" 2>/dev/null ) &
status=0
while kill -0 "$vm" 2>/dev/null; do wait "$vm"; status=$?; done
rm -rf "$1"
exit "$status"
`;

export async function startVictoriaMetrics(
  options: { binary?: string } = {},
): Promise<VictoriaMetrics> {
  const binary = options.binary ?? VICTORIA_METRICS_BINARY;
  let lastError: Error | undefined;
  // A free port can be taken between finding it and the server binding it: try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(binary, await freePort());
    } catch (error) {
      lastError = error as Error;
    }
  }
  throw lastError;
}

async function startOnce(binary: string, port: number): Promise<VictoriaMetrics> {
  const dataDir = mkdtempSync(join(tmpdir(), "sentinel-vm-"));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn("sh", ["-c", WRAPPER, "sh", dataDir, `127.0.0.1:${port}`, binary], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  // The test process may end without stop(): the closed pipe then ends the server.
  child.unref();
  (child.stdin as unknown as Socket).unref();
  (child.stderr as unknown as Socket).unref();

  const ready = await waitForHealth(url, child, exited);
  if (!ready) {
    child.ref();
    child.stdin?.end();
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(
      `victoria-metrics did not start on port ${port}: ${stderr.trim() || "no output"}`,
    );
  }
  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    dataDir,
    pid: child.pid as number,
    forceFlush: async () => {
      const response = await fetch(`${url}/internal/force_flush`);
      if (!response.ok) throw new Error(`force_flush answered ${response.status}`);
      await response.body?.cancel();
    },
    query: async (promql, time) => {
      const at = (time ?? new Date()).getTime() / 1000;
      const params = new URLSearchParams({ query: promql, time: String(at), nocache: "1" });
      return (await api(`${url}/api/v1/query?${params}`, promql)) as InstantResult;
    },
    queryRange: async (promql, start, end, stepSeconds) => {
      const params = new URLSearchParams({
        query: promql,
        start: String(start.getTime() / 1000),
        end: String(end.getTime() / 1000),
        step: `${stepSeconds}s`,
        nocache: "1",
      });
      const data = (await api(`${url}/api/v1/query_range?${params}`, promql)) as {
        result: PromSeries[];
      };
      return data.result;
    },
    labelValues: async (label, match) => {
      const params = new URLSearchParams();
      if (match) params.set("match[]", match);
      const path = `${url}/api/v1/label/${encodeURIComponent(label)}/values?${params}`;
      return (await api(path, `label_values(${match ?? ""}, ${label})`)) as string[];
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.ref();
        child.stdin?.end();
      }
      await exited;
    },
  };
}

async function api(path: string, what: string): Promise<unknown> {
  const response = await fetch(path);
  const body = (await response.json().catch(() => undefined)) as
    | { status: string; data?: unknown; error?: string; errorType?: string }
    | undefined;
  if (!response.ok || body?.status !== "success")
    throw new Error(
      `query failed (${response.status}) for ${what}: ${body?.errorType ?? ""} ${body?.error ?? ""}`.trim(),
    );
  return body.data;
}

async function waitForHealth(
  url: string,
  child: ChildProcess,
  exited: Promise<unknown>,
): Promise<boolean> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 20_000;
  while (!gone && Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      if (response.ok) return true;
    } catch {
      // Not listening yet.
    }
    await sleep(50);
  }
  if (!gone) child.stdin?.end();
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
