import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CheckpointConflictError } from "../ingestion/checkpoint.js";
import { FileCheckpointStore } from "./checkpointStore.js";
import { assertSetAside, recordingObservers } from "./testing/setAside.js";

describe("FileCheckpointStore", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sentinel-checkpoints-"));
  after(() => rm(dir, { recursive: true, force: true }));

  it("saves, loads and advances a checkpoint by version", async () => {
    const store = new FileCheckpointStore<{ at: number }>(dir);
    assert.equal(await store.load("aws:/app/api"), undefined);
    const first = await store.save("aws:/app/api", { at: 1 }, undefined);
    assert.deepEqual(await store.load("aws:/app/api"), { value: { at: 1 }, version: first });
    const second = await store.save("aws:/app/api", { at: 2 }, first);
    assert.notEqual(second, first);
    assert.deepEqual((await store.load("aws:/app/api"))?.value, { at: 2 });
  });

  it("refuses a save from a run that read an older version", async () => {
    const store = new FileCheckpointStore<{ at: number }>(dir);
    const first = await store.save("loki", { at: 1 }, undefined);
    await store.save("loki", { at: 2 }, first);
    await assert.rejects(store.save("loki", { at: 3 }, first), CheckpointConflictError);
    await assert.rejects(store.save("loki", { at: 3 }, undefined), CheckpointConflictError);
    assert.deepEqual((await store.load("loki"))?.value, { at: 2 });
  });

  it("sets a corrupt checkpoint file aside and reads the source as for the first time", async () => {
    for (const [key, corrupt] of [
      ["broken", "{not json"],
      ["no-version", '{"savedAt": "2026-01-01T00:00:00.000Z", "value": {"at": 1}}'],
    ] as const) {
      const observers = recordingObservers();
      const path = join(dir, `${key}.json`);
      await writeFile(path, corrupt);
      const store = new FileCheckpointStore<{ at: number }>(dir, observers);
      assert.equal(await store.load(key), undefined);
      await assertSetAside(path, corrupt, observers, "checkpoint");
      // A first save (no expected version) goes through and is read back.
      const version = await store.save(key, { at: 5 }, undefined);
      assert.deepEqual(await store.load(key), { value: { at: 5 }, version });
    }
  });

  it("sets a corrupt file aside on save too, so a run that found none can save", async () => {
    const observers = recordingObservers();
    const store = new FileCheckpointStore<{ at: number }>(dir, observers);
    assert.equal(await store.load("later"), undefined);
    // The file goes bad between this run's load and its save (another writer, a disk fault).
    await writeFile(join(dir, "later.json"), "[]");
    await store.save("later", { at: 1 }, undefined);
    assert.deepEqual((await store.load("later"))?.value, { at: 1 });
    await assertSetAside(join(dir, "later.json"), "[]", observers, "checkpoint");
  });
});
