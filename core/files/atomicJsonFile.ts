import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import type * as z from "zod";
import { createLogger, type Logger } from "../logging/logger.js";
import { type PipelineMetrics, pipelineMetrics } from "../metrics/catalog.js";

/**
 * The one way state files are written and read (checkpoints, alert groups, detector state).
 *
 * A write goes to a temporary file in the same directory, is flushed to disk, and is renamed over
 * the old file: a crash leaves the previous state or the new one, never half of either. A read
 * that finds a corrupt file (not JSON, or not what the store keeps) renames it aside as
 * `<file>.corrupt-<epoch ms>`, logs a warning naming both paths, counts it in
 * `sentinel_state_files_set_aside_total{store}` and returns undefined, so the store starts fresh
 * instead of failing until someone deletes the file. A file that cannot be read at all (missing
 * permission, a directory) is not corrupt: that error is thrown.
 *
 * @example
 * const state = await readJsonFile(path, { store: "alert_groups", schema, logger });
 * await writeJsonFile(path, { version: 1, entries });
 */

export interface WriteJsonFileOptions {
  /** Indented, with a final newline, for files people read (default: compact). */
  pretty?: boolean;
}

let writes = 0;

/** Writes `value` as JSON atomically: readers see the old file or the new one, never half of one. */
export async function writeJsonFile(
  path: string,
  value: unknown,
  options: WriteJsonFileOptions = {},
): Promise<void> {
  const text = options.pretty ? `${JSON.stringify(value, null, 2)}\n` : JSON.stringify(value);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  // Unique per write, so two writes in flight (or two processes) never share a temporary file.
  const temporary = `${path}.${process.pid}.${++writes}.tmp`;
  try {
    const handle = await open(temporary, "w");
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/** Makes the rename itself durable; not every platform opens directories (Windows), so best effort. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The data is in the file already; only the rename's durability is left to the system.
  }
}

export interface ReadJsonFileOptions<T> {
  /** Which store the file belongs to: the metric's `store` label and the log's `store` field. */
  store: string;
  /** What a valid file holds; a file that does not match is corrupt. */
  schema: z.ZodType<T>;
  /** Where the set-aside warning goes (default: a logger of its own on stderr). */
  logger?: Logger | undefined;
  metrics?: PipelineMetrics | undefined;
}

/**
 * The file's contents, checked against `schema`; undefined when there is no file, or when it was
 * corrupt and has been set aside (see setAsideCorruptFile).
 */
export async function readJsonFile<T>(
  path: string,
  options: ReadJsonFileOptions<T>,
): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const { store, logger, metrics } = options;
  const setAside = (reason: string) =>
    setAsideCorruptFile(path, { store, reason, logger, metrics });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    await setAside(`not JSON: ${(error as Error).message}`);
    return undefined;
  }
  const parsed = options.schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.map(String).join(".") || "(root)";
    await setAside(`${at}: ${issue?.message}`);
    return undefined;
  }
  return parsed.data;
}

export interface SetAsideOptions {
  store: string;
  /** Why the file is corrupt, for the warning. */
  reason: string;
  logger?: Logger | undefined;
  metrics?: PipelineMetrics | undefined;
}

/**
 * Renames a corrupt state file to `<file>.corrupt-<epoch ms>` (kept for a person to look at, never
 * overwritten by the fresh state), warns naming both paths and counts it. Returns the new path, or
 * undefined when the file was already gone (another reader set it aside first).
 */
export async function setAsideCorruptFile(
  path: string,
  options: SetAsideOptions,
): Promise<string | undefined> {
  const aside = `${path}.corrupt-${Date.now()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  (options.logger ?? fallbackLogger()).warn(
    { store: options.store, file: path, setAsideAs: aside, reason: options.reason },
    `state file ${path} is corrupt (${options.reason}): set aside as ${aside}, starting fresh`,
  );
  (options.metrics ?? pipelineMetrics).stateFilesSetAside.inc({ store: options.store });
  return aside;
}

let fallback: Logger | undefined;

/** For stores opened without a logger: a corrupt file is never set aside silently. */
function fallbackLogger(): Logger {
  fallback ??= createLogger().child({ component: "state-files" });
  return fallback;
}
