import {
  type AttributeValue,
  BatchGetItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { emptyBucket, tally } from "../detection/buckets.js";
import type { DetectorState } from "../detection/detectorState.js";
import {
  ANOMALY_KINDS,
  type AnomalyKind,
  type BucketCounts,
  COUNT_FIELDS,
  type CountDelta,
  SAMPLE_SIZE,
  SAMPLED_FIELDS,
  type ServiceProgress,
  type TemplateSighting,
} from "../detection/types.js";
import { withRetry } from "../retry/backoff.js";
import {
  epochSeconds,
  isConditionFailure,
  isExpired,
  retryOnConflict,
  StaleReadError,
} from "./client.js";

/** This store's share of the state table: every `pk` starts with `detector#`. */
export const DETECTOR_PK_PREFIX = "detector#";

type Item = Record<string, AttributeValue>;

export interface DynamoDetectorStateOptions {
  client: DynamoDBClient;
  tableName: string;
  /** How long counts live after their bucket (or now, whichever is later): see `retentionMs`. */
  retainMs: number;
  /** How long an incident template is remembered after it was last seen. */
  templateMemoryMs: number;
  /** Items written at once (UpdateItem calls in flight). */
  concurrency?: number;
}

/** Attempts of one read-then-conditional-write before giving up on a contended item. */
const MAX_CONDITION_ATTEMPTS = 20;
/** BatchGetItem calls for one chunk of keys while DynamoDB leaves some unprocessed. */
const BATCH_GET_POLICY = { maxAttempts: 12, baseDelayMs: 100, maxDelayMs: 1000 };
/** A remembered template's expiry is pushed back at most once a day. */
const TEMPLATE_REFRESH_MS = 86_400_000;

/**
 * The detector's state in the one DynamoDB state table (core/dynamodb/client.ts), for the Lambda.
 *
 * Items (all under `pk` = `detector#<service>...`, with a TTL `expiresAt`; reads treat an expired
 * item as absent, since DynamoDB deletes late and dynalite never):
 * - `detector#<service>` / `bucket#<start ms, 16 digits>`: one bucket's counters (`incident`,
 *   `preventive_action`, `normal`, `novel`, `newTemplates`) kept with atomic UpdateItem `ADD`,
 *   sample ids as string sets (`samples_<field>`), and per stream the highest offset counted
 *   (`mark#<topic-partition>`). An update is conditional on the mark it read, and counts only
 *   entries past it, so a re-delivered Kafka batch adds nothing and a batch that overlaps a
 *   counted one adds only its new records (Lambda delivers a partition's records in order).
 * - `detector#<service>` / `meta`: first bucket, watermark, last judged bucket and the end of the
 *   last anomaly per kind (`end#<kind>`), changed with conditional writes that only move forward.
 * - `detector#<service>#templates` / `<templateId>`: the bucket an incident template was first
 *   seen in; created with a conditional put, so of two writers exactly one sees it as new.
 */
export class DynamoDetectorState implements DetectorState {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #retainMs: number;
  readonly #templateMemoryMs: number;
  readonly #concurrency: number;

  constructor(options: DynamoDetectorStateOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#retainMs = options.retainMs;
    this.#templateMemoryMs = options.templateMemoryMs;
    this.#concurrency = options.concurrency ?? 16;
  }

  async addCounts(deltas: readonly CountDelta[], nowMs: number): Promise<CountDelta[]> {
    // Deltas of one item are applied one after the other; items in parallel.
    const byItem = new Map<string, CountDelta[]>();
    for (const delta of deltas) {
      const key = `${delta.service}\u0000${delta.bucket}`;
      const list = byItem.get(key);
      if (list) list.push(delta);
      else byItem.set(key, [delta]);
    }
    const applied: CountDelta[] = [];
    await forEachLimited([...byItem.values()], this.#concurrency, async (itemDeltas) => {
      for (const delta of itemDeltas) {
        const result = await this.#addDelta(delta, nowMs);
        if (result) applied.push(result);
      }
    });
    return applied;
  }

  async #addDelta(delta: CountDelta, nowMs: number): Promise<CountDelta | undefined> {
    const key = bucketKey(delta.service, delta.bucket);
    const markName = delta.stream === undefined ? undefined : `mark#${delta.stream}`;
    return retryOnConflict(
      `detector counts for ${delta.service}`,
      MAX_CONDITION_ATTEMPTS,
      async () => {
        const stored = await this.#getRaw(key);
        if (stored && isExpired(stored, nowMs)) {
          // Not swept yet: remove it first, or ADD would resurrect its old counts; then read again.
          await this.#deleteExpired(key, stored);
          throw new StaleReadError("an expired bucket item was removed");
        }
        const current = stored;
        let entries = delta.entries;
        let previousMark: string | undefined;
        if (markName !== undefined) {
          previousMark = current?.[markName]?.N;
          if (previousMark !== undefined) {
            const mark = BigInt(previousMark);
            entries = entries.filter((entry) => (entry.sequence ?? -1n) > mark);
          }
        }
        if (entries.length === 0) return undefined;
        const add = tally(entries);

        const names: Record<string, string> = { "#expiresAt": "expiresAt" };
        const values: Item = {
          ":expiresAt": { N: String(epochSeconds(Math.max(nowMs, delta.bucket) + this.#retainMs)) },
        };
        const adds: string[] = [];
        const sets = ["#expiresAt = :expiresAt"];
        COUNT_FIELDS.forEach((field, i) => {
          if (add.counts[field] === 0) return;
          names[`#c${i}`] = field;
          values[`:c${i}`] = { N: String(add.counts[field]) };
          adds.push(`#c${i} :c${i}`);
        });
        if (add.newTemplates > 0) {
          names["#newTemplates"] = "newTemplates";
          values[":newTemplates"] = { N: String(add.newTemplates) };
          adds.push("#newTemplates :newTemplates");
        }
        SAMPLED_FIELDS.forEach((field, i) => {
          const have = current?.[`samples_${field}`]?.SS ?? [];
          const room = SAMPLE_SIZE - have.length;
          const fresh = add.samples[field].filter((id) => !have.includes(id)).slice(0, room);
          if (fresh.length === 0) return;
          names[`#s${i}`] = `samples_${field}`;
          values[`:s${i}`] = { SS: fresh };
          adds.push(`#s${i} :s${i}`);
        });
        let condition: string | undefined;
        if (markName !== undefined) {
          const last = entries.at(-1)?.sequence;
          names["#mark"] = markName;
          if (last !== undefined) {
            values[":mark"] = { N: last.toString() };
            sets.push("#mark = :mark");
          }
          if (previousMark === undefined) condition = "attribute_not_exists(#mark)";
          else {
            values[":previousMark"] = { N: previousMark };
            condition = "#mark = :previousMark";
          }
        }
        await this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: key,
            UpdateExpression: `SET ${sets.join(", ")}${adds.length > 0 ? ` ADD ${adds.join(", ")}` : ""}`,
            ...(condition && { ConditionExpression: condition }),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return entries === delta.entries ? delta : { ...delta, entries };
      },
    );
  }

  async sightTemplates(
    service: string,
    firstBuckets: ReadonlyMap<string, number>,
    nowMs: number,
  ): Promise<Map<string, TemplateSighting>> {
    const ids = [...firstBuckets.keys()];
    const known = await this.#batchGet(
      ids.map((id) => templateKey(service, id)),
      nowMs,
    );
    const result = new Map<string, TemplateSighting>();
    const expiresAt = epochSeconds(nowMs + this.#templateMemoryMs);
    await forEachLimited(ids, this.#concurrency, async (id) => {
      const item = known.get(templateKey(service, id).sk.S as string);
      if (item) {
        result.set(id, { firstBucket: Number(item.firstBucket?.N), isNew: false });
        const stored = Number(item.expiresAt?.N ?? 0);
        if (stored * 1000 < nowMs + this.#templateMemoryMs - TEMPLATE_REFRESH_MS) {
          await this.#client.send(
            new UpdateItemCommand({
              TableName: this.#table,
              Key: templateKey(service, id),
              UpdateExpression: "SET expiresAt = :expiresAt",
              ExpressionAttributeValues: { ":expiresAt": { N: String(expiresAt) } },
            }),
          );
        }
        return;
      }
      const firstBucket = firstBuckets.get(id) as number;
      try {
        await this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              ...templateKey(service, id),
              firstBucket: { N: String(firstBucket) },
              expiresAt: { N: String(expiresAt) },
            },
            // Absent, or present only because DynamoDB has not swept it yet.
            ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
            ExpressionAttributeValues: { ":now": { N: String(epochSeconds(nowMs)) } },
          }),
        );
        result.set(id, { firstBucket, isNew: true });
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const raced = await this.#get(templateKey(service, id), nowMs);
        result.set(id, { firstBucket: Number(raced?.firstBucket?.N ?? firstBucket), isNew: false });
      }
    });
    return result;
  }

  async touchService(
    service: string,
    bucket: number,
    eventMs: number,
    nowMs: number,
  ): Promise<{ before: ServiceProgress | undefined; after: ServiceProgress }> {
    const key = metaKey(service);
    const expiresAt = { N: String(epochSeconds(nowMs + this.#retainMs)) };
    return retryOnConflict(`detector progress of ${service}`, MAX_CONDITION_ATTEMPTS, async () => {
      const item = await this.#get(key, nowMs);
      const before = item ? progressOf(item) : undefined;
      if (!before) {
        const after: ServiceProgress = {
          firstBucket: bucket,
          watermark: eventMs,
          anomalyEnd: {},
        };
        await this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              ...key,
              firstBucket: { N: String(bucket) },
              watermark: { N: String(eventMs) },
              expiresAt,
            },
            ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
            ExpressionAttributeValues: { ":now": { N: String(epochSeconds(nowMs)) } },
          }),
        );
        return { before, after };
      }
      const after: ServiceProgress = {
        ...before,
        anomalyEnd: { ...before.anomalyEnd },
        firstBucket: Math.min(before.firstBucket, bucket),
        watermark: Math.max(before.watermark, eventMs),
      };
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression:
            "SET firstBucket = :firstBucket, watermark = :watermark, expiresAt = :expiresAt",
          ConditionExpression: "firstBucket = :oldFirst AND watermark = :oldWatermark",
          ExpressionAttributeValues: {
            ":firstBucket": { N: String(after.firstBucket) },
            ":watermark": { N: String(after.watermark) },
            ":oldFirst": { N: String(before.firstBucket) },
            ":oldWatermark": { N: String(before.watermark) },
            ":expiresAt": expiresAt,
          },
        }),
      );
      return { before, after };
    });
  }

  async readProgress(service: string, nowMs: number): Promise<ServiceProgress | undefined> {
    const item = await this.#get(metaKey(service), nowMs);
    return item ? progressOf(item) : undefined;
  }

  async readBuckets(
    service: string,
    from: number,
    to: number,
    nowMs: number,
  ): Promise<BucketCounts[]> {
    if (to <= from) return [];
    const out: BucketCounts[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: {
            ":pk": { S: servicePk(service) },
            ":from": { S: bucketSk(from) },
            ":to": { S: bucketSk(to - 1) },
          },
          ConsistentRead: true,
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      for (const item of page.Items ?? []) {
        if (!isExpired(item, nowMs)) out.push(bucketOf(item));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  async commitProgress(
    service: string,
    judgedThrough: number,
    anomalyEnd: Partial<Record<AnomalyKind, number>>,
    nowMs: number,
  ): Promise<void> {
    const key = metaKey(service);
    await retryOnConflict(`detector progress of ${service}`, MAX_CONDITION_ATTEMPTS, async () => {
      const item = await this.#get(key, nowMs);
      if (!item) return;
      const progress = progressOf(item);
      const raise: [attribute: string, value: number][] = [];
      if (progress.judgedThrough === undefined || progress.judgedThrough < judgedThrough)
        raise.push(["judgedThrough", judgedThrough]);
      for (const kind of ANOMALY_KINDS) {
        const end = anomalyEnd[kind];
        const stored = progress.anomalyEnd[kind];
        if (end !== undefined && (stored === undefined || stored < end))
          raise.push([`end#${kind}`, end]);
      }
      if (raise.length === 0) return;
      const names: Record<string, string> = {};
      const values: Item = {};
      const sets: string[] = [];
      const conditions = ["attribute_exists(pk)"];
      raise.forEach(([attribute, value], i) => {
        names[`#a${i}`] = attribute;
        values[`:v${i}`] = { N: String(value) };
        sets.push(`#a${i} = :v${i}`);
        conditions.push(`(attribute_not_exists(#a${i}) OR #a${i} < :v${i})`);
      });
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: conditions.join(" AND "),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    });
  }

  async #get(key: Item, nowMs: number): Promise<Item | undefined> {
    const item = await this.#getRaw(key);
    return item && !isExpired(item, nowMs) ? item : undefined;
  }

  async #getRaw(key: Item): Promise<Item | undefined> {
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: key, ConsistentRead: true }),
    );
    return Item;
  }

  /** Deletes an expired item unless someone rewrote it meanwhile. */
  async #deleteExpired(key: Item, item: Item): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: key,
          ConditionExpression: "expiresAt = :expiresAt",
          ExpressionAttributeValues: { ":expiresAt": item.expiresAt as AttributeValue },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Unexpired items by sort key, for keys of one partition key; unprocessed keys are retried. */
  async #batchGet(keys: Item[], nowMs: number): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Item[] = keys.slice(i, i + 100);
      await withRetry(
        async () => {
          const response = await this.#client.send(
            new BatchGetItemCommand({
              RequestItems: { [this.#table]: { Keys: pending, ConsistentRead: true } },
            }),
          );
          for (const item of response.Responses?.[this.#table] ?? []) {
            if (!isExpired(item, nowMs)) found.set(item.sk?.S as string, item);
          }
          pending = (response.UnprocessedKeys?.[this.#table]?.Keys as Item[] | undefined) ?? [];
          if (pending.length > 0) throw new UnprocessedKeysError();
        },
        BATCH_GET_POLICY,
        { isRetryable: (error) => error instanceof UnprocessedKeysError },
      );
    }
    return found;
  }
}

/** A BatchGetItem that left keys unprocessed (throttled): those are asked for again. */
class UnprocessedKeysError extends Error {
  override name = "UnprocessedKeysError";
  constructor() {
    super("DynamoDB kept leaving keys unprocessed");
  }
}

function servicePk(service: string): string {
  return `${DETECTOR_PK_PREFIX}${service}`;
}

/** Sort keys that order like the numbers: bucket starts are non-negative epoch milliseconds. */
function bucketSk(start: number): string {
  return `bucket#${String(Math.max(0, start)).padStart(16, "0")}`;
}

function bucketKey(service: string, start: number): Item {
  return { pk: { S: servicePk(service) }, sk: { S: bucketSk(start) } };
}

function metaKey(service: string): Item {
  return { pk: { S: servicePk(service) }, sk: { S: "meta" } };
}

function templateKey(
  service: string,
  templateId: string,
): { pk: { S: string }; sk: { S: string } } {
  return { pk: { S: `${servicePk(service)}#templates` }, sk: { S: templateId } };
}

function bucketOf(item: Item): BucketCounts {
  const start = Number((item.sk?.S ?? "").slice("bucket#".length));
  const bucket = emptyBucket(start);
  for (const field of COUNT_FIELDS) bucket.counts[field] = Number(item[field]?.N ?? 0);
  bucket.newTemplates = Number(item.newTemplates?.N ?? 0);
  for (const field of SAMPLED_FIELDS) {
    bucket.samples[field] = [...(item[`samples_${field}`]?.SS ?? [])].sort().slice(0, SAMPLE_SIZE);
  }
  return bucket;
}

function progressOf(item: Item): ServiceProgress {
  const progress: ServiceProgress = {
    firstBucket: Number(item.firstBucket?.N),
    watermark: Number(item.watermark?.N),
    anomalyEnd: {},
  };
  if (item.judgedThrough?.N !== undefined) progress.judgedThrough = Number(item.judgedThrough.N);
  for (const kind of ANOMALY_KINDS) {
    const end = item[`end#${kind}`]?.N;
    if (end !== undefined) progress.anomalyEnd[kind] = Number(end);
  }
  return progress;
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await run(items[next++] as T);
  });
  await Promise.all(workers);
}
