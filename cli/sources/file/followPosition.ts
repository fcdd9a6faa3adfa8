import * as z from "zod";
import type { CheckpointStore } from "../../../core/ingestion/checkpoint.js";
import type { Logger } from "../../../core/logging/logger.js";
import type { FilePosition } from "./fileFollower.js";

const filePositionSchema = z.object({
  dev: z.number().int().nonnegative(),
  ino: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  line: z.number().int().nonnegative(),
  head: z.object({ bytes: z.number().int().nonnegative(), sha256: z.string() }),
  stream: z.string().optional(),
});
/** The file being read, then the files waiting behind it. */
const positionSchema = z.object({ files: z.array(filePositionSchema) });

export type SavedPosition = z.infer<typeof positionSchema>;

/** Saves at most this often while running (and always at stop). */
const SAVE_EVERY_MS = 1000;

/**
 * A followed file's position in the state directory's checkpoints, so `sentinel run --follow`
 * resumes where it stopped: lines appended (or rotated away) while it was stopped are read, lines
 * already handed on are not read again. Saved once a second and at stop, so after a crash the
 * lines of the last second are read again (same ids; the detector counts each line once).
 */
export class FollowPosition {
  readonly #store: CheckpointStore<SavedPosition>;
  readonly #key: string;
  #version: string | undefined;
  #latest: SavedPosition | undefined;
  #saved: SavedPosition | undefined;
  #savedAt = 0;

  private constructor(store: CheckpointStore<SavedPosition>, key: string) {
    this.#store = store;
    this.#key = key;
  }

  /** The position saved for `path` (undefined on a first run, or when it is not a position). */
  static async open(
    store: CheckpointStore<SavedPosition>,
    path: string,
    logger: Logger,
  ): Promise<{ saved: FilePosition[] | undefined; position: FollowPosition }> {
    const position = new FollowPosition(store, `follow:${path}`);
    const stored = await store.load(position.#key);
    position.#version = stored?.version;
    const parsed = positionSchema.safeParse(stored?.value);
    if (stored && !parsed.success)
      logger.warn({ file: path }, "saved follow position is not one: following as on a first run");
    position.#saved = parsed.success ? parsed.data : undefined;
    return { saved: position.#saved?.files, position };
  }

  /** Records that everything before `position` was handed on; saves when a save is due. */
  async advance(files: FilePosition[], nowMs = Date.now()): Promise<void> {
    this.#latest = { files };
    if (nowMs - this.#savedAt >= SAVE_EVERY_MS) await this.save(nowMs);
  }

  /** Saves the latest position now (at stop). Throws CheckpointConflictError on a second runner. */
  async save(nowMs = Date.now()): Promise<void> {
    const latest = this.#latest;
    this.#savedAt = nowMs;
    if (!latest || sameJson(latest, this.#saved)) return;
    this.#version = await this.#store.save(this.#key, latest, this.#version);
    this.#saved = latest;
  }
}

function sameJson(a: SavedPosition, b: SavedPosition | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
