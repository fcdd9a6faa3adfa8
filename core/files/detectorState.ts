import * as z from "zod";
import type { DetectorState } from "../detection/detectorState.js";
import type { MemoryDetectorState, MemoryStateSnapshot } from "../detection/memoryDetectorState.js";
import { ANOMALY_KINDS } from "../detection/types.js";
import type { Logger } from "../logging/logger.js";
import type { PipelineMetrics } from "../metrics/catalog.js";
import { readJsonFile, writeJsonFile } from "./atomicJsonFile.js";

/**
 * The detector state on disk: the in-memory store's snapshot as JSON, written atomically
 * (core/files/atomicJsonFile.ts), so `sentinel run` and the detector Lambda run by
 * `sentinel lambda-runner` keep their baseline across restarts. A corrupt file is set aside with
 * a warning and the detector learns again, in both.
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

export interface DetectorStateFileOptions {
  /** Where a corrupt state file being set aside is reported. */
  logger?: Logger | undefined;
  metrics?: PipelineMetrics | undefined;
}

/**
 * Loads a saved state into `state`. Returns false when there is none: no file, or a corrupt one,
 * which is set aside (`<file>.corrupt-<time>`) with a warning.
 */
export async function loadDetectorStateFile(
  path: string,
  state: MemoryDetectorState,
  options: DetectorStateFileOptions = {},
): Promise<boolean> {
  const snapshot = await readJsonFile(path, {
    store: "detector_state",
    schema: snapshotSchema,
    logger: options.logger,
    metrics: options.metrics,
  });
  if (!snapshot) return false;
  state.restore(snapshot);
  return true;
}

/** Writes the state atomically: readers see the old file or the new one, never half of one. */
export function saveDetectorStateFile(path: string, state: MemoryDetectorState): Promise<void> {
  return writeJsonFile(path, state.snapshot());
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
  /** Saves run one after the other, each writing the state as it is then. */
  #saving: Promise<void> = Promise.resolve();

  private constructor(path: string, memory: MemoryDetectorState) {
    this.#path = path;
    this.#memory = memory;
    this.#state = memory;
  }

  /** `memory` with the file's state loaded; a corrupt file is set aside and `memory` starts empty. */
  static async open(
    path: string,
    memory: MemoryDetectorState,
    options: DetectorStateFileOptions = {},
  ): Promise<FileBackedDetectorState> {
    await loadDetectorStateFile(path, memory, options);
    return new FileBackedDetectorState(path, memory);
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
    const save = this.#saving.then(() => saveDetectorStateFile(this.#path, this.#memory));
    this.#saving = save.catch(() => undefined);
    await save;
  }
}
