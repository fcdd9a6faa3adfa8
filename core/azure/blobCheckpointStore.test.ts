import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { CheckpointConflictError } from "../ingestion/checkpoint.js";
import { BlobCheckpointStore } from "./blobCheckpointStore.js";
import { type LocalAzurite, startAzurite } from "./testing/azurite.js";

describe("BlobCheckpointStore against azurite", () => {
  let azurite: LocalAzurite;
  let service: BlobServiceClient;
  let containers = 0;
  const container = (): ContainerClient =>
    service.getContainerClient(`checkpoints-${process.pid}-${++containers}`);

  before(async () => {
    azurite = await startAzurite();
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  });
  after(() => azurite.stop());

  it("creates the container on first save, then loads the value with the blob's ETag", async () => {
    const client = container();
    const store = new BlobCheckpointStore<{ windowEnd: string }>(client);
    assert.equal(await store.load("azure/ws/abc"), undefined, "no container yet: no checkpoint");
    const version = await store.save(
      "azure/ws/abc",
      { windowEnd: "2026-01-05T10:00:00.000Z" },
      undefined,
    );
    const loaded = await store.load("azure/ws/abc");
    assert.deepEqual(loaded, { value: { windowEnd: "2026-01-05T10:00:00.000Z" }, version });
    const properties = await client.getBlockBlobClient("azure/ws/abc.json").getProperties();
    assert.equal(properties.etag, version);
    assert.equal(properties.contentType, "application/json");
  });

  it("advances only from the version it loaded", async () => {
    const store = new BlobCheckpointStore<{ at: number }>(container());
    const first = await store.save("k", { at: 1 }, undefined);
    const second = await store.save("k", { at: 2 }, first);
    assert.notEqual(second, first);
    await assert.rejects(store.save("k", { at: 3 }, first), CheckpointConflictError);
    assert.deepEqual((await store.load("k"))?.value, { at: 2 });
  });

  it("lets one of two runs that loaded the same version win (If-Match)", async () => {
    const client = container();
    const setup = new BlobCheckpointStore<{ at: number }>(client);
    await setup.save("race", { at: 0 }, undefined);
    const runA = new BlobCheckpointStore<{ at: number }>(client);
    const runB = new BlobCheckpointStore<{ at: number }>(client);
    const [loadedA, loadedB] = await Promise.all([runA.load("race"), runB.load("race")]);
    assert.equal(loadedA?.version, loadedB?.version);
    const outcomes = await Promise.allSettled([
      runA.save("race", { at: 1 }, loadedA?.version),
      runB.save("race", { at: 2 }, loadedB?.version),
    ]);
    const won = outcomes.filter((o) => o.status === "fulfilled");
    const lost = outcomes.filter((o) => o.status === "rejected");
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    assert.ok((lost[0] as PromiseRejectedResult).reason instanceof CheckpointConflictError);
    const winner = outcomes[0]?.status === "fulfilled" ? 1 : 2;
    assert.deepEqual((await setup.load("race"))?.value, { at: winner });
  });

  it("lets only one of two first runs create the checkpoint (If-None-Match: *)", async () => {
    const client = container();
    await client.create();
    const outcomes = await Promise.allSettled([
      new BlobCheckpointStore<{ run: string }>(client).save("first", { run: "a" }, undefined),
      new BlobCheckpointStore<{ run: string }>(client).save("first", { run: "b" }, undefined),
    ]);
    assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1);
    const lost = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    assert.ok(lost.reason instanceof CheckpointConflictError);
  });

  it("names the blob when its content is not JSON", async () => {
    const client = container();
    await client.create();
    await client.getBlockBlobClient("broken.json").upload("{not json", 9);
    await assert.rejects(
      new BlobCheckpointStore(client).load("broken"),
      /broken\.json is not valid JSON/,
    );
  });
});
