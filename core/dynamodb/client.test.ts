import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { epochSeconds, isExpired } from "./client.js";
import { type LocalDynamo, startDynalite } from "./testing/dynalite.js";

describe("the DynamoDB state table", () => {
  let dynamo: LocalDynamo;
  before(async () => {
    dynamo = await startDynalite();
  });
  after(() => dynamo.stop());

  it("is created once, takes pk/sk items, and a past expiresAt reads as expired", async () => {
    const table = await dynamo.createStateTable();
    await dynamo.createStateTable(table); // idempotent
    const now = Date.parse("2026-01-01T00:00:00Z");
    await dynamo.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: "a" },
          sk: { S: "b" },
          expiresAt: { N: String(epochSeconds(now - 1000)) },
        },
      }),
    );
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: "a" }, sk: { S: "b" } } }),
    );
    assert.ok(Item, "dynalite keeps expired items");
    assert.equal(isExpired(Item, now), true);
    assert.equal(isExpired(Item, now - 60_000), false);
    assert.equal(isExpired(undefined, now), false);
  });
});
