import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startVictoriaMetrics } from "./victoriaMetrics.js";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

describe("VictoriaMetrics test harness", () => {
  it("answers PromQL, reports query errors, and cleans up after stop()", async () => {
    const vm = await startVictoriaMetrics();
    try {
      const result = await vm.query("1 + 1");
      assert.equal(result.resultType, "vector");
      assert.equal((result.result as { value: [number, string] }[])[0]?.value[1], "2");
      await assert.rejects(vm.query("sum(("), /query failed \(4\d\d\)/);
    } finally {
      await vm.stop();
    }
    assert.equal(existsSync(vm.dataDir), false);
    assert.equal(isAlive(vm.pid), false);
  });

  it("leaves nothing running when the test process dies without stop()", async () => {
    const harness = new URL("./victoriaMetrics.ts", import.meta.url).href;
    const script = `const { startVictoriaMetrics } = await import(${JSON.stringify(harness)});
      const vm = await startVictoriaMetrics();
      console.log(JSON.stringify({ pid: vm.pid, dataDir: vm.dataDir }));
      setInterval(() => {}, 1000);`;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let started: { pid: number; dataDir: string };
    try {
      const [line] = await once(createInterface({ input: child.stdout }), "line");
      started = JSON.parse(String(line));
      assert.ok(isAlive(started.pid));
      assert.ok(existsSync(started.dataDir));
    } finally {
      child.kill("SIGKILL");
    }
    assert.ok(await waitUntil(() => !isAlive(started.pid)), "the server outlived its test process");
    assert.ok(await waitUntil(() => !existsSync(started.dataDir)), "the data directory remained");
  });
});
