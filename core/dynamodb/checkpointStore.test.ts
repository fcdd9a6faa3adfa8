import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CheckpointConflictError } from "../ingestion/checkpoint.js";
import { DynamoCheckpointStore } from "./checkpointStore.js";
import { type LocalDynamo, startDynalite } from "./testing/dynalite.js";

describe("DynamoCheckpointStore on dynalite", () => {
  let dynamo: LocalDynamo;
  before(async () => {
    dynamo = await startDynalite();
  });
  after(() => dynamo.stop());

  it("saves, loads and advances a checkpoint by version, under its own pk prefix", async () => {
    const table = await dynamo.createStateTable();
    const store = new DynamoCheckpointStore<{ at: number; ids: string[] }>(dynamo.client, table);
    assert.equal(await store.load("cloudwatch/us-east-1/api"), undefined);
    const first = await store.save("cloudwatch/us-east-1/api", { at: 1, ids: ["a"] }, undefined);
    assert.deepEqual(await store.load("cloudwatch/us-east-1/api"), {
      value: { at: 1, ids: ["a"] },
      version: first,
    });
    const second = await store.save("cloudwatch/us-east-1/api", { at: 2, ids: [] }, first);
    assert.notEqual(second, first);
    assert.deepEqual((await store.load("cloudwatch/us-east-1/api"))?.value, { at: 2, ids: [] });
    const { Item } = await dynamo.client.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: "checkpoint#cloudwatch/us-east-1/api" }, sk: { S: "checkpoint" } },
      }),
    );
    assert.equal(Item?.version?.N, second);
    assert.equal(Item?.expiresAt, undefined, "checkpoints never expire");
  });

  it("refuses a save from a run that read an older version, and keeps the newer checkpoint", async () => {
    const table = await dynamo.createStateTable();
    const store = new DynamoCheckpointStore<{ at: number }>(dynamo.client, table);
    const first = await store.save("group", { at: 1 }, undefined);
    await store.save("group", { at: 2 }, first);
    await assert.rejects(store.save("group", { at: 3 }, first), CheckpointConflictError);
    await assert.rejects(store.save("group", { at: 3 }, undefined), CheckpointConflictError);
    assert.deepEqual((await store.load("group"))?.value, { at: 2 });
  });

  it("lets exactly one of two runs racing from the same version win", async () => {
    const table = await dynamo.createStateTable();
    const store = new DynamoCheckpointStore<{ run: string }>(dynamo.client, table);
    const base = await store.save("race", { run: "base" }, undefined);
    const outcomes = await Promise.allSettled([
      store.save("race", { run: "a" }, base),
      store.save("race", { run: "b" }, base),
    ]);
    assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1);
    const lost = outcomes.find((o) => o.status === "rejected");
    assert.ok(lost?.status === "rejected" && lost.reason instanceof CheckpointConflictError);
  });

  it("names the item when its value is not JSON", async () => {
    const table = await dynamo.createStateTable();
    await dynamo.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: "checkpoint#broken" },
          sk: { S: "checkpoint" },
          version: { N: "1" },
          value: { S: "{not json" },
        },
      }),
    );
    await assert.rejects(
      new DynamoCheckpointStore(dynamo.client, table).load("broken"),
      /checkpoint#broken holds invalid JSON/,
    );
  });
});
