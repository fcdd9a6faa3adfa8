import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  epochSeconds,
  isConditionFailure,
  isExpired,
  retryOnConflict,
  StaleReadError,
  WriteContentionError,
} from "./client.js";
import { type LocalDynamo, startDynalite } from "./testing/dynalite.js";

let dynamo: LocalDynamo;
before(async () => {
  dynamo = await startDynalite();
});
after(() => dynamo.stop());

describe("the DynamoDB state table", () => {
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

describe("retryOnConflict", () => {
  it("reads and writes again while another writer wins, then succeeds", async () => {
    const table = await dynamo.createStateTable();
    const Key = { pk: { S: "counter" }, sk: { S: "c" } };
    const increment = (writer: string) =>
      retryOnConflict(`counter (${writer})`, 50, async () => {
        const { Item } = await dynamo.client.send(
          new GetItemCommand({ TableName: table, Key, ConsistentRead: true }),
        );
        const value = Number(Item?.value?.N ?? 0);
        await dynamo.client.send(
          new PutItemCommand({
            TableName: table,
            Item: { ...Key, value: { N: String(value + 1) } },
            ...(Item
              ? {
                  ConditionExpression: "#v = :v",
                  ExpressionAttributeNames: { "#v": "value" },
                  ExpressionAttributeValues: { ":v": { N: String(value) } },
                }
              : { ConditionExpression: "attribute_not_exists(pk)" }),
          }),
        );
      });
    await Promise.all(Array.from({ length: 5 }, (_, i) => increment(`w${i}`)));
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key, ConsistentRead: true }),
    );
    assert.equal(Item?.value?.N, "5");
  });

  it("gives up after maxAttempts with a contention error, and retries only conflicts", async () => {
    let attempts = 0;
    const lost = new ConditionalCheckFailedException({ message: "lost", $metadata: {} });
    assert.equal(isConditionFailure(lost), true);
    await assert.rejects(
      retryOnConflict("the item", 3, async () => {
        attempts++;
        throw attempts === 1 ? new StaleReadError("expired") : lost;
      }),
      (error: unknown) =>
        error instanceof WriteContentionError &&
        error.message === "the item kept changing under 3 attempts" &&
        error.cause === lost,
    );
    assert.equal(attempts, 3);

    attempts = 0;
    await assert.rejects(
      retryOnConflict("the item", 3, async () => {
        attempts++;
        throw new Error("no such table");
      }),
      /no such table/,
    );
    assert.equal(attempts, 1);
  });
});
