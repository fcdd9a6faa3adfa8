import { spawn, spawnSync } from "node:child_process";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** The environment tests run `sentinel` in: quiet logs, no `.env`, models in `modelDir`. */
export function quietEnv(modelDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SENTINEL_LOG_LEVEL: "warn",
    SENTINEL_ENV_FILE: "",
    SENTINEL_MODEL_DIR: modelDir,
  };
}

/**
 * Runs the real CLI (`node --import tsx cli/main.ts …`) to completion; one that is still running
 * after two minutes (a hang) is killed, and its status is null.
 */
export function runSentinel(
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], {
    input: options.input,
    env: options.env,
    cwd: options.cwd,
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  return {
    status: result.status,
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
  };
}

export function jsonLines<T>(text: string): T[] {
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

export interface ProcessRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <args>` to completion without blocking this process (so several can run at once),
 * `input` on its standard input; one still running after `timeoutMs` is killed (status null).
 */
export function runNode(
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: options.env,
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
