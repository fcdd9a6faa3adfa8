import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CheckpointConflictError } from "../ingestion/checkpoint.js";
import { FileCheckpointStore } from "./checkpointStore.js";

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

  it("names the file when it is not JSON", async () => {
    await writeFile(join(dir, "broken.json"), "{not json");
    await assert.rejects(
      new FileCheckpointStore(dir).load("broken"),
      /broken\.json is not valid JSON/,
    );
  });
});
