import type { AddressInfo } from "node:net";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { createDynamoClient, ensureStateTable } from "../client.js";

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  /** A fresh state table (pk/sk) for one test. */
  createStateTable(name?: string): Promise<string>;
  stop(): Promise<void>;
}

let tables = 0;

/**
 * DynamoDB on loopback for tests: dynalite, in memory, with the table operations instant. It
 * stores the TTL attribute but never expires items, like DynamoDB before its sweeper runs.
 */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  // Fake credentials of the documented example shape, so the SDK signs requests; dynalite ignores them.
  process.env.AWS_ACCESS_KEY_ID ??= "AKIAIOSFODNN7EXAMPLE";
  process.env.AWS_SECRET_ACCESS_KEY ??= "test-secret-not-real";
  const client = createDynamoClient({ region: "us-east-1", endpoint });
  return {
    endpoint,
    client,
    async createStateTable(name = `sentinel-test-${process.pid}-${++tables}`) {
      await ensureStateTable(client, name);
      return name;
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
