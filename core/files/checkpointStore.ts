import { randomUUID } from "node:crypto";
import { join } from "node:path";
import * as z from "zod";
import {
  CheckpointConflictError,
  type CheckpointStore,
  type StoredCheckpoint,
} from "../ingestion/checkpoint.js";
import type { Logger } from "../logging/logger.js";
import type { PipelineMetrics } from "../metrics/catalog.js";
import { readJsonFile, writeJsonFile } from "./atomicJsonFile.js";

const checkpointFileSchema = z
  .object({ version: z.string().min(1), savedAt: z.string(), value: z.unknown() })
  .refine((file) => file.value !== undefined, { message: "no value", path: ["value"] });

export interface FileCheckpointStoreOptions {
  /** Where a corrupt checkpoint file being set aside is reported. */
  logger?: Logger;
  metrics?: PipelineMetrics;
}

/**
 * Checkpoints as JSON files in a directory, one per key, for the CLI, written atomically
 * (core/files/atomicJsonFile.ts). A corrupt checkpoint file is set aside with a warning and the
 * source is read as if for the first time. The version check guards against a second process on
 * the same machine.
 */
export class FileCheckpointStore<T> implements CheckpointStore<T> {
  readonly #dir: string;
  readonly #options: FileCheckpointStoreOptions;

  constructor(dir: string, options: FileCheckpointStoreOptions = {}) {
    this.#dir = dir;
    this.#options = options;
  }

  async load(key: string): Promise<StoredCheckpoint<T> | undefined> {
    const file = await readJsonFile(this.#path(key), {
      store: "checkpoint",
      schema: checkpointFileSchema,
      logger: this.#options.logger,
      metrics: this.#options.metrics,
    });
    return file && { value: file.value as T, version: file.version };
  }

  async save(key: string, value: T, expectedVersion: string | undefined): Promise<string> {
    const current = await this.load(key);
    if (current?.version !== expectedVersion) throw new CheckpointConflictError(key);
    const version = randomUUID();
    await writeJsonFile(
      this.#path(key),
      { version, savedAt: new Date().toISOString(), value },
      { pretty: true },
    );
    return version;
  }

  #path(key: string): string {
    return join(this.#dir, `${encodeURIComponent(key)}.json`);
  }
}
