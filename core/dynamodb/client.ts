import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import { type RetryPolicy, withRetry } from "../retry/backoff.js";

/**
 * SentinelLLM keeps all of its DynamoDB state in one table (SENTINEL_STATE_TABLE): string keys
 * `pk` and `sk`, and a TTL attribute `expiresAt` (epoch seconds). Each store owns a `pk` prefix
 * (detector counters, alert dedup entries, ingestion checkpoints), so one table and one TTL
 * setting serve them all. DynamoDB deletes expired items only eventually (and dynalite never),
 * so readers treat an item whose `expiresAt` has passed as absent.
 */
export const STATE_TABLE_KEYS = { partitionKey: "pk", sortKey: "sk", ttlAttribute: "expiresAt" };

export interface DynamoOptions {
  region?: string;
  /** Only for tests and local emulators; in AWS the SDK finds the endpoint itself. */
  endpoint?: string;
}

export function createDynamoClient(options: DynamoOptions = {}): DynamoDBClient {
  return new DynamoDBClient({
    ...(options.region && { region: options.region }),
    ...(options.endpoint && { endpoint: options.endpoint }),
    maxAttempts: 5,
  });
}

/** Creates the state table (on-demand, pk/sk strings) unless it exists; for tests and local runs. */
export async function ensureStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: STATE_TABLE_KEYS.partitionKey, AttributeType: "S" },
          { AttributeName: STATE_TABLE_KEYS.sortKey, AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: STATE_TABLE_KEYS.partitionKey, KeyType: "HASH" },
          { AttributeName: STATE_TABLE_KEYS.sortKey, KeyType: "RANGE" },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === "ACTIVE") return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`DynamoDB table ${tableName} did not become ACTIVE`);
}

/** Epoch seconds, the unit DynamoDB's TTL attribute takes. */
export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** True when an item's `expiresAt` has passed: such items are absent, whether deleted yet or not. */
export function isExpired(
  item: { expiresAt?: { N?: string } } | undefined,
  nowMs: number,
): boolean {
  const at = item?.expiresAt?.N;
  return at !== undefined && Number(at) * 1000 <= nowMs;
}

/** True when a conditional write's condition did not hold: another writer got there first. */
export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error | undefined)?.name === "ConditionalCheckFailedException"
  );
}

/** Thrown by a `retryOnConflict` operation that finds what it read is out of date: read again. */
export class StaleReadError extends Error {
  override name = "StaleReadError";
}

/** Thrown when a read-then-conditional-write kept losing to other writers. */
export class WriteContentionError extends Error {
  override name = "WriteContentionError";
}

/** Between attempts of a read-then-conditional-write that lost a race: short and jittered. */
const CONFLICT_BACKOFF: Omit<RetryPolicy, "maxAttempts"> = { baseDelayMs: 10, maxDelayMs: 250 };

/**
 * Runs a read-decide-conditional-write operation (optimistic concurrency on the state table) until
 * it wins: when its write's condition fails, or it throws a `StaleReadError`, another writer got
 * in between, so it reads and decides again, through the project's retry policy, up to
 * `maxAttempts` in all. Then it throws a `WriteContentionError` ("<what> kept changing under N
 * attempts"). Any other error is thrown at once.
 *
 * @example
 * await retryOnConflict(`progress of ${service}`, 20, async () => {
 *   const item = await read();
 *   await client.send(new UpdateItemCommand({ ...decide(item), ConditionExpression: "version = :v" }));
 * });
 */
export async function retryOnConflict<T>(
  what: string,
  maxAttempts: number,
  operation: () => Promise<T>,
): Promise<T> {
  const isConflict = (error: unknown) =>
    isConditionFailure(error) || error instanceof StaleReadError;
  try {
    return await withRetry(
      operation,
      { maxAttempts, ...CONFLICT_BACKOFF },
      { isRetryable: isConflict },
    );
  } catch (error) {
    if (!isConflict(error)) throw error;
    throw new WriteContentionError(`${what} kept changing under ${maxAttempts} attempts`, {
      cause: error,
    });
  }
}
