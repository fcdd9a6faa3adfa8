import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import * as z from "zod";
import type { DetectorState } from "../detection/detectorState.js";
import type { MemoryDetectorState, MemoryStateSnapshot } from "../detection/memoryDetectorState.js";
import { ANOMALY_KINDS } from "../detection/types.js";

/**
 * The embedded mode's detector state on disk: the in-memory store's snapshot as JSON, written
 * atomically (temporary file, then rename), so `sentinel run` keeps its baseline across restarts.
 */

const finite = z.number().finite();
const samples = z.array(z.string()).max(100);
const snapshotSchema = z.object({
  version: z.literal(1),
  services: z.array(
    z.object({
      service: z.string().min(1),
      progress: z.object({
        firstBucket: finite,
        watermark: finite,
        judgedThrough: finite.optional(),
        anomalyEnd: z.partialRecord(z.enum(ANOMALY_KINDS), finite),
      }),
      buckets: z.array(
        z.object({
          start: finite,
          counts: z.object({
            incident: finite,
            preventive_action: finite,
            normal: finite,
            novel: finite,
          }),
          newTemplates: finite,
          samples: z.object({ incident: samples, preventive_action: samples, novel: samples }),
          marks: z.record(z.string(), z.string().regex(/^-?\d+$/)).optional(),
        }),
      ),
      templates: z.array(z.tuple([z.string(), finite, finite])),
    }),
  ),
}) satisfies z.ZodType<MemoryStateSnapshot>;

export class DetectorStateFileError extends Error {
  override name = "DetectorStateFileError";
}

/**
 * Loads a saved state into `state`. Returns false when the file does not exist; throws a
 * DetectorStateFileError naming the file when it cannot be read or is not a detector state.
 */
export function loadDetectorStateFile(path: string, state: MemoryDetectorState): boolean {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new DetectorStateFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DetectorStateFileError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DetectorStateFileError(
      `${path} is not a detector state: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
    );
  }
  state.restore(parsed.data as MemoryStateSnapshot);
  return true;
}

/** Writes the state atomically: readers see the old file or the new one, never half of one. */
export function saveDetectorStateFile(path: string, state: MemoryDetectorState): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state.snapshot()));
  renameSync(temporary, path);
}

/**
 * The in-memory state kept in a JSON file between batches, for the detector Lambda handler run
 * locally by `sentinel lambda-runner` (SENTINEL_STATE_BACKEND=file): loaded once, saved when a
 * batch's progress is committed. A crash before that save loses the batch's counts together with
 * its progress, so the re-delivered batch counts them again, once.
 */
export class FileBackedDetectorState implements DetectorState {
  readonly #path: string;
  readonly #memory: MemoryDetectorState;
  /** The same store, seen through the interface it implements. */
  readonly #state: DetectorState;

  constructor(path: string, memory: MemoryDetectorState) {
    this.#path = path;
    this.#memory = memory;
    this.#state = memory;
    loadDetectorStateFile(path, memory);
  }

  addCounts(...args: Parameters<DetectorState["addCounts"]>) {
    return this.#state.addCounts(...args);
  }

  sightTemplates(...args: Parameters<DetectorState["sightTemplates"]>) {
    return this.#state.sightTemplates(...args);
  }

  touchService(...args: Parameters<DetectorState["touchService"]>) {
    return this.#state.touchService(...args);
  }

  readProgress(...args: Parameters<DetectorState["readProgress"]>) {
    return this.#state.readProgress(...args);
  }

  readBuckets(...args: Parameters<DetectorState["readBuckets"]>) {
    return this.#state.readBuckets(...args);
  }

  async commitProgress(...args: Parameters<DetectorState["commitProgress"]>): Promise<void> {
    await this.#state.commitProgress(...args);
    saveDetectorStateFile(this.#path, this.#memory);
  }
}
