import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CheckpointConflictError,
  type CheckpointStore,
  type StoredCheckpoint,
} from "../ingestion/checkpoint.js";

interface CheckpointFile<T> {
  version: string;
  savedAt: string;
  value: T;
}

/**
 * Checkpoints as JSON files in a directory, one per key, for the CLI. A save writes a temporary
 * file and renames it over the old one, so a crash leaves the previous checkpoint or the new one,
 * never half of either. The version check guards against a second process on the same machine.
 */
export class FileCheckpointStore<T> implements CheckpointStore<T> {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async load(key: string): Promise<StoredCheckpoint<T> | undefined> {
    let text: string;
    try {
      text = await readFile(this.#path(key), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    let parsed: CheckpointFile<T>;
    try {
      parsed = JSON.parse(text) as CheckpointFile<T>;
    } catch (error) {
      throw new Error(
        `checkpoint file ${this.#path(key)} is not valid JSON (${(error as Error).message}); ` +
          "move it away to start over",
      );
    }
    return { value: parsed.value, version: parsed.version };
  }

  async save(key: string, value: T, expectedVersion: string | undefined): Promise<string> {
    const current = await this.load(key);
    if (current?.version !== expectedVersion) throw new CheckpointConflictError(key);
    await mkdir(this.#dir, { recursive: true });
    const version = randomUUID();
    const file: CheckpointFile<T> = { version, savedAt: new Date().toISOString(), value };
    const path = this.#path(key);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`);
    await rename(temporary, path);
    return version;
  }

  #path(key: string): string {
    return join(this.#dir, `${encodeURIComponent(key)}.json`);
  }
}
