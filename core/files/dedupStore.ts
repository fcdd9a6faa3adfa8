import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
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

export interface FileDedupOptions extends MemoryDedupOptions {
  path: string;
  /** Entries untouched this long are not saved (default: the window plus a day). */
  retentionMs?: number;
  /** Changes are written at most this often (default 1 s), and always on close(). */
  saveDelayMs?: number;
  logger?: Logger;
}

interface SavedState {
  version: 1;
  entries: [string, DedupEntry][];
}

/**
 * The embedded mode's dedup store (`sentinel run`): memory, saved to a JSON file so a restart
 * does not re-send what was just sent. Written whole to a temporary file and renamed over the old
 * one, so a crash leaves the previous state, never half a file.
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

  /** Opens the store; an unreadable state file is set aside (`.corrupt-<time>`) with a warning. */
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
    const { path, logger } = this.#options;
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    try {
      const state = JSON.parse(text) as SavedState;
      if (state.version !== 1 || !Array.isArray(state.entries))
        throw new Error("not a dedup state file of version 1");
      // This process is the file's only user: claims in it are a previous process's, never settled.
      const now = this.#now();
      this.#memory.load(
        state.entries
          .filter(isSavedEntry)
          .map(([id, entry]): [string, DedupEntry] => [id, abandonClaim(entry, now)]),
      );
    } catch (error) {
      const aside = `${path}.corrupt-${Date.now()}`;
      await rename(path, aside);
      logger?.warn(
        { path, movedTo: aside, error: (error as Error).message },
        "alert dedup state unreadable: set aside, starting with none",
      );
    }
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
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(state));
    await rename(temporary, path);
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
