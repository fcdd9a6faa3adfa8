import { randomUUID } from "node:crypto";
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  type ClaimDecision,
  type ClaimRequest,
  confirmClaim,
  DEFAULT_LEASE_MS,
  type DedupClaim,
  type DedupEntry,
  type DedupStore,
  decideClaim,
  releaseClaim,
} from "../alerting/dedupWindow.js";
import { contentId } from "../events/ids.js";
import { epochSeconds, isExpired, retryOnConflict } from "./client.js";

export interface DynamoDedupOptions {
  client: DynamoDBClient;
  /** The one state table (SENTINEL_STATE_TABLE). */
  tableName: string;
  windowMs: number;
  leaseMs?: number;
  /** How long an untouched entry is kept (TTL) beyond window and lease: default a day. */
  retentionMs?: number;
  /** Processing-time clock (ms). */
  now?: () => number;
}

/** The pk prefix this store owns in the state table. */
export const DEDUP_PK_PREFIX = "dedup#";
/** Attempts of one decision: the first and 20 more after conflicting writes. */
const MAX_ATTEMPTS = 21;

/**
 * Alert dedup in the shared DynamoDB state table, for notifier Lambdas running side by side: one
 * item per alert key and channel (`pk` = `dedup#<key>`, `sk` = the channel), the entry as JSON,
 * a `version` that every write checks (compare-and-set), and `expiresAt` for TTL. Each decision
 * reads the item (strongly consistent), applies the same rules as every other store
 * (dedupWindow.ts) and writes the result only if nobody wrote in between, otherwise reads again:
 * two Lambdas racing for one key cannot both claim it. Expired items count as absent.
 */
export class DynamoDedupStore implements DedupStore {
  readonly #options: Required<Omit<DynamoDedupOptions, "now">>;
  readonly #now: () => number;

  constructor(options: DynamoDedupOptions) {
    this.#options = {
      leaseMs: DEFAULT_LEASE_MS,
      retentionMs: 24 * 3_600_000,
      ...options,
    };
    this.#now = options.now ?? Date.now;
  }

  claim(request: ClaimRequest): Promise<ClaimDecision> {
    return this.#update(request.key, request.channel, (entry, now) => {
      const { decision, next } = decideClaim(entry, request, {
        windowMs: this.#options.windowMs,
        leaseMs: this.#options.leaseMs,
        now,
        token: randomUUID(),
      });
      const unchanged = decision.outcome === "duplicate" || decision.outcome === "busy";
      return { result: decision, next: unchanged ? undefined : next };
    });
  }

  confirm(claim: DedupClaim): Promise<void> {
    return this.#update(claim.key, claim.channel, (entry, now) => ({
      result: undefined,
      next: confirmClaim(entry, claim.token, now),
    }));
  }

  release(claim: DedupClaim): Promise<void> {
    return this.#update(claim.key, claim.channel, (entry, now) => ({
      result: undefined,
      next: releaseClaim(entry, claim.token, now),
    }));
  }

  /** Read, decide, write if unchanged; again on a conflicting write. `next` undefined: no write. */
  async #update<T>(
    key: string,
    channel: string,
    decide: (
      entry: DedupEntry | undefined,
      now: number,
    ) => { result: T; next: DedupEntry | undefined },
  ): Promise<T> {
    const { client, tableName } = this.#options;
    const itemKey = { pk: { S: partitionKeyOf(key) }, sk: { S: channel } };
    return retryOnConflict(
      `dedup entry ${key.slice(0, 200)} (${channel})`,
      MAX_ATTEMPTS,
      async () => {
        const { Item } = await client.send(
          new GetItemCommand({ TableName: tableName, Key: itemKey, ConsistentRead: true }),
        );
        const now = this.#now();
        const entry = Item && !isExpired(Item, now) ? parseEntry(Item) : undefined;
        const { result, next } = decide(entry, now);
        if (!next) return result;
        const version = Number(Item?.version?.N ?? 0);
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...itemKey,
              key: { S: key },
              entry: { S: JSON.stringify(next) },
              version: { N: String(version + 1) },
              expiresAt: { N: String(epochSeconds(this.#expiryOf(next))) },
            },
            ...(Item
              ? {
                  ConditionExpression: "version = :version",
                  ExpressionAttributeValues: { ":version": { N: String(version) } },
                }
              : { ConditionExpression: "attribute_not_exists(pk)" }),
          }),
        );
        return result;
      },
    );
  }

  #expiryOf(entry: DedupEntry): number {
    const { windowMs, retentionMs } = this.#options;
    return Math.max(entry.touchedAt + windowMs + retentionMs, entry.claim?.leaseUntil ?? 0);
  }
}

/** DynamoDB keys are bounded (2 KB for a partition key): very long alert keys are hashed. */
function partitionKeyOf(key: string): string {
  return Buffer.byteLength(key) <= 1024
    ? `${DEDUP_PK_PREFIX}${key}`
    : `${DEDUP_PK_PREFIX}${contentId(key)}`;
}

function parseEntry(item: Record<string, AttributeValue>): DedupEntry | undefined {
  const text = item.entry?.S;
  if (!text) return undefined;
  try {
    return JSON.parse(text) as DedupEntry;
  } catch {
    // A damaged entry costs at most one repeated alert; the next write replaces it.
    return undefined;
  }
}
