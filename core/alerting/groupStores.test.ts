import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AttributeValue, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoGroupStore, GROUP_PK } from "../dynamodb/groupStore.js";
import { type LocalDynamo, startDynalite } from "../dynamodb/testing/dynalite.js";
import { classifiedEvent } from "../events/testing/fixtures.js";
import { FileGroupStore } from "../files/groupStore.js";
import { assertSetAside, recordingObservers } from "../files/testing/setAside.js";
import { eventAlert } from "./alerts.js";
import {
  type GroupAction,
  type GroupAlertRequest,
  type GroupEntry,
  type GroupNotification,
  recordAlert,
  stepDue,
  takeDue,
} from "./grouping/groupState.js";
import { type GroupStore, MemoryGroupStore } from "./grouping/groupStore.js";
import { DEFAULT_GROUP_SETTINGS } from "./grouping/testing/settings.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const START = Date.UTC(2026, 0, 1);
const SETTINGS = DEFAULT_GROUP_SETTINGS;
const GROUP = "teams/default/service=api";

let dynamo: LocalDynamo;
let dir: string;

before(async () => {
  dynamo = await startDynalite();
  dir = await mkdtemp(join(tmpdir(), "sentinel-groups-"));
});

after(async () => {
  await dynamo?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A processing-time clock the stores and the machine share. */
type Wall = { now: number };

/**
 * Template texts of different problems: the machine treats templates that share most of their
 * words as variants of one problem, which are not news on their own.
 */
const TEMPLATES: Record<string, string> = {
  t1: "disk full on <*>",
  t2: "connection refused to <*>",
  t3: "certificate for <*> expired",
};

/** An incident alert of template `templateId`, `minute` minutes into 2026. */
function request(
  minute: number,
  templateId = "t1",
  options: { groupId?: string; message?: string; id?: string } = {},
): GroupAlertRequest {
  const event = classifiedEvent({
    templateId,
    at: minute,
    ...(options.message && { message: options.message }),
    ...(options.id && { id: options.id }),
  });
  const template = TEMPLATES[templateId];
  if (template) event.classification.template = template;
  return {
    groupId: options.groupId ?? GROUP,
    channel: "teams",
    route: "default",
    labels: { service: "api" },
    alert: eventAlert(event),
  };
}

function clockOf(req: GroupAlertRequest): number {
  return Date.parse(req.alert.at);
}

function record(store: GroupStore, req: GroupAlertRequest, wall: Wall): Promise<GroupEntry> {
  return store.update(req.groupId, (entry) => {
    const next = recordAlert(entry, req, SETTINGS, clockOf(req), wall.now);
    return { result: next, next: next === entry ? undefined : next };
  });
}

/**
 * The group's due action at `clock`, decided in one store write, as the notifier decides it: the
 * entry moves on with the decision (deleted after a resolved notice or a close).
 */
function take(
  store: GroupStore,
  clock: number,
  wall: Wall,
  groupId = GROUP,
): Promise<GroupAction | undefined> {
  return store.update(groupId, (entry) => {
    const action = entry && takeDue(entry, clock, SETTINGS, wall.now);
    if (!action) return { result: undefined, next: undefined };
    return { result: action, next: action.action === "close" ? null : action.next };
  });
}

/** Every action due up to `now`, stepped through in one store write. */
function step(
  store: GroupStore,
  now: number,
  wall: Wall,
  groupId = GROUP,
): Promise<GroupNotification[]> {
  return store.update(groupId, (entry) => {
    if (!entry) return { result: [], next: undefined };
    const { notifications, next } = stepDue(entry, now, SETTINGS, wall.now);
    return { result: notifications, next };
  });
}

function sent(action: GroupAction | undefined): GroupNotification {
  assert.equal(action?.action, "send", `expected a notification, got ${action?.action}`);
  return (action as Extract<GroupAction, { action: "send" }>).notification;
}

/** Records `times` occurrences of a template, a tenth of a minute apart from `minute` on. */
async function recordTimes(
  store: GroupStore,
  wall: Wall,
  minute: number,
  templateId: string,
  times: number,
): Promise<GroupEntry[]> {
  const entries: GroupEntry[] = [];
  for (let i = 0; i < times; i++)
    entries.push(
      await record(
        store,
        request(minute + i / 10, templateId, { id: `${templateId}-${minute}-${i}` }),
        wall,
      ),
    );
  return entries;
}

function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/**
 * One episode of a group: a first notification after the wait, nothing while nothing changes,
 * an update when a new problem lasts (no sooner than the interval), and the resolved notice once
 * the group is quiet. Returns every decision, to compare the stores with the machine alone.
 */
async function episode(store: GroupStore, wall: Wall): Promise<unknown[]> {
  const trace: unknown[] = [];
  for (const req of [request(0), request(0.1, "t1", { id: "second" }), request(0.2, "t2")])
    trace.push(await record(store, req, wall));
  trace.push(await take(store, START + 20 * SECOND, wall));
  trace.push(await take(store, START + 45 * SECOND, wall));
  trace.push(await take(store, START + 46 * SECOND, wall));
  trace.push(await take(store, START + 2 * MINUTE, wall));
  // A new problem that lasts: five occurrences.
  trace.push(await recordTimes(store, wall, 3, "t3", 5));
  trace.push(await take(store, START + 4 * MINUTE, wall));
  trace.push(await take(store, START + 6 * MINUTE, wall));
  trace.push(await take(store, START + 7 * MINUTE, wall));
  trace.push(await take(store, START + 30 * MINUTE, wall));
  trace.push(await store.list());
  return trace;
}

type Open = (wall: Wall) => Promise<GroupStore>;
const stores: Record<string, Open> = {
  memory: async () => new MemoryGroupStore(),
  file: async (wall) =>
    FileGroupStore.open({ path: join(dir, `groups-${Math.random()}.json`), now: () => wall.now }),
  dynamodb: async (wall) =>
    new DynamoGroupStore({
      client: dynamo.client,
      tableName: await dynamo.createStateTable(),
      now: () => wall.now,
    }),
};

for (const [name, open] of Object.entries(stores)) {
  describe(`${name} group store`, () => {
    it("round-trips entries through update, list and delete", async () => {
      const wall = { now: Date.now() };
      const store = await open(wall);
      assert.deepEqual(await store.list(), []);
      const api = await record(store, request(0), wall);
      const other = await record(
        store,
        request(0, "t9", { groupId: "email/default/service=db" }),
        wall,
      );
      const seen = await store.update(GROUP, (entry) => ({ result: entry, next: undefined }));
      assert.deepEqual(plain(seen), plain(api));
      const byId = (a: GroupEntry, b: GroupEntry) => (a.id < b.id ? -1 : 1);
      assert.deepEqual(plain((await store.list()).sort(byId)), plain([api, other].sort(byId)));

      const deleted = await store.update(GROUP, (entry) => ({ result: entry?.id, next: null }));
      assert.equal(deleted, GROUP);
      assert.equal(
        await store.update(GROUP, (entry) => ({ result: entry, next: undefined })),
        undefined,
      );
      assert.deepEqual(plain(await store.list()), plain([other]));
      // Deleting what is not there is no error and changes nothing.
      assert.equal(await store.update(GROUP, () => ({ result: "none", next: null })), "none");
      await store.close?.();
    });

    it("runs a group's episode as the in-memory machine does", async () => {
      const wall = { now: Date.now() };
      const store = await open(wall);
      const trace = await episode(store, wall);
      await store.close?.();
      assert.deepEqual(
        plain(trace),
        plain(await episode(new MemoryGroupStore(), { now: wall.now })),
      );

      const [, , , early, first, racer, quiet, , tooSoon, update, again, resolved] = trace as (
        | GroupAction
        | undefined
      )[];
      assert.equal(early, undefined, "nothing before the group wait ends");
      const firing = sent(first);
      assert.equal(firing.reason, "firing");
      assert.deepEqual(
        firing.alerts.map((a) => [a.key, a.count]),
        [
          ["incident:api:t1", 2],
          ["incident:api:t2", 1],
        ],
      );
      assert.equal(racer, undefined, "a decided notification is not decided twice");
      assert.equal(quiet, undefined, "nothing new, nothing sent");
      assert.equal(tooSoon, undefined, "an update waits for the interval");
      const updated = sent(update);
      assert.equal(updated.reason, "update");
      assert.equal(updated.sequence, 2);
      assert.deepEqual(
        updated.alerts.filter((a) => a.isNew).map((a) => [a.key, a.count]),
        [["incident:api:t3", 5]],
      );
      assert.equal(again, undefined);
      const notice = sent(resolved);
      assert.equal(notice.reason, "resolved");
      assert.equal((resolved as Extract<GroupAction, { action: "send" }>).next, null);
      assert.deepEqual(trace.at(-1), [], "a resolved group is deleted");
    });
  });
}

describe("JSON file group store", () => {
  it("keeps a group's timers across a restart: what falls due after it goes out once", async () => {
    const path = join(dir, "restart.json");
    const wall = { now: Date.now() };
    const open = () => FileGroupStore.open({ path, now: () => wall.now });
    const first = await open();
    await record(first, request(0), wall);
    await record(first, request(0.2, "t2"), wall);
    assert.equal(sent(await take(first, START + MINUTE, wall)).reason, "firing");
    // A new problem that lasts: an update is due once the interval after the first ends.
    await recordTimes(first, wall, 2, "t3", 5);
    await first.close();

    const second = await open();
    const [entry] = await second.list();
    assert.equal(entry?.sent, 1);
    assert.equal(entry?.dueAt, START + MINUTE + SETTINGS.intervalMs);
    assert.deepEqual(
      entry?.items.map((item) => [item.key, item.count, item.notifiedCount]),
      [
        ["incident:api:t1", 1, 1],
        ["incident:api:t2", 1, 1],
        ["incident:api:t3", 5, 0],
      ],
    );
    assert.deepEqual(await step(second, START + 5 * MINUTE, wall), [], "not early");
    const [update, ...more] = await step(second, START + 7 * MINUTE, wall);
    assert.deepEqual(more, []);
    assert.equal(update?.reason, "update");
    assert.equal(update?.at, new Date(START + 6 * MINUTE).toISOString(), "when it fell due");
    assert.deepEqual(
      update?.alerts.filter((a) => a.isNew).map((a) => a.key),
      ["incident:api:t3"],
    );
    assert.deepEqual(await step(second, START + 7 * MINUTE, wall), [], "sent once");
    await second.close();

    // And once only after another restart; the episode then ends as it would have.
    const third = await open();
    assert.deepEqual(await step(third, START + 8 * MINUTE, wall), []);
    assert.deepEqual(
      (await step(third, START + 30 * MINUTE, wall)).map((n) => [n.reason, n.sequence]),
      [["resolved", 3]],
    );
    assert.deepEqual(await third.list(), []);
    await third.close();
    const fourth = await open();
    assert.deepEqual(await fourth.list(), [], "the resolved group stays deleted");
    await fourth.close();
  });

  it("saves changes by itself shortly after they happen", async () => {
    const path = join(dir, "debounced.json");
    const wall = { now: Date.now() };
    const store = await FileGroupStore.open({ path, saveDelayMs: 10, now: () => wall.now });
    await record(store, request(0), wall);
    let saved: { entries: GroupEntry[] } | undefined;
    for (let attempt = 0; attempt < 500 && !saved?.entries.length; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      saved = await readFile(path, "utf8").then(JSON.parse, () => undefined);
    }
    assert.deepEqual(
      saved?.entries.map((e) => e.id),
      [GROUP],
    );
    await store.close();
  });

  it("forgets groups untouched for longer than the retention", async () => {
    const path = join(dir, "retention.json");
    const wall = { now: Date.now() };
    const options = { path, retentionMs: HOUR, now: () => wall.now };
    const first = await FileGroupStore.open(options);
    await record(first, request(0, "t1", { groupId: "stale" }), wall);
    await first.save();
    wall.now += 2 * HOUR;
    await record(first, request(120, "t1", { groupId: "fresh" }), wall);
    await first.close();
    const saved = JSON.parse(await readFile(path, "utf8")) as { entries: GroupEntry[] };
    assert.deepEqual(
      saved.entries.map((e) => e.id),
      ["fresh"],
    );

    wall.now += 2 * HOUR;
    const second = await FileGroupStore.open(options);
    assert.deepEqual(await second.list(), [], "what aged past the retention while stopped");
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
      const wall = { now: Date.now() };
      const store = await FileGroupStore.open({ path, now: () => wall.now, ...observers });
      assert.deepEqual(await store.list(), []);
      await record(store, request(0), wall);
      await store.close();
      await assertSetAside(path, corrupt, observers, "alert_groups");
      const saved = JSON.parse(await readFile(path, "utf8"));
      assert.equal(saved.version, 1);
      assert.equal(saved.entries.length, 1);
    }
  });

  it("skips a malformed entry and keeps the others", async () => {
    const path = join(dir, "one-bad.json");
    const wall = { now: Date.now() };
    const first = await FileGroupStore.open({ path, now: () => wall.now });
    const good = await record(first, request(0), wall);
    await first.close();
    const saved = JSON.parse(await readFile(path, "utf8"));
    await writeFile(path, JSON.stringify({ ...saved, entries: [{ id: 7 }, ...saved.entries] }));
    const second = await FileGroupStore.open({ path, now: () => wall.now });
    assert.deepEqual(plain(await second.list()), plain([good]));
    await second.close();
  });
});

describe("DynamoDB group store", () => {
  async function twoNotifiers(wall: Wall, options: { retentionMs?: number } = {}) {
    const tableName = await dynamo.createStateTable();
    const make = () =>
      new DynamoGroupStore({ client: dynamo.client, tableName, now: () => wall.now, ...options });
    return { tableName, a: make(), b: make() };
  }

  async function rawItem(tableName: string, sk: string) {
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: GROUP_PK }, sk: { S: sk } } }),
    );
    return Item;
  }

  it("lets exactly one of two racing notifiers take a due group's notification, round after round", async () => {
    const wall = { now: Date.now() };
    const { a, b } = await twoNotifiers(wall);
    const race = async (round: number, clock: number, reason: string) => {
      const actions = await Promise.all([take(a, clock, wall), take(b, clock, wall)]);
      const what = JSON.stringify(actions.map((action) => action?.action));
      assert.equal(
        actions.filter((action) => action !== undefined).length,
        1,
        `round ${round}: ${what}`,
      );
      const [won] = actions.filter((action) => action !== undefined);
      assert.equal(sent(won).reason, reason);
      return sent(won);
    };
    for (let round = 0; round < 25; round++) {
      // Each round an episode: its first notification after the wait, then its resolved notice
      // (the winner deletes the entry; the loser's write must not bring it back).
      const minute = round * 30;
      await record(round % 2 ? a : b, request(minute, `t${round}`), wall);
      await record(
        round % 2 ? b : a,
        request(minute + 0.1, `t${round}`, { id: `again${round}` }),
        wall,
      );
      const firing = await race(round, START + minute * MINUTE + SETTINGS.waitMs, "firing");
      assert.deepEqual(
        firing.alerts.map((alert) => [alert.key, alert.count]),
        [[`incident:api:t${round}`, 2]],
      );
      await race(round, START + (minute + 16) * MINUTE, "resolved");
      assert.deepEqual(await a.list(), []);
    }
  });

  it("loses no alert when two notifiers record into one group at once", async () => {
    const wall = { now: Date.now() };
    const { a, b } = await twoNotifiers(wall);
    const alerts = (side: string) =>
      Array.from({ length: 20 }, (_, i) => request(i * 0.01, `t${i % 3}`, { id: `${side}-${i}` }));
    const recordAll = async (store: GroupStore, side: string) => {
      for (const req of alerts(side)) await record(store, req, wall);
    };
    await Promise.all([recordAll(a, "a"), recordAll(b, "b")]);
    const [entry] = await b.list();
    assert.equal(
      entry?.items.reduce((sum, item) => sum + item.count, 0),
      40,
    );
    assert.equal(entry?.sinceNotified, 40);
    assert.equal(new Set(entry?.recentIds.flat()).size, 40);
  });

  it("stores a 50-template group with long lines compressed, well under the item limit", async () => {
    const wall = { now: Date.now() };
    const { tableName, a, b } = await twoNotifiers(wall);
    let last: GroupEntry | undefined;
    for (let t = 0; t < 50; t++)
      last = await record(a, request(t * 0.1, `t${t}`, { message: stackTrace(t, 16_000) }), wall);
    const [entry] = await b.list();
    assert.equal(entry?.items.length, 50);
    assert.deepEqual(plain(entry), plain(last));

    const item = await rawItem(tableName, GROUP);
    const bytes = itemBytes(item ?? {});
    const raw = Buffer.byteLength(JSON.stringify(last));
    assert.ok(raw > 400_000, `the entry itself (${raw} bytes) would not fit uncompressed`);
    assert.ok(bytes < 200_000, `item of ${bytes} bytes`);
  });

  it("cuts the example lines of a group that would not fit even compressed", async () => {
    const wall = { now: Date.now() };
    const { tableName, a } = await twoNotifiers(wall);
    for (let t = 0; t < 50; t++) {
      const noise = randomBytes(12_000).toString("base64");
      await record(a, request(t * 0.1, `t${t}`, { message: noise }), wall);
    }
    const [entry] = await a.list();
    assert.equal(entry?.items.length, 50);
    const example = entry?.items[0]?.example.events?.[0];
    assert.equal(example?.truncated, true);
    assert.equal(example?.originalBytes, 16_000);
    assert.ok((example?.message.length ?? 0) < 16_000);
    assert.ok(itemBytes((await rawItem(tableName, GROUP)) ?? {}) < 400_000);
  });

  it("treats expired and damaged items as absent", async () => {
    const wall = { now: Date.now() };
    const { tableName, a } = await twoNotifiers(wall, { retentionMs: HOUR });
    const entry = await record(a, request(0), wall);
    const expiresAt = Number((await rawItem(tableName, GROUP))?.expiresAt?.N) * 1000;
    assert.ok(expiresAt <= entry.touchedAt + HOUR && expiresAt > entry.touchedAt + HOUR - SECOND);

    // Every write moves the expiry on: here a notification decided later.
    wall.now += 30 * MINUTE;
    sent(await take(a, START + MINUTE, wall));
    const moved = Number((await rawItem(tableName, GROUP))?.expiresAt?.N) * 1000;
    assert.ok(moved > wall.now + HOUR - 2 * SECOND && moved <= wall.now + HOUR);

    // dynalite never deletes expired items, like DynamoDB before its sweep: they must not count.
    wall.now = moved + SECOND;
    assert.deepEqual(await a.list(), []);
    assert.equal(
      await a.update(GROUP, (current) => ({ result: current, next: undefined })),
      undefined,
    );
    const fresh = await record(a, request(300), wall);
    assert.equal(fresh.sinceNotified, 1, "a new episode over the expired item");

    await dynamo.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: GROUP_PK },
          sk: { S: GROUP },
          entry: { B: Buffer.from("not gzip") },
          version: { N: "7" },
        },
      }),
    );
    assert.deepEqual(await a.list(), []);
    const rebuilt = await record(a, request(301), wall);
    assert.equal(rebuilt.sinceNotified, 1);
    assert.equal((await rawItem(tableName, GROUP))?.version?.N, "8");
  });

  it("keeps a group with a very long id under its hash", async () => {
    const wall = { now: Date.now() };
    const { a } = await twoNotifiers(wall);
    const groupId = `teams/default/service=${"x".repeat(2000)}`;
    await record(a, request(0, "t1", { groupId }), wall);
    await record(a, request(1, "t2", { groupId }), wall);
    const [entry] = await a.list();
    assert.equal(entry?.id, groupId);
    assert.equal(entry?.items.length, 2);
  });
});

/** A Java-style stack trace of about `bytes`, different for each template and line. */
function stackTrace(template: number, bytes: number): string {
  const packages = ["com.shop.checkout", "com.shop.payments", "org.hibernate.engine", "io.netty"];
  const lines = [
    `ERROR [req-${template}-8f3a${template * 7919}] PaymentService: charge failed for order ${100_000 + template * 37}: java.sql.SQLTransientConnectionException: HikariPool-${template % 4} - Connection is not available, request timed out after 30000ms.`,
  ];
  let frame = 0;
  while (lines.join("\n").length < bytes) {
    const pkg = packages[(frame * 31 + template) % packages.length];
    const line = (frame * 7919 + template * 104_729) % 2000;
    lines.push(
      `\tat ${pkg}.Layer${frame % 23}.handle${(frame * template) % 97}(Layer${frame % 23}.java:${line})`,
    );
    frame++;
  }
  return lines.join("\n").slice(0, bytes);
}

/** An item's size as DynamoDB counts it: attribute names plus values. */
function itemBytes(item: Record<string, AttributeValue>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    total += Buffer.byteLength(name);
    if (value.S !== undefined) total += Buffer.byteLength(value.S);
    else if (value.N !== undefined) total += value.N.length;
    else if (value.B !== undefined) total += value.B.byteLength;
  }
  return total;
}
