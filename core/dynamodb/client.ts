import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";

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
