import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDedupStore } from "../dynamodb/dedupStore.js";
import { type LocalDynamo, startDynalite } from "../dynamodb/testing/dynalite.js";
import { FileDedupStore } from "../files/dedupStore.js";
import { assertSetAside, recordingObservers } from "../files/testing/setAside.js";
import type { ClaimDecision, ClaimRequest, DedupClaim, DedupStore } from "./dedupWindow.js";
import { MemoryDedupStore } from "./memoryDedupStore.js";

const MINUTE = 60_000;
const WINDOW = 10 * MINUTE;
let dynamo: LocalDynamo;
let dir: string;

before(async () => {
  dynamo = await startDynalite();
  dir = await mkdtemp(join(tmpdir(), "sentinel-dedup-"));
});

after(async () => {
  await dynamo?.stop();
  await rm(dir, { recursive: true, force: true });
});

function request(at: number, alertId = `alert-${at}`, key = "incident:api:t1"): ClaimRequest {
  return { key, channel: "teams", alertId, at: at * MINUTE };
}

function granted(decision: ClaimDecision): DedupClaim {
  assert.equal(decision.outcome, "send", `expected a claim, got ${decision.outcome}`);
  return decision as DedupClaim;
}

type Clock = { now: number };
const stores: Record<string, (clock: Clock) => Promise<DedupStore>> = {
  memory: async (clock) => new MemoryDedupStore({ windowMs: WINDOW, now: () => clock.now }),
  file: async (clock) =>
    FileDedupStore.open({
      path: join(dir, `dedup-${Math.random()}.json`),
      windowMs: WINDOW,
      now: () => clock.now,
    }),
  dynamodb: async (clock) =>
    new DynamoDedupStore({
      client: dynamo.client,
      tableName: await dynamo.createStateTable(),
      windowMs: WINDOW,
      now: () => clock.now,
    }),
};

for (const [name, open] of Object.entries(stores)) {
  describe(`${name} dedup store`, () => {
    it("suppresses inside the window and reports the count with the next alert after it", async () => {
      const dedup = await open({ now: Date.now() });
      await dedup.confirm(granted(await dedup.claim(request(0))));
      assert.equal((await dedup.claim(request(1))).outcome, "suppressed");
      assert.equal((await dedup.claim(request(4))).outcome, "suppressed");
      const next = granted(await dedup.claim(request(10)));
      assert.deepEqual((next as { similar?: unknown }).similar, {
        count: 2,
        firstAt: 1 * MINUTE,
        lastAt: 4 * MINUTE,
      });
      await dedup.confirm(next);
      assert.equal((await dedup.claim(request(11))).outcome, "suppressed");
      await dedup.close?.();
    });

    it("leaves nothing that suppresses the retry of a failed send", async () => {
      const dedup = await open({ now: Date.now() });
      const failed = granted(await dedup.claim(request(0)));
      await dedup.release(failed);
      const retry = granted(await dedup.claim(request(0)));
      await dedup.confirm(retry);
      assert.equal((await dedup.claim(request(0))).outcome, "duplicate");
      assert.equal((await dedup.claim(request(2))).outcome, "suppressed");
      await dedup.close?.();
    });

    it("suppresses others behind a claim until its lease ends", async () => {
      const clock = { now: Date.now() };
      const dedup = await open(clock);
      granted(await dedup.claim(request(0)));
      assert.equal((await dedup.claim(request(1))).outcome, "suppressed");
      clock.now += 6 * MINUTE; // past the default 5-minute lease
      const taken = granted(await dedup.claim(request(2)));
      assert.equal((taken as { similar?: { count: number } }).similar?.count, 1);
      await dedup.close?.();
    });
  });
}

describe("DynamoDB dedup store", () => {
  it("lets exactly one of several racing notifiers claim a key", async () => {
    const tableName = await dynamo.createStateTable();
    const notifiers = Array.from(
      { length: 5 },
      () => new DynamoDedupStore({ client: dynamo.client, tableName, windowMs: WINDOW }),
    );
    const decisions = await Promise.all(
      notifiers.map((store, i) => store.claim(request(0, `racer-${i}`))),
    );
    const outcomes = decisions.map((d) => d.outcome).sort();
    assert.deepEqual(outcomes, ["send", "suppressed", "suppressed", "suppressed", "suppressed"]);
    // The four suppressions were all counted, none lost to a conflicting write.
    const winner = decisions.find((d) => d.outcome === "send") as DedupClaim;
    await notifiers[0]?.release(winner);
    const next = await notifiers[1]?.claim(request(0, "later"));
    assert.equal((next as { similar?: { count: number } }).similar?.count, 4);
  });

  it("keeps items in the one state table under dedup# with a TTL, and ignores expired ones", async () => {
    const tableName = await dynamo.createStateTable();
    const clock = { now: Date.now() };
    const dedup = new DynamoDedupStore({
      client: dynamo.client,
      tableName,
      windowMs: WINDOW,
      retentionMs: MINUTE,
      now: () => clock.now,
    });
    await dedup.confirm(granted(await dedup.claim(request(0))));
    const { Item } = await dynamo.client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: "dedup#incident:api:t1" }, sk: { S: "teams" } },
      }),
    );
    const expiresAt = Number(Item?.expiresAt?.N) * 1000;
    assert.ok(expiresAt > clock.now + WINDOW && expiresAt <= clock.now + WINDOW + 2 * MINUTE);
    // dynalite never deletes expired items, like DynamoDB before its sweep: they must not count.
    clock.now = expiresAt + 1000;
    assert.equal((await dedup.claim(request(1))).outcome, "send");
  });
});

describe("JSON file dedup store", () => {
  it("keeps its state across a restart", async () => {
    const path = join(dir, "restart.json");
    const first = await FileDedupStore.open({ path, windowMs: WINDOW });
    await first.confirm(granted(await first.claim(request(0))));
    await first.claim(request(1));
    await first.close();
    const second = await FileDedupStore.open({ path, windowMs: WINDOW });
    assert.equal((await second.claim(request(2))).outcome, "suppressed");
    const next = granted(await second.claim(request(10)));
    assert.equal((next as { similar?: { count: number } }).similar?.count, 2);
    await second.close();
  });

  it("sets a corrupt state file aside, warns, counts it and starts afresh", async () => {
    for (const [name, corrupt] of [
      ["corrupt.json", "{not json"],
      ["other-version.json", '{"version": 2, "entries": []}'],
    ] as const) {
      const path = join(dir, name);
      await writeFile(path, corrupt);
      const observers = recordingObservers();
      const dedup = await FileDedupStore.open({ path, windowMs: WINDOW, ...observers });
      assert.equal((await dedup.claim(request(0))).outcome, "send");
      await dedup.close();
      await assertSetAside(path, corrupt, observers, "alert_dedup");
      assert.equal(JSON.parse(await readFile(path, "utf8")).version, 1);
    }
  });
});
