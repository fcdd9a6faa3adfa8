import { existsSync, renameSync } from "node:fs";
import type { Config } from "../../core/config/schema.js";
import { AnomalyDetector, type Detection, retentionMs } from "../../core/detection/detector.js";
import { MemoryDetectorState } from "../../core/detection/memoryDetectorState.js";
import { detectorSettings } from "../../core/detection/settings.js";
import type { DetectorEvent, DetectorStatus } from "../../core/detection/types.js";
import type { Anomaly } from "../../core/events/types.js";
import { loadDetectorStateFile, saveDetectorStateFile } from "../../core/files/detectorState.js";
import type { Logger } from "../../core/logging/logger.js";

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

/**
 * The detector of `sentinel run`: live, its state kept in a file between runs so a restart does
 * not start learning again. A state file that cannot be read is moved aside (never overwritten)
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

  constructor(
    config: Config,
    options: {
      file: string;
      logger: Logger;
      onAnomaly: (anomaly: Anomaly) => void | Promise<void>;
    },
  ) {
    const { detector, state } = embeddedDetector(config);
    this.#detector = detector;
    this.#state = state;
    this.#file = options.file;
    this.#logger = options.logger;
    this.#onAnomaly = options.onAnomaly;
    this.#load();
  }

  observe(events: readonly DetectorEvent[]): Promise<void> {
    return this.#serially(async () => this.#handle(await this.#detector.observe(events)));
  }

  tick(nowMs = Date.now()): Promise<void> {
    return this.#serially(async () => {
      await this.#handle(await this.#detector.advance(nowMs));
      if (nowMs - this.#savedAt >= SAVE_EVERY_MS) this.#save(nowMs);
    });
  }

  stop(): void {
    this.#save(Date.now());
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

  #load(): void {
    try {
      if (loadDetectorStateFile(this.#file, this.#state))
        this.#logger.info({ file: this.#file }, "detector state loaded");
    } catch (error) {
      const aside = `${this.#file}.unreadable-${Date.now()}`;
      if (existsSync(this.#file)) renameSync(this.#file, aside);
      this.#logger.warn(
        { file: this.#file, movedTo: aside, error: (error as Error).message },
        "detector state unreadable; moved aside, learning again",
      );
    }
  }

  #save(nowMs: number): void {
    this.#savedAt = nowMs;
    try {
      saveDetectorStateFile(this.#file, this.#state);
    } catch (error) {
      this.#logger.warn(
        { file: this.#file, error: (error as Error).message },
        "could not save the detector state",
      );
    }
  }
}
