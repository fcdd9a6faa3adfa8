import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";

export interface LocalAzurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly blobEndpoint: string;
  /** The emulator's documented development-account connection string, for this port. */
  readonly connectionString: string;
  stop(): Promise<void>;
}

/** Azurite's fixed, publicly documented development account; it only opens local emulators. */
const ACCOUNT = "devstoreaccount1";
const ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/**
 * Azure Blob Storage on loopback for tests: azurite's blob service on a free port, in memory,
 * without telemetry. `--skipApiVersionCheck` because @azure/storage-blob may speak a newer
 * service version than the installed azurite knows; the operations used here exist in both.
 */
export async function startAzurite(): Promise<LocalAzurite> {
  const main = join(
    dirname(createRequire(import.meta.url).resolve("azurite/package.json")),
    "dist/src/blob/main.js",
  );
  const child = spawn(
    process.execPath,
    [
      main,
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      "0",
      "--inMemoryPersistence",
      "--disableTelemetry",
      "--skipApiVersionCheck",
      "--silent",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const port = await listeningPort(child);
  const blobEndpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
  return {
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`,
    async stop() {
      process.removeListener("exit", killOnExit);
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // In memory, nothing to flush; a graceful stop would wait out clients' keep-alive sockets.
      child.kill("SIGKILL");
      await exited;
    },
  };
}

function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const match = /successfully listens on https?:\/\/[^:]+:(\d+)/.exec(line);
      if (match) {
        lines.close();
        child.stdout?.resume();
        resolve(Number(match[1]));
      }
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`azurite exited (${code}) before listening: ${stderr.trim()}`)),
    );
  });
}
