import { lookup } from "node:dns/promises";
import { existsSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** Our fine-tuned classifier on Hugging Face, 4-bit (986 MB): the model used when none is named. */
export const DEFAULT_MODEL =
  "hf:Deeps03/qwen2-1.5b-log-classifier/qwen2-1.5b-log-classifier-Q4_K_M.gguf";

export class ModelUnavailableError extends Error {
  override name = "ModelUnavailableError";
}

/** Where pulled models are kept: SENTINEL_MODEL_DIR, else the user's cache directory. */
export function modelCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.SENTINEL_MODEL_DIR) return resolve(env.SENTINEL_MODEL_DIR);
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cacheHome, "sentinel-llm", "models");
}

/** A Hugging Face reference (`hf:owner/repo/file.gguf`, `hf:owner/repo:Q4_K_M`) or a URL. */
export function isRemoteModel(reference: string): boolean {
  return /^(?:hf:|huggingface:|https?:\/\/)/i.test(reference);
}

/**
 * The local file for a model reference, if there is one: a path that exists, or a remote model
 * already pulled into the cache. Never touches the network.
 */
export async function findLocalModel(
  reference: string,
  directory: string,
): Promise<string | undefined> {
  if (!isRemoteModel(reference)) {
    const path = resolve(reference);
    if (!existsSync(path)) return undefined;
    if (!statSync(path).isFile()) throw new ModelUnavailableError(`${reference} is not a file`);
    return path;
  }
  // node-llama-cpp takes a quarter of a second to load; with no file pulled there is nothing to find.
  if (!holdsFiles(directory)) return undefined;
  const { resolveModelFile } = await import("node-llama-cpp");
  try {
    return await resolveModelFile(reference, { directory, download: false, cli: false });
  } catch {
    return undefined;
  }
}

function holdsFiles(directory: string): boolean {
  try {
    return readdirSync(directory, { withFileTypes: true }).some((entry) => !entry.isDirectory());
  } catch {
    return false;
  }
}

export interface PullProgress {
  downloadedBytes: number;
  totalBytes: number;
}

/**
 * Downloads a remote model into the cache, resuming a partial download, and returns its path; a
 * model already in the cache is returned as it is, without touching the network.
 * Fails with a ModelUnavailableError that says what to do when the network cannot be reached.
 */
export async function pullModel(
  reference: string,
  directory: string,
  options: { onProgress?: (progress: PullProgress) => void; signal?: AbortSignal } = {},
): Promise<string> {
  if (!isRemoteModel(reference)) {
    const local = await findLocalModel(reference, directory);
    if (local) return local;
    throw new ModelUnavailableError(
      `${reference} does not exist and is not a Hugging Face reference or URL`,
    );
  }
  // Already pulled: nothing to download, and no network needed (an offline restart).
  const pulled = await findLocalModel(reference, directory);
  if (pulled) return pulled;
  const offlineHint =
    "If this machine is offline, copy the GGUF file here and pass it as --model /path/to/model.gguf " +
    "(or set SENTINEL_MODEL).";
  // The downloader retries an unreachable host without end, so look the host up first.
  const host = hostOf(reference);
  try {
    await withTimeout(lookup(host), 10_000, `looking up ${host} timed out`);
  } catch (error) {
    throw new ModelUnavailableError(
      `cannot download ${reference}: ${host} cannot be reached (${describeNetworkError(error)}). ${offlineHint}`,
    );
  }

  const { resolveModelFile } = await import("node-llama-cpp");
  const stall = new AbortController();
  let stallTimer = setTimeout(() => stall.abort(), STALL_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal;
  try {
    return await resolveModelFile(reference, {
      directory,
      download: "auto",
      cli: false,
      // Keep a partial download, so the next pull resumes where this one stopped.
      deleteTempFileOnCancel: false,
      signal,
      onProgress: ({ downloadedSize, totalSize }) => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => stall.abort(), STALL_MS);
        options.onProgress?.({ downloadedBytes: downloadedSize, totalBytes: totalSize });
      },
    });
  } catch (error) {
    const why = stall.signal.aborted
      ? `no data for ${STALL_MS / 1000} s`
      : describeNetworkError(error);
    throw new ModelUnavailableError(
      `cannot download ${reference}: ${why}. Run the pull again to resume. ${offlineHint}`,
    );
  } finally {
    clearTimeout(stallTimer);
  }
}

/** A download that receives nothing for this long is abandoned (and resumes on the next pull). */
const STALL_MS = 60_000;

function hostOf(reference: string): string {
  if (/^https?:\/\//i.test(reference)) return new URL(reference).hostname;
  return "huggingface.co";
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describeNetworkError(error: unknown): string {
  const codes = new Set<string>();
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) codes.add(code);
  }
  if (
    ["ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ENETUNREACH", "ETIMEDOUT", "ECONNRESET"].some((c) =>
      codes.has(c),
    )
  ) {
    return `the network is unreachable (${[...codes].join(", ")})`;
  }
  return (error as Error).message ?? String(error);
}
