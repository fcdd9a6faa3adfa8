import { type DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  CheckpointConflictError,
  type CheckpointStore,
  type StoredCheckpoint,
} from "../ingestion/checkpoint.js";
import { isConditionFailure } from "./client.js";

/** This store's share of the state table: `pk` = `checkpoint#<key>`. */
export const CHECKPOINT_PK_PREFIX = "checkpoint#";
const SORT_KEY = "checkpoint";

/**
 * Checkpoints in the one DynamoDB state table (core/dynamodb/client.ts), for the Lambda pollers.
 * Each key is one item holding the value as JSON and a version number; a save is a PutItem
 * conditional on the version it read (or on no item existing), so of two overlapping runs only
 * the first save wins and the other gets CheckpointConflictError. Reads are strongly consistent:
 * an eventually consistent read could hand a run the previous checkpoint. Checkpoints never
 * expire (no `expiresAt`).
 */
export class DynamoCheckpointStore<T> implements CheckpointStore<T> {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  async load(key: string): Promise<StoredCheckpoint<T> | undefined> {
    const { Item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: itemKey(key),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const version = Item.version?.N;
    const value = Item.value?.S;
    if (version === undefined || value === undefined)
      throw new Error(`checkpoint item ${CHECKPOINT_PK_PREFIX}${key} lacks version or value`);
    try {
      return { value: JSON.parse(value) as T, version };
    } catch (error) {
      throw new Error(
        `checkpoint item ${CHECKPOINT_PK_PREFIX}${key} holds invalid JSON (${(error as Error).message}); delete it to start over`,
      );
    }
  }

  async save(key: string, value: T, expectedVersion: string | undefined): Promise<string> {
    const version = String(expectedVersion === undefined ? 1 : Number(expectedVersion) + 1);
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...itemKey(key),
            value: { S: JSON.stringify(value) },
            version: { N: version },
            savedAt: { S: new Date().toISOString() },
          },
          ...(expectedVersion === undefined
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "version = :expected",
                ExpressionAttributeValues: { ":expected": { N: expectedVersion } },
              }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new CheckpointConflictError(key);
      throw error;
    }
    return version;
  }
}

function itemKey(key: string) {
  return { pk: { S: `${CHECKPOINT_PK_PREFIX}${key}` }, sk: { S: SORT_KEY } };
}
