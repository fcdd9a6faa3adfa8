import * as z from "zod";
import {
  abandonClaim,
  type ClaimDecision,
  type ClaimRequest,
  type DedupClaim,
  type DedupEntry,
  type DedupStore,
  isEntryLive,
} from "../alerting/dedupWindow.js";
import { type MemoryDedupOptions, MemoryDedupStore } from "../alerting/memoryDedupStore.js";
import type { Logger } from "../logging/logger.js";
import type { PipelineMetrics } from "../metrics/catalog.js";
import { readJsonFile, writeJsonFile } from "./atomicJsonFile.js";

export interface FileDedupOptions extends MemoryDedupOptions {
  path: string;
  /** Entries untouched this long are not saved (default: the window plus a day). */
  retentionMs?: number;
  /** Changes are written at most this often (default 1 s), and always on close(). */
  saveDelayMs?: number;
  logger?: Logger;
  metrics?: PipelineMetrics;
}

interface SavedState {
  version: 1;
  entries: [string, DedupEntry][];
}

/** The file's shape; entries are checked one by one (isSavedEntry), a bad one is skipped. */
const savedStateSchema = z.object({ version: z.literal(1), entries: z.array(z.unknown()) });

/**
 * The embedded mode's dedup store (`sentinel run`): memory, saved to a JSON file so a restart
 * does not re-send what was just sent. Written whole and atomically (core/files/atomicJsonFile.ts),
 * so a crash leaves the previous state, never half a file.
 */
export class FileDedupStore implements DedupStore {
  readonly #memory: MemoryDedupStore;
  readonly #options: FileDedupOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #saving: Promise<void> = Promise.resolve();

  private constructor(options: FileDedupOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#memory = new MemoryDedupStore(options);
    this.#memory.onChange = () => this.#scheduleSave();
  }

  /** Opens the store; a corrupt state file is set aside (`.corrupt-<time>`) with a warning. */
  static async open(options: FileDedupOptions): Promise<FileDedupStore> {
    const store = new FileDedupStore(options);
    await store.#load();
    return store;
  }

  claim(request: ClaimRequest): Promise<ClaimDecision> {
    return this.#memory.claim(request);
  }

  confirm(claim: DedupClaim): Promise<void> {
    return this.#memory.confirm(claim);
  }

  release(claim: DedupClaim): Promise<void> {
    return this.#memory.release(claim);
  }

  /** Writes pending changes now. */
  async save(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#enqueueWrite();
  }

  async close(): Promise<void> {
    await this.save();
  }

  async #load(): Promise<void> {
    const { path, logger, metrics } = this.#options;
    const state = await readJsonFile(path, {
      store: "alert_dedup",
      schema: savedStateSchema,
      logger,
      metrics,
    });
    if (!state) return;
    // This process is the file's only user: claims in it are a previous process's, never settled.
    const now = this.#now();
    this.#memory.load(
      state.entries
        .filter(isSavedEntry)
        .map(([id, entry]): [string, DedupEntry] => [id, abandonClaim(entry, now)]),
    );
  }

  #scheduleSave(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#enqueueWrite().catch((error: unknown) =>
        this.#options.logger?.error(
          { path: this.#options.path, error: (error as Error).message },
          "could not save alert dedup state; retrying with the next change",
        ),
      );
    }, this.#options.saveDelayMs ?? 1000);
    this.#timer.unref();
  }

  /** Writes one after the other; a failed write does not stop the next. */
  #enqueueWrite(): Promise<void> {
    const write = this.#saving.then(() => this.#write());
    this.#saving = write.catch(() => undefined);
    return write;
  }

  async #write(): Promise<void> {
    const { path } = this.#options;
    const now = this.#now();
    const retentionMs = this.#options.retentionMs ?? this.#options.windowMs + 24 * 3_600_000;
    const state: SavedState = {
      version: 1,
      entries: this.#memory.entries().filter(([, entry]) => isEntryLive(entry, now, retentionMs)),
    };
    await writeJsonFile(path, state);
  }
}

function isSavedEntry(value: unknown): value is [string, DedupEntry] {
  return (
    Array.isArray(value) &&
    typeof value[0] === "string" &&
    typeof value[1] === "object" &&
    value[1] !== null &&
    typeof (value[1] as DedupEntry).touchedAt === "number"
  );
}
