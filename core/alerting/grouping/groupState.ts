import type { Alert, AlertKind, Channel, Severity } from "../types.js";

/**
 * Notification groups, as a pure state machine over one entry per group, shared by every group
 * store (memory for `sentinel analyze`, a JSON file for `sentinel run`, DynamoDB in AWS) so they
 * cannot disagree. Modelled on Prometheus Alertmanager's grouping:
 *
 * - Alerts fall into a group by channel, route and the ALERT_GROUP_BY fields (default: service).
 * - A group's first notification goes out `waitMs` after its first alert and lists everything in
 *   it; later ones at most every `intervalMs`, and only when something changed: a new template, a
 *   template back after a quiet dedup window, a count that grew by `changeFactor`, an anomaly. An
 *   anomaly is urgent: it goes out without waiting for the interval.
 * - A group with nothing new repeats after `repeatMs` while its alerts keep coming.
 * - A group quiet for `resolveAfterMs` ends its episode, with one "resolved" notice when
 *   `sendResolved`; the next alert opens a new episode.
 *
 * Every time here is the group CLOCK: event time, carried forward by wall time while no newer
 * record comes (groupClock.ts), so a replay (`sentinel analyze`) notifies as the live stream
 * would. State expiry runs on processing (wall) time: it is about the store, not the logs.
 *
 * A notification is decided in one write (`takeDue`): the entry moves on as it is decided, so two
 * notifiers racing on a shared store send it once (the store's compare-and-set lets one write
 * win), and what comes in during a slow delivery is judged as a replay judges it. A delivery that
 * fails for good is dead-lettered with its content, and the group sends again later
 * (`deliveryFailed`).
 */

export interface GroupSettings {
  waitMs: number;
  intervalMs: number;
  repeatMs: number;
  resolveAfterMs: number;
  sendResolved: boolean;
  /** A template's count that grew this many times since it was last named is news again. */
  changeFactor: number;
  /** A template back after this long without occurrences is news again (DEDUP_WINDOW_MINUTES). */
  dedupWindowMs: number;
  /** Templates a group keeps in detail; the rest are counted ("+N more templates"). */
  maxItems: number;
}

/** Trend buckets per template (sparkline), each `intervalMs` wide. */
export const TREND_BUCKETS = 12;
/**
 * Alert ids a group remembers, so a redelivered record (a Lambda batch of up to 100 comes again
 * whole) is not counted twice: RECENT_CHUNKS chunks of RECENT_CHUNK, so one more id copies a
 * short chunk, not the whole memory.
 */
const RECENT_CHUNK = 64;
const RECENT_CHUNKS = 16;

/** One template (or one anomaly kind) of a group in the current episode. */
export interface GroupItem {
  /** The alert key: kind + service + template id, or anomaly + service + kind. */
  key: string;
  kind: AlertKind;
  severity: Severity;
  /** The first alert of the episode for this key: summary, example line, links, anomaly. */
  example: Alert;
  count: number;
  /** Event times (ms). */
  firstAt: number;
  lastAt: number;
  /** The count when a notification last named it; 0 while never named. */
  notifiedCount: number;
  /** True when it is news not yet named: it calls for a notification of the group. */
  changed: boolean;
  /** Named by a notification of this episode at least once. */
  named?: boolean;
  /** Occurrences per trend bucket, oldest first, the last bucket ending at the group's clock. */
  trend: number[];
}

export interface GroupEntry {
  id: string;
  channel: Channel;
  /** The route the group's notifications go to ("default" or "service:<name>"). */
  route: string;
  /** The ALERT_GROUP_BY fields and their values: {service: "checkout"}. */
  labels: Record<string, string>;
  items: GroupItem[];
  /** Beyond `maxItems`: templates and occurrences only counted. */
  omitted: { templates: number; alerts: number; keys: string[] };
  /** Clock (ms) when the episode opened, and event times of its first and last alerts. */
  openedAt: number;
  firstAt: number;
  lastAt: number;
  /** Clock (ms) of the last notification sent in this episode; undefined before the first. */
  notifiedAt?: number;
  /** Clock (ms) from when the next notification is due; undefined while nothing is pending. */
  dueAt?: number;
  /** An anomaly is waiting: the next notification is urgent. */
  urgent: boolean;
  /** Alerts per trend bucket the last notification saw: growth is measured against it too. */
  notedRate?: number;
  /** The group's rate grew by the change factor since the last notification. */
  grown: boolean;
  /** Notifications sent in this episode. */
  sent: number;
  /** Occurrences since the last notification (what a repeat reports). */
  sinceNotified: number;
  /** Start (clock ms) of the oldest trend bucket. */
  trendStart: number;
  /** The group's own clock: the newest event time it saw, and the wall time it saw it at. */
  clock: { at: number; wallAt: number };
  /** The latest alert ids, oldest chunk first. */
  recentIds: string[][];
  /** Processing time (ms) of the last change: stores forget entries untouched for long. */
  touchedAt: number;
}

export type NotificationReason = "firing" | "update" | "repeat" | "resolved";

/** One template or anomaly as a notification names it. */
export interface GroupedAlert {
  key: string;
  kind: AlertKind;
  severity: Severity;
  example: Alert;
  count: number;
  /** Occurrences since the previous notification of the group named it. */
  newCount: number;
  /** Never named before in this episode (or back after a quiet window). */
  isNew: boolean;
  firstSeen: string;
  lastSeen: string;
  trend: number[];
}

/** A group's notification on one channel: what every rendering shows. */
export interface GroupNotification {
  type: "group";
  reason: NotificationReason;
  groupId: string;
  channel: Channel;
  route: string;
  labels: Record<string, string>;
  severity: Severity;
  /** An anomaly is in it: subjects and card titles say so. */
  urgent: boolean;
  /** Event times of the episode's first and last alerts. */
  since: string;
  until: string;
  /** Group clock when it went out. */
  at: string;
  /** 1 for the episode's first notification. */
  sequence: number;
  /** Most important first: anomalies, then what changed, incidents before warnings, then counts. */
  alerts: GroupedAlert[];
  /** Templates and occurrences the group only counted (beyond its detail limit). */
  omitted: { templates: number; alerts: number };
  /** Occurrences in the episode. */
  total: number;
  /** Width of one trend bucket (ms). */
  trendBucketMs: number;
}

export interface GroupAlertRequest {
  groupId: string;
  channel: Channel;
  route: string;
  labels: Record<string, string>;
  alert: Alert;
}

/** The entry after one more alert; unchanged (same object) when the alert was seen already. */
export function recordAlert(
  entry: GroupEntry | undefined,
  request: GroupAlertRequest,
  settings: GroupSettings,
  clock: number,
  wallNow: number,
): GroupEntry {
  const { alert } = request;
  const at = Date.parse(alert.at);
  const open = entry !== undefined && !isQuietSince(entry, clock, settings) ? entry : undefined;
  // A redelivered alert is no newer than the newest the group has.
  if (open && at <= open.lastAt && open.recentIds.some((ids) => ids.includes(alert.id)))
    return open;
  const next: GroupEntry = open
    ? copyOf(open)
    : {
        id: request.groupId,
        channel: request.channel,
        route: request.route,
        labels: request.labels,
        items: [],
        omitted: { templates: 0, alerts: 0, keys: [] },
        openedAt: clock,
        firstAt: at,
        lastAt: at,
        urgent: false,
        grown: false,
        sent: 0,
        sinceNotified: 0,
        trendStart: clock - (TREND_BUCKETS - 1) * settings.intervalMs,
        clock: { at: clock, wallAt: wallNow },
        recentIds: [],
        touchedAt: wallNow,
      };
  next.recentIds = remembered(next.recentIds, alert.id);
  next.firstAt = Math.min(next.firstAt, at);
  next.lastAt = Math.max(next.lastAt, at);
  next.sinceNotified++;
  next.touchedAt = wallNow;
  if (clock > next.clock.at) next.clock = { at: clock, wallAt: wallNow };
  shiftTrend(next, clock, settings);
  const bucket = trendBucket(next, at, settings);

  const index = next.items.findIndex((item) => item.key === alert.key);
  let news = false;
  if (index >= 0) {
    const old = next.items[index] as GroupItem;
    // Back after a quiet dedup window: listed as new again with the next notification (it does
    // not call for one on its own: it was named in this episode already).
    const back = old.notifiedCount > 0 && at - old.lastAt >= settings.dedupWindowMs;
    const item: GroupItem = { ...old }; // then set: see copyOf
    item.count = old.count + 1;
    item.firstAt = Math.min(old.firstAt, at);
    item.lastAt = Math.max(old.lastAt, at);
    if (bucket !== undefined) item.trend = bumped(old.trend, bucket);
    if (back) item.notifiedCount = 0;
    if (!item.changed && item.notifiedCount === 0 && next.notifiedAt !== undefined)
      item.changed = isNews(item, next.items, settings);
    next.items[index] = item;
    news = item.changed && !old.changed;
  } else if (
    next.items.length < settings.maxItems ||
    alert.kind === "anomaly" ||
    (alert.kind === "incident" && evictWarning(next))
  ) {
    const item: GroupItem = {
      key: alert.key,
      kind: alert.kind,
      severity: alert.severity,
      example: alert,
      count: 1,
      firstAt: at,
      lastAt: at,
      notifiedCount: 0,
      changed: false,
      trend: bumped(new Array(TREND_BUCKETS).fill(0), bucket ?? TREND_BUCKETS - 1),
    };
    item.changed = next.notifiedAt === undefined || isNews(item, next.items, settings);
    next.items.push(item);
    news = item.changed;
  } else {
    const hash = shortHash(alert.key);
    if (!keySetOf(next.omitted.keys).has(hash)) {
      next.omitted.templates++;
      if (next.omitted.keys.length < 1000) next.omitted.keys = [...next.omitted.keys, hash];
    }
    next.omitted.alerts++;
  }
  if (!next.grown && next.notifiedAt !== undefined) {
    // The latest bucket's rate first: below the change factor of the least base, nothing grew.
    const current = currentRate(next);
    if (current >= settings.changeFactor * MIN_BASE_RATE) {
      const base = baseRate(next, settings);
      if (base !== undefined && current >= settings.changeFactor * Math.max(base, MIN_BASE_RATE)) {
        next.grown = true;
        news = true;
      }
    }
  }
  if (alert.kind === "anomaly" && news) next.urgent = true;
  if (news)
    next.dueAt = Math.min(next.dueAt ?? Number.POSITIVE_INFINITY, dueFor(next, clock, settings));
  return next;
}

/**
 * A copy to change. A plain `{ ...entry }` first, then the arrays: V8 clones an object literal
 * that only spreads one object keeping its shape, several times faster than one that also sets
 * properties (this runs for every alert).
 */
function copyOf(entry: GroupEntry): GroupEntry {
  const copy = { ...entry };
  copy.items = [...entry.items];
  copy.omitted = { ...entry.omitted };
  return copy;
}

/**
 * Alerts per trend bucket below which growth is not news: a group going from 1 to 2 alerts in
 * five minutes is chance, not a change.
 */
const MIN_BASE_RATE = 5;
/** Sightings over a group interval that make a new problem a lasting one. */
const RECURS = 3;
/** Templates sharing this share of their words are variants of one problem (Jaccard). */
const VARIANT_SIMILARITY = 0.5;

/** The episode's alerts per trend bucket before the latest; undefined before a whole bucket. */
function baseRate(entry: GroupEntry, settings: GroupSettings): number | undefined {
  const latestStart = entry.trendStart + (TREND_BUCKETS - 1) * settings.intervalMs;
  const buckets = Math.floor((latestStart - entry.openedAt) / settings.intervalMs);
  if (buckets < 1) return undefined;
  let before = entry.omitted.alerts;
  for (const item of entry.items) before += item.count - (item.trend[TREND_BUCKETS - 1] ?? 0);
  return before / buckets;
}

/**
 * A template that came after the group's first notification calls for one of its own when it is
 * a new kind of problem (not a variant of one named) that lasts: seen RECURS times over a group
 * interval or more (twice may be chance), or MIN_BASE_RATE times. An anomaly always does. The
 * rest are listed with the next notification the group sends.
 */
function isNews(item: GroupItem, items: readonly GroupItem[], settings: GroupSettings): boolean {
  if (item.kind === "anomaly") return true;
  if (item.named) return false;
  const lasts =
    (item.count >= RECURS && item.lastAt - item.firstAt >= settings.intervalMs) ||
    item.count >= MIN_BASE_RATE;
  return lasts && isNovel(item, items);
}

/** Alerts of the group in its latest trend bucket. */
function currentRate(entry: GroupEntry): number {
  let sum = 0;
  for (const item of entry.items) sum += item.trend[TREND_BUCKETS - 1] ?? 0;
  return sum;
}

/**
 * True when an item is a new kind of problem for the group, not a variant of one already named
 * (`denied "GET <*>"` after `denied "POST <*>"`): only those are news on their own; variants are
 * listed with the next notification. An anomaly, and the group's first item of a kind, always is.
 */
function isNovel(item: GroupItem, items: readonly GroupItem[]): boolean {
  const words = wordsOf(item);
  for (let i = 0; i < items.length; i++) {
    const other = items[i] as GroupItem;
    if (other.kind !== item.kind || !(other.named || other.notifiedCount > 0)) continue;
    if (similarity(words, wordsOf(other)) >= VARIANT_SIMILARITY) return false;
  }
  return true;
}

function wordsOf(item: GroupItem): Set<string> {
  const template = item.example.events?.[0]?.classification.template ?? item.key;
  return new Set(template.toLowerCase().match(/[a-z_]{2,}/g) ?? []);
}

function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * Makes room for an incident in a full group by folding its least frequent preventive action
 * into the counted tail; false when it holds none.
 */
function evictWarning(entry: GroupEntry): boolean {
  let victim = -1;
  entry.items.forEach((item, i) => {
    if (item.kind !== "preventive_action") return;
    if (victim < 0 || item.count < (entry.items[victim] as GroupItem).count) victim = i;
  });
  if (victim < 0) return false;
  const [item] = entry.items.splice(victim, 1) as [GroupItem];
  entry.omitted = {
    templates: entry.omitted.templates + 1,
    alerts: entry.omitted.alerts + item.count,
    keys: [...entry.omitted.keys, shortHash(item.key)].slice(-1000),
  };
  return true;
}

/** When a change recorded at `clock` is due: after the wait, the interval, or at once if urgent. */
function dueFor(entry: GroupEntry, clock: number, settings: GroupSettings): number {
  const first = entry.openedAt + settings.waitMs;
  if (entry.notifiedAt === undefined) return first;
  if (entry.urgent) return Math.max(clock, first);
  return Math.max(clock, entry.notifiedAt + gapAfter(entry.sent, settings));
}

/**
 * The shortest gap before the next update, after `sent` notifications: the group interval, doubled
 * with each update of the episode up to the repeat interval, so a long episode that keeps changing
 * costs a handful of messages, not one every interval. Anomalies do not wait for it.
 */
export function gapAfter(sent: number, settings: GroupSettings): number {
  const doublings = Math.min(Math.max(sent - 1, 0), 20);
  return Math.min(
    settings.intervalMs * 2 ** doublings,
    Math.max(settings.repeatMs, settings.intervalMs),
  );
}

/** What a group would do at `clock`, if anything. */
export function dueReason(
  entry: GroupEntry,
  clock: number,
  settings: GroupSettings,
): NotificationReason | "close" | undefined {
  if (isQuietSince(entry, clock, settings)) {
    if (entry.notifiedAt === undefined) return entry.dueAt !== undefined ? "firing" : "close";
    // What is still news when the group goes quiet is named by its resolved notice.
    if (settings.sendResolved) return "resolved";
    return entry.dueAt !== undefined ? "update" : "close";
  }
  if (entry.dueAt !== undefined && entry.dueAt <= clock)
    return entry.notifiedAt === undefined ? "firing" : "update";
  if (
    entry.notifiedAt !== undefined &&
    entry.sinceNotified > 0 &&
    clock >= entry.notifiedAt + settings.repeatMs
  )
    return "repeat";
  return undefined;
}

/** The clock time of the group's next action (send, repeat, resolve), for timers. */
export function nextActionAt(entry: GroupEntry, settings: GroupSettings): number {
  const times = [entry.lastAt + quietToResolve(entry, settings)];
  if (entry.dueAt !== undefined) times.push(entry.dueAt);
  if (entry.notifiedAt !== undefined && entry.sinceNotified > 0)
    times.push(entry.notifiedAt + settings.repeatMs);
  return Math.min(...times);
}

/** One action a group takes: a notification to deliver (and the entry after it), or its end. */
export type GroupAction =
  | { action: "send"; notification: GroupNotification; next: GroupEntry | null }
  | { action: "close" };

/**
 * The group's due action at `clock`, applied: a notification and the entry as it is once that
 * went out (`null` after a "resolved" notice: the episode is over), or "close" for an episode
 * that ends without a notice. Undefined when nothing is due. The state moves on when the
 * notification is decided, not when it is delivered, so what comes in while a delivery is out
 * (a backlog read in one go, a slow webhook) is judged exactly as a replay judges it, and a
 * racing notifier that reads the entry after this write finds nothing left to send.
 */
export function takeDue(
  entry: GroupEntry,
  clock: number,
  settings: GroupSettings,
  wallNow: number,
): GroupAction | undefined {
  const reason = dueReason(entry, clock, settings);
  if (reason === undefined) return undefined;
  if (reason === "close") return { action: "close" };
  const notification = notificationOf(entry, reason, clock, settings);
  if (reason === "resolved") return { action: "send", notification, next: null };
  const items = entry.items.map((item) => ({
    ...item,
    notifiedCount: item.count,
    changed: false,
    named: true,
  }));
  const { dueAt: _due, ...rest } = entry;
  return {
    action: "send",
    notification,
    next: {
      ...rest,
      items,
      notifiedAt: clock,
      urgent: false,
      grown: false,
      notedRate: Math.max(currentRate(entry), baseRate(entry, settings) ?? 0),
      sent: entry.sent + 1,
      sinceNotified: 0,
      touchedAt: wallNow,
    },
  };
}

/**
 * Every action that falls due up to `now`, each at the time it fell due, as a live stream would
 * have taken them: a group that a backlog leaves quiet for an hour sends its update, then its
 * resolved notice, before the next alert opens a new episode. `admit` (the flood limit) may hold
 * a notification back: the group then stays due and the stepping stops.
 */
export function stepDue(
  entry: GroupEntry,
  now: number,
  settings: GroupSettings,
  wallNow: number,
  admit: (notification: GroupNotification) => boolean = () => true,
): { notifications: GroupNotification[]; next: GroupEntry | null | undefined } {
  const notifications: GroupNotification[] = [];
  let current: GroupEntry | null = entry;
  let changed = false;
  let clock = Number.NEGATIVE_INFINITY;
  for (let step = 0; step < 1000 && current; step++) {
    const at = nextActionAt(current, settings);
    if (at > now) break;
    clock = Math.min(now, Math.max(clock, at));
    const action = takeDue(current, clock, settings, wallNow);
    if (!action) break;
    if (action.action === "close") {
      current = null;
      changed = true;
      break;
    }
    if (!admit(action.notification)) break;
    notifications.push(action.notification);
    current = action.next;
    changed = true;
  }
  return { notifications, next: changed ? current : undefined };
}

/**
 * The entry after a notification could not be delivered (it is dead-lettered with its content):
 * the group sends again, with all it holds, at `retryAt`. Undefined when the episode it belonged
 * to is over (nothing to do).
 */
export function deliveryFailed(
  entry: GroupEntry | undefined,
  notification: GroupNotification,
  retryAt: number,
  wallNow: number,
): GroupEntry | undefined {
  if (!entry || notification.reason === "resolved") return undefined;
  if (Date.parse(notification.since) < entry.firstAt || notification.sequence > entry.sent)
    return undefined;
  return { ...entry, dueAt: Math.min(entry.dueAt ?? retryAt, retryAt), touchedAt: wallNow };
}

/** True while an entry is worth keeping: touched within `retentionMs`. */
export function isEntryLive(entry: GroupEntry, wallNow: number, retentionMs: number): boolean {
  return entry.touchedAt + retentionMs > wallNow;
}

function isQuietSince(entry: GroupEntry, clock: number, settings: GroupSettings): boolean {
  return clock >= entry.lastAt + quietToResolve(entry, settings);
}

/**
 * A group is quiet after this many of its usual gaps between alerts without one: in a steady
 * (Poisson) stream a gap that long comes by chance for fewer than 1 gap in 100 (e^-5).
 */
const QUIET_GAPS = 5;
/** The longest quiet a group waits for, in multiples of ALERT_RESOLVE_AFTER_MINUTES. */
const MAX_RESOLVE = 4;

/**
 * How long a group must be quiet to resolve: ALERT_RESOLVE_AFTER_MINUTES, or longer for a group
 * whose alerts come far apart (several of its usual gaps, up to four times the setting), so a
 * steady trickle of incidents is one episode, not a resolve and a new firing every few minutes.
 */
function quietToResolve(entry: GroupEntry, settings: GroupSettings): number {
  let count = entry.omitted.alerts;
  for (const item of entry.items) count += item.count;
  if (count < 2) return settings.resolveAfterMs;
  const meanGap = (entry.lastAt - entry.firstAt) / (count - 1);
  return Math.min(
    Math.max(settings.resolveAfterMs, QUIET_GAPS * meanGap),
    MAX_RESOLVE * settings.resolveAfterMs,
  );
}

const KIND_ORDER: Record<AlertKind, number> = { anomaly: 0, incident: 1, preventive_action: 2 };

function notificationOf(
  entry: GroupEntry,
  reason: NotificationReason,
  clock: number,
  settings: GroupSettings,
): GroupNotification {
  const alerts = entry.items
    .map(
      (item): GroupedAlert => ({
        key: item.key,
        kind: item.kind,
        severity: item.severity,
        example: item.example,
        count: item.count,
        newCount: item.count - item.notifiedCount,
        isNew: item.notifiedCount === 0,
        firstSeen: new Date(item.firstAt).toISOString(),
        lastSeen: new Date(item.lastAt).toISOString(),
        trend: item.trend,
      }),
    )
    .sort(
      (a, b) =>
        KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
        Number(b.isNew || b.newCount > 0) - Number(a.isNew || a.newCount > 0) ||
        b.count - a.count ||
        (a.key < b.key ? -1 : 1),
    );
  const total = entry.items.reduce((sum, item) => sum + item.count, 0) + entry.omitted.alerts;
  return {
    type: "group",
    reason,
    groupId: entry.id,
    channel: entry.channel,
    route: entry.route,
    labels: entry.labels,
    severity: entry.items.some((item) => item.severity === "critical") ? "critical" : "warning",
    urgent:
      entry.urgent ||
      (reason !== "resolved" &&
        entry.items.some((i) => i.kind === "anomaly" && i.notifiedCount === 0)),
    since: new Date(entry.firstAt).toISOString(),
    until: new Date(entry.lastAt).toISOString(),
    at: new Date(clock).toISOString(),
    sequence: entry.sent + 1,
    alerts,
    omitted: { templates: entry.omitted.templates, alerts: entry.omitted.alerts },
    total,
    trendBucketMs: settings.intervalMs,
  };
}

/** Moves the trend window so its last bucket holds `clock`. */
function shiftTrend(entry: GroupEntry, clock: number, settings: GroupSettings): void {
  const width = settings.intervalMs;
  const lastEnd = entry.trendStart + TREND_BUCKETS * width;
  if (clock < lastEnd) return;
  const shift = Math.floor((clock - lastEnd) / width) + 1;
  entry.trendStart += shift * width;
  if (shift >= TREND_BUCKETS) {
    entry.items = entry.items.map((item) => ({ ...item, trend: new Array(TREND_BUCKETS).fill(0) }));
    return;
  }
  entry.items = entry.items.map((item) => ({
    ...item,
    trend: [...item.trend.slice(shift), ...new Array(shift).fill(0)],
  }));
}

/** The bucket an event time falls into; undefined when it is older than the trend window. */
function trendBucket(entry: GroupEntry, at: number, settings: GroupSettings): number | undefined {
  const index = Math.floor((at - entry.trendStart) / settings.intervalMs);
  if (index < 0) return undefined;
  return Math.min(index, TREND_BUCKETS - 1);
}

function bumped(trend: number[], bucket: number): number[] {
  const next = [...trend];
  next[bucket] = (next[bucket] ?? 0) + 1;
  return next;
}

function remembered(chunks: readonly string[][], id: string): string[][] {
  const last = chunks.at(-1);
  if (last && last.length < RECENT_CHUNK) return [...chunks.slice(0, -1), [...last, id]];
  return [...chunks.slice(-(RECENT_CHUNKS - 1)), [id]];
}

/** The omitted keys as a set, built once per keys array (it is replaced, never changed). */
const KEY_SETS = new WeakMap<readonly string[], Set<string>>();
function keySetOf(keys: readonly string[]): Set<string> {
  let set = KEY_SETS.get(keys);
  if (set === undefined) {
    set = new Set(keys);
    KEY_SETS.set(keys, set);
  }
  return set;
}

/** A short stable hash (FNV-1a), to count omitted templates without keeping their keys. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}
