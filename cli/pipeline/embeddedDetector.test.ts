import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadConfig } from "../../core/config/load.js";
import { MemoryDetectorState } from "../../core/detection/memoryDetectorState.js";
import { eventsFor, MINUTE, T0 } from "../../core/detection/testing/series.js";
import { loadDetectorStateFile } from "../../core/files/detectorState.js";
import { assertSetAside, recordingObservers } from "../../core/files/testing/setAside.js";
import { PersistentDetector } from "./embeddedDetector.js";

describe("sentinel run's detector state file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sentinel-run-detector-"));
  after(() => rm(dir, { recursive: true, force: true }));
  const config = loadConfig({ env: {}, envFile: false });

  it("sets a corrupt state file aside, learns again and saves a good one on stop", async () => {
    const file = join(dir, "detector-state.json");
    const corrupt = '{"version": 1, "services": [{"service": "api", "progr';
    await writeFile(file, corrupt);
    const observers = recordingObservers();
    const detector = await PersistentDetector.open(config, {
      file,
      ...observers,
      onAnomaly: () => {},
    });
    await assertSetAside(file, corrupt, observers, "detector_state");

    await detector.observe(eventsFor("api", [{ incident: 2, normal: 5 }]));
    await detector.stop();
    const saved = new MemoryDetectorState({ retainMs: 60 * MINUTE, templateMemoryMs: 60 * MINUTE });
    assert.equal(await loadDetectorStateFile(file, saved), true);
    const [bucket] = await saved.readBuckets("api", T0, T0 + MINUTE);
    assert.equal(bucket?.counts.incident, 2);

    const reopened = recordingObservers();
    await PersistentDetector.open(config, { file, ...reopened, onAnomaly: () => {} });
    assert.deepEqual(
      reopened.records.map((r) => r.msg),
      ["detector state loaded"],
    );
  });
});
