import { gunzipSync, gzipSync } from "node:zlib";
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import type { GroupEntry } from "../alerting/grouping/groupState.js";
import type { GroupDecision, GroupStore } from "../alerting/grouping/groupStore.js";
import { contentId } from "../events/ids.js";
import { cutToBytes } from "../events/truncate.js";
import { epochSeconds, isExpired, retryOnConflict } from "./client.js";

export interface DynamoGroupStoreOptions {
  client: DynamoDBClient;
  /** The one state table (SENTINEL_STATE_TABLE). */
  tableName: string;
  /** How long an untouched entry is kept (TTL): default a day. */
  retentionMs?: number;
  /** Processing-time clock (ms). */
  now?: () => number;
}

/** The one partition of the state table that holds every group, so `list()` is one Query. */
export const GROUP_PK = "alertgroup";
/**
 * The compressed entry's budget, well inside DynamoDB's 400 KB item limit. An entry beyond it
 * (examples of incompressible, maximal lines) is stored with its example lines cut to fit.
 */
const MAX_ENTRY_BYTES = 300_000;
/** Example line sizes tried, largest first, for an entry over MAX_ENTRY_BYTES. */
const EXAMPLE_CUTS = [4096, 1024, 256];
/** Attempts of one decision: the first and 20 more after conflicting writes. */
const MAX_ATTEMPTS = 21;
const DEFAULT_RETENTION_MS = 24 * 3_600_000;

type Item = Record<string, AttributeValue>;

/**
 * Notification groups in the shared DynamoDB state table, for notifier Lambdas running side by
 * side: one item per group under the partition `pk` = `alertgroup` (`sk` = the group id, hashed
 * when longer than 1 KB), the entry as gzip-compressed JSON (`entry`, binary), a `version` that
 * every write checks (compare-and-set), and `expiresAt` for TTL. Each update reads the item
 * (strongly consistent), decides, and writes or deletes only if nobody wrote in between,
 * otherwise reads again: two Lambdas racing to decide a group's notification cannot both win.
 * Expired and damaged items count as absent (a damaged one costs at most a repeated notification).
 */
export class DynamoGroupStore implements GroupStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #retentionMs: number;
  readonly #now: () => number;

  constructor(options: DynamoGroupStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.#now = options.now ?? Date.now;
  }

  update<T>(groupId: string, decide: GroupDecision<T>): Promise<T> {
    const key = { pk: { S: GROUP_PK }, sk: { S: sortKeyOf(groupId) } };
    return retryOnConflict(`alert group ${groupId.slice(0, 200)}`, MAX_ATTEMPTS, async () => {
      const { Item } = await this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
      );
      const entry = this.#entryOf(Item, groupId);
      const { result, next } = decide(entry);
      if (next === undefined || (next === null && !Item)) return result;
      const condition = conditionOn(Item);
      if (next === null) {
        await this.#client.send(
          new DeleteItemCommand({ TableName: this.#table, Key: key, ...condition }),
        );
        return result;
      }
      const version = Number(Item?.version?.N ?? 0);
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...key,
            entry: { B: encodeEntry(next) },
            version: { N: String(version + 1) },
            expiresAt: { N: String(epochSeconds(this.#expiryOf(next))) },
          },
          ...condition,
        }),
      );
      return result;
    });
  }

  async list(): Promise<GroupEntry[]> {
    const entries: GroupEntry[] = [];
    let start: Item | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: GROUP_PK } },
          ConsistentRead: true,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) {
        const entry = this.#entryOf(item);
        if (entry) entries.push(entry);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return entries;
  }

  #entryOf(item: Item | undefined, groupId?: string): GroupEntry | undefined {
    if (!item || isExpired(item, this.#now())) return undefined;
    const entry = decodeEntry(item.entry?.B);
    return groupId === undefined || entry?.id === groupId ? entry : undefined;
  }

  #expiryOf(entry: GroupEntry): number {
    return entry.touchedAt + this.#retentionMs;
  }
}

/** DynamoDB sort keys are at most 1 KB: longer group ids are hashed. */
function sortKeyOf(groupId: string): string {
  return Buffer.byteLength(groupId) <= 1024 ? groupId : contentId(groupId);
}

/** A write that holds only if the item is still the one read (or still absent). */
function conditionOn(item: Item | undefined): {
  ConditionExpression: string;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
} {
  if (!item) return { ConditionExpression: "attribute_not_exists(pk)" };
  if (item.version?.N === undefined)
    return { ConditionExpression: "attribute_not_exists(version)" };
  return {
    ConditionExpression: "version = :version",
    ExpressionAttributeValues: { ":version": { N: item.version.N } },
  };
}

/** The entry as gzip-compressed JSON, its example lines cut when it would not fit otherwise. */
function encodeEntry(entry: GroupEntry): Uint8Array {
  let encoded = gzipSync(JSON.stringify(entry));
  for (const maxBytes of EXAMPLE_CUTS) {
    if (encoded.byteLength <= MAX_ENTRY_BYTES) return encoded;
    encoded = gzipSync(JSON.stringify(withExampleLinesCut(entry, maxBytes)));
  }
  if (encoded.byteLength <= MAX_ENTRY_BYTES) return encoded;
  throw new Error(
    `alert group ${entry.id.slice(0, 200)} needs ${encoded.byteLength} bytes even with its examples cut`,
  );
}

function decodeEntry(bytes: Uint8Array | undefined): GroupEntry | undefined {
  if (!bytes) return undefined;
  try {
    const entry = JSON.parse(gunzipSync(bytes).toString("utf8")) as GroupEntry;
    return typeof entry?.id === "string" && Array.isArray(entry.items) ? entry : undefined;
  } catch {
    return undefined;
  }
}

function withExampleLinesCut(entry: GroupEntry, maxBytes: number): GroupEntry {
  return {
    ...entry,
    items: entry.items.map((item) => {
      if (!item.example.events) return item;
      const events = item.example.events.map((event) => {
        const cut = cutToBytes(event.message, maxBytes);
        const attributes =
          JSON.stringify(event.attributes).length > maxBytes ? {} : event.attributes;
        if (!cut.cut) return { ...event, attributes };
        const originalBytes = event.originalBytes ?? cut.originalBytes;
        return { ...event, message: cut.text, attributes, truncated: true, originalBytes };
      });
      return { ...item, example: { ...item.example, events } };
    }),
  };
}
