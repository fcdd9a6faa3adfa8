import * as z from "zod";
import { type GroupEntry, isEntryLive } from "../alerting/grouping/groupState.js";
import {
  type GroupDecision,
  type GroupStore,
  MemoryGroupStore,
} from "../alerting/grouping/groupStore.js";
import type { Logger } from "../logging/logger.js";
import type { PipelineMetrics } from "../metrics/catalog.js";
import { readJsonFile, writeJsonFile } from "./atomicJsonFile.js";

export interface FileGroupStoreOptions {
  path: string;
  /** Entries untouched this long are not saved (default: a day). */
  retentionMs?: number;
  /** Changes are written at most this often (default 1 s), and always on close(). */
  saveDelayMs?: number;
  maxGroups?: number;
  /** Processing-time clock (ms), for the retention. */
  now?: () => number;
  logger?: Logger;
  metrics?: PipelineMetrics;
}

/** The `store` label of a set-aside file (sentinel_state_files_set_aside_total). */
export const GROUP_STATE_STORE = "alert_groups";
const DEFAULT_RETENTION_MS = 24 * 3_600_000;

interface SavedState {
  version: 1;
  entries: GroupEntry[];
}

/** The file's shape; entries are checked one by one (isSavedEntry), a bad one is skipped. */
const savedStateSchema = z.object({ version: z.literal(1), entries: z.array(z.unknown()) });

/**
 * The embedded mode's group store (`sentinel run`): memory, saved to a JSON file so a restart
 * neither re-sends nor forgets what its groups were about. Written whole and atomically
 * (core/files/atomicJsonFile.ts), so a crash leaves the previous state, never half a file.
 */
export class FileGroupStore implements GroupStore {
  readonly #memory: MemoryGroupStore;
  readonly #options: FileGroupStoreOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #saving: Promise<void> = Promise.resolve();

  private constructor(options: FileGroupStoreOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#memory = new MemoryGroupStore(
      options.maxGroups === undefined ? {} : { maxGroups: options.maxGroups },
    );
    this.#memory.onChange = () => this.#scheduleSave();
  }

  /** Opens the store; a corrupt state file is set aside (`.corrupt-<time>`) with a warning. */
  static async open(options: FileGroupStoreOptions): Promise<FileGroupStore> {
    const store = new FileGroupStore(options);
    await store.#load();
    return store;
  }

  update<T>(groupId: string, decide: GroupDecision<T>): Promise<T> {
    return this.#memory.update(groupId, decide);
  }

  list(): Promise<GroupEntry[]> {
    return this.#memory.list();
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
      store: GROUP_STATE_STORE,
      schema: savedStateSchema,
      logger,
      metrics,
    });
    if (!state) return;
    const now = this.#now();
    this.#memory.load(
      state.entries
        .filter(isSavedEntry)
        .filter((entry) => isEntryLive(entry, now, this.#retentionMs())),
    );
  }

  #scheduleSave(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#enqueueWrite().catch((error: unknown) =>
        this.#options.logger?.error(
          { path: this.#options.path, error: (error as Error).message },
          "could not save alert group state; retrying with the next change",
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
    const now = this.#now();
    const retentionMs = this.#retentionMs();
    const state: SavedState = {
      version: 1,
      entries: this.#memory.entries().filter((entry) => isEntryLive(entry, now, retentionMs)),
    };
    await writeJsonFile(this.#options.path, state);
  }

  #retentionMs(): number {
    return this.#options.retentionMs ?? DEFAULT_RETENTION_MS;
  }
}

function isSavedEntry(value: unknown): value is GroupEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Partial<GroupEntry>;
  return (
    typeof entry.id === "string" &&
    typeof entry.touchedAt === "number" &&
    typeof entry.lastAt === "number" &&
    Array.isArray(entry.items) &&
    Array.isArray(entry.recentIds) &&
    typeof entry.omitted === "object" &&
    entry.omitted !== null &&
    typeof entry.clock === "object" &&
    entry.clock !== null
  );
}
