import type { Config } from "../../core/config/schema.js";
import { AnomalyDetector, type Detection, retentionMs } from "../../core/detection/detector.js";
import { MemoryDetectorState } from "../../core/detection/memoryDetectorState.js";
import { detectorSettings } from "../../core/detection/settings.js";
import type { DetectorEvent, DetectorStatus, StreamPosition } from "../../core/detection/types.js";
import type { Anomaly } from "../../core/events/types.js";
import { loadDetectorStateFile, saveDetectorStateFile } from "../../core/files/detectorState.js";
import type { Logger } from "../../core/logging/logger.js";
import type { PipelineMetrics } from "../../core/metrics/catalog.js";

/** The embedded mode's detector: the configured settings over an in-memory state. */
export function embeddedDetector(config: Config): {
  detector: AnomalyDetector;
  state: MemoryDetectorState;
} {
  const settings = detectorSettings(config);
  const state = new MemoryDetectorState({
    retainMs: retentionMs(settings),
    templateMemoryMs: settings.templateMemoryMs,
  });
  return { detector: new AnomalyDetector({ state, settings }), state };
}

const SAVE_EVERY_MS = 30_000;

export interface PersistentDetectorOptions {
  file: string;
  logger: Logger;
  metrics?: PipelineMetrics;
  onAnomaly: (anomaly: Anomaly) => void | Promise<void>;
}

/**
 * The detector of `sentinel run`: live, its state kept in a file between runs so a restart does
 * not start learning again. A corrupt state file is set aside (never overwritten) with a warning
 * and the detector starts fresh. `tick()` judges the buckets wall-clock time has closed and saves
 * the state now and then; `stop()` saves it.
 */
export class PersistentDetector {
  readonly #detector: AnomalyDetector;
  readonly #state: MemoryDetectorState;
  readonly #file: string;
  readonly #logger: Logger;
  readonly #onAnomaly: (anomaly: Anomaly) => void | Promise<void>;
  #savedAt = 0;
  /** observe() and tick() run one at a time, so a bucket is never judged by both at once. */
  #queue: Promise<void> = Promise.resolve();

  private constructor(config: Config, options: PersistentDetectorOptions) {
    const { detector, state } = embeddedDetector(config);
    this.#detector = detector;
    this.#state = state;
    this.#file = options.file;
    this.#logger = options.logger;
    this.#onAnomaly = options.onAnomaly;
  }

  /** The detector with the state file's baseline, or none when the file is missing or corrupt. */
  static async open(
    config: Config,
    options: PersistentDetectorOptions,
  ): Promise<PersistentDetector> {
    const detector = new PersistentDetector(config, options);
    const { file, logger, metrics } = options;
    if (await loadDetectorStateFile(file, detector.#state, { logger, metrics }))
      logger.info({ file }, "detector state loaded");
    return detector;
  }

  /** `positions` (parallel to `events`) count each stream position once: a re-read line is not counted again. */
  observe(
    events: readonly DetectorEvent[],
    positions?: readonly (StreamPosition | undefined)[],
  ): Promise<void> {
    return this.#serially(async () =>
      this.#handle(await this.#detector.observe(events, positions)),
    );
  }

  tick(nowMs = Date.now()): Promise<void> {
    return this.#serially(async () => {
      await this.#handle(await this.#detector.advance(nowMs));
      if (nowMs - this.#savedAt >= SAVE_EVERY_MS) await this.#save(nowMs);
    });
  }

  /** Saves the state, after the observe() or tick() in flight. */
  stop(): Promise<void> {
    return this.#serially(() => this.#save(Date.now()));
  }

  status(): DetectorStatus {
    return this.#detector.status();
  }

  #serially(step: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(step);
    this.#queue = next.catch(() => {});
    return next;
  }

  async #handle(detection: Detection): Promise<void> {
    for (const anomaly of detection.anomalies) await this.#onAnomaly(anomaly);
    await detection.commit();
  }

  async #save(nowMs: number): Promise<void> {
    this.#savedAt = nowMs;
    try {
      await saveDetectorStateFile(this.#file, this.#state);
    } catch (error) {
      this.#logger.warn(
        { file: this.#file, error: (error as Error).message },
        "could not save the detector state",
      );
    }
  }
}
