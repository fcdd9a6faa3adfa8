import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { anomaly, classifiedEvent } from "../../events/testing/fixtures.js";
import type { Label } from "../../events/types.js";
import { anomalyAlert, eventAlert } from "../alerts.js";
import type { Alert } from "../types.js";
import {
  deliveryFailed,
  type GroupEntry,
  type GroupNotification,
  type GroupSettings,
  gapAfter,
  recordAlert,
  stepDue,
  takeDue,
} from "./groupState.js";
import { DEFAULT_GROUP_SETTINGS } from "./testing/settings.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const SETTINGS = DEFAULT_GROUP_SETTINGS;

/** An alert at `at` minutes (fractions allowed) with its own template text. */
function alert(
  at: number,
  template: string,
  options: { label?: Label; id?: string; service?: string } = {},
): Alert {
  const event = classifiedEvent({
    label: options.label ?? "incident",
    at,
    templateId: template.replace(/\W+/g, "-"),
    ...(options.id && { id: options.id }),
    ...(options.service && { service: options.service }),
    message: template.replaceAll("<*>", "42"),
  });
  event.classification.template = template;
  return eventAlert(event);
}

/**
 * One group driven as the notifier drives it: due actions at the times they fall due (the clock
 * stepping through them), every delivery succeeding unless told otherwise.
 */
class Group {
  entry: GroupEntry | undefined;
  readonly sent: GroupNotification[] = [];
  #clock = T0;

  constructor(readonly settings: GroupSettings = SETTINGS) {}

  add(at: number, ...alerts: Alert[]): this {
    this.advance(at);
    for (const a of alerts)
      this.entry = recordAlert(
        this.entry,
        {
          groupId: "teams|default|service=api",
          channel: "teams",
          route: "default",
          labels: { service: "api" },
          alert: a,
        },
        this.settings,
        this.#clock,
        0,
      );
    return this;
  }

  /** Moves the clock to `at` minutes, doing every action that falls due on the way. */
  advance(at: number): this {
    const target = T0 + at * MINUTE;
    if (this.entry) {
      const { notifications, next } = stepDue(this.entry, target, this.settings, 0);
      this.sent.push(...notifications);
      if (next !== undefined) this.entry = next ?? undefined;
    }
    this.#clock = Math.max(this.#clock, target);
    return this;
  }

  /** Sent notifications as "minute:reason", e.g. "0.5:firing". */
  get log(): string[] {
    return this.sent.map((n) => `${(Date.parse(n.at) - T0) / MINUTE}:${n.reason}`);
  }
}

describe("notification groups", () => {
  it("sends the first notification after the group wait, with everything that came in it", () => {
    const group = new Group().add(0, alert(0, "disk full on <*>"));
    group.add(0.25, alert(0.25, "connection refused to <*>"));
    group.advance(0.4);
    assert.equal(group.sent.length, 0, "nothing before the wait ends");
    group.advance(1);
    assert.deepEqual(group.log, ["0.5:firing"]);
    const first = group.sent.at(0);
    assert.ok(first);
    assert.equal(first.sequence, 1);
    assert.equal(first.severity, "critical");
    assert.deepEqual(
      first.alerts.map((a) => [a.count, a.isNew]),
      [
        [1, true],
        [1, true],
      ],
    );
  });

  it("updates at most every interval, and only when a new kind of problem lasts", () => {
    const group = new Group({ ...SETTINGS, resolveAfterMs: 24 * 60 * MINUTE });
    group.add(0, alert(0, "disk full on <*>"));
    group.advance(1);
    // The same problem again, and a variant of it: counted, no update.
    group.add(2, alert(2, "disk full on <*>"), alert(2.5, "disk full on <*> (retrying)"));
    group.advance(20);
    assert.deepEqual(group.log, ["0.5:firing"]);
    // A new problem, seen once: listed later, no update of its own.
    group.add(21, alert(21, "certificate for <*> expired"));
    group.advance(40);
    assert.deepEqual(group.log, ["0.5:firing"]);
    // A new problem that lasts (five times): an update, no sooner than the interval allows.
    for (let i = 0; i < 5; i++)
      group.add(41 + i / 10, alert(41 + i / 10, "replica lagging by <*>"));
    group.advance(42);
    assert.deepEqual(group.log, ["0.5:firing", "41.4:update"]);
    const update = group.sent[1] as GroupNotification;
    const byTemplate = Object.fromEntries(
      update.alerts.map((a) => [
        a.example.events?.[0]?.classification.template,
        [a.count, a.newCount, a.isNew],
      ]),
    );
    assert.deepEqual(byTemplate, {
      "replica lagging by <*>": [5, 5, true],
      "certificate for <*> expired": [1, 1, true],
      "disk full on <*>": [2, 1, false],
      "disk full on <*> (retrying)": [1, 1, true],
    });
    // The next change waits the doubled gap after this update (10 minutes).
    for (let i = 0; i < 5; i++) group.add(43 + i / 10, alert(43 + i / 10, "kernel panic on <*>"));
    group.advance(60);
    assert.deepEqual(group.log, ["0.5:firing", "41.4:update", "51.4:update"]);
  });

  it("takes three sightings over an interval, or five, for a new problem to last", () => {
    const group = new Group({ ...SETTINGS, resolveAfterMs: 24 * 60 * MINUTE });
    group.add(0, alert(0, "disk full on <*>"));
    group.advance(1);
    // Twice, ten minutes apart: it may be chance; listed with the next notification.
    group.add(10, alert(10, "certificate for <*> expired"));
    group.add(20, alert(20, "certificate for <*> expired"));
    group.advance(30);
    assert.deepEqual(group.log, ["0.5:firing"]);
    // A third time: it recurs.
    group.add(31, alert(31, "certificate for <*> expired"));
    group.advance(32);
    assert.deepEqual(group.log, ["0.5:firing", "31:update"]);
  });

  it("keeps a variant a variant when the template it varies came back after a quiet window", () => {
    const group = new Group({ ...SETTINGS, resolveAfterMs: 24 * 60 * MINUTE });
    group.add(0, alert(0, "oversell detected: SKU <*> stock negative at wh-sfo"));
    group.advance(1);
    // Back after the dedup window: it is listed as new again, and it still names the problem.
    group.add(30, alert(30, "oversell detected: SKU <*> stock negative at wh-sfo"));
    for (let i = 0; i < 5; i++)
      group.add(
        31 + i / 10,
        alert(31 + i / 10, "oversell detected: SKU <*> stock negative at wh-dub"),
      );
    group.advance(60);
    assert.deepEqual(group.log, ["0.5:firing"]);
  });

  it("names what is still news in the resolved notice, not in an update just before it", () => {
    for (const sendResolved of [true, false]) {
      // A group interval longer than the quiet that resolves the group.
      const settings = { ...SETTINGS, sendResolved, intervalMs: 30 * MINUTE };
      const group = new Group(settings).add(0, alert(0, "disk full on <*>"));
      group.advance(1);
      // News while the gap is open: an update would be due after the group went quiet.
      for (let i = 0; i < 5; i++)
        group.add(6 + i / 10, alert(6 + i / 10, "replica lagging by <*>"));
      group.advance(120);
      const last = group.sent.at(-1) as GroupNotification;
      const lagging = last.alerts.find((a) => a.key.includes("replica"));
      assert.equal(lagging?.isNew, true, "the late problem is named as new");
      assert.deepEqual(
        group.log,
        sendResolved ? ["0.5:firing", "21.4:resolved"] : ["0.5:firing", "21.4:update"],
      );
    }
  });

  it("sends an anomaly at once, without waiting for the interval, and says it is urgent", () => {
    const group = new Group().add(0, alert(0, "disk full on <*>"));
    group.advance(1);
    group.add(2, anomalyAlert(anomaly({ at: 2, score: 0.95 })));
    group.advance(2.1);
    assert.deepEqual(group.log, ["0.5:firing", "2:update"]);
    const urgent = group.sent[1] as GroupNotification;
    assert.equal(urgent.urgent, true);
    assert.equal(urgent.alerts[0]?.kind, "anomaly", "the anomaly comes first");
    // The same anomaly kind again inside the window is counted, not sent again.
    group.add(3, anomalyAlert(anomaly({ at: 3, id: "again" })));
    group.advance(8);
    assert.equal(group.sent.length, 2);
  });

  it("treats a rate that grew by the change factor as news", () => {
    const group = new Group();
    // Ten alerts per five minutes for half an hour.
    for (let minute = 0; minute < 30; minute += 0.5)
      group.add(minute, alert(minute, "slow query on <*>"));
    assert.deepEqual(group.log, ["0.5:firing"]);
    // Then forty in the next two minutes: four times the rate.
    for (let i = 0; i < 40; i++) group.add(30 + i / 20, alert(30 + i / 20, "slow query on <*>"));
    group.advance(33);
    assert.equal(group.log.length, 2);
    assert.match(group.log[1] as string, /:update$/);
  });

  it("repeats a still-firing group after the repeat interval, and not a silent one", () => {
    const settings = { ...SETTINGS, repeatMs: 60 * MINUTE, resolveAfterMs: 24 * 60 * MINUTE };
    const group = new Group(settings).add(0, alert(0, "disk full on <*>"));
    for (let minute = 10; minute <= 70; minute += 10)
      group.add(minute, alert(minute, "disk full on <*>"));
    group.advance(71);
    assert.deepEqual(group.log, ["0.5:firing", "60.5:repeat"]);
    group.advance(200);
    assert.deepEqual(
      group.log,
      ["0.5:firing", "60.5:repeat", "120.5:repeat"],
      "once more for the alert at 70, then silent",
    );
  });

  it("resolves a quiet group once, and opens a new episode for the next alert", () => {
    const group = new Group().add(0, alert(0, "disk full on <*>"));
    group.advance(16);
    assert.deepEqual(group.log, ["0.5:firing", "15:resolved"]);
    assert.equal(group.entry, undefined, "the episode is over");
    group.add(30, alert(30, "disk full on <*>"));
    group.advance(31);
    assert.deepEqual(group.log, ["0.5:firing", "15:resolved", "30.5:firing"]);
    assert.equal(group.sent[2]?.sequence, 1);
  });

  it("waits out a steady trickle's usual gaps before resolving it", () => {
    const group = new Group();
    // An incident every 10 minutes for four hours.
    for (let minute = 0; minute <= 240; minute += 10)
      group.add(minute, alert(minute, "disk full on <*>", { id: `d${minute}` }));
    group.advance(280);
    assert.deepEqual(
      group.log,
      ["0.5:firing", "240.5:repeat"],
      "still firing after four hours; 40 quiet minutes are four of its gaps: not resolved yet",
    );
    // Quiet for five of its gaps (50 minutes; never more than four times the setting).
    group.advance(400);
    assert.deepEqual(group.log, ["0.5:firing", "240.5:repeat", "290:resolved"]);
  });

  it("ends a quiet episode without a notice when resolved notices are off", () => {
    const group = new Group({ ...SETTINGS, sendResolved: false }).add(
      0,
      alert(0, "disk full on <*>"),
    );
    group.advance(60);
    assert.deepEqual(group.log, ["0.5:firing"]);
    assert.equal(group.entry, undefined);
  });

  it("does not count a redelivered alert twice", () => {
    const same = alert(0, "disk full on <*>", { id: "line-1" });
    const group = new Group().add(0, same, same, same);
    assert.equal(group.entry?.items[0]?.count, 1);
    // A whole Lambda batch of 100 that comes again.
    const batch = Array.from({ length: 100 }, (_, i) =>
      alert(0.1 + i / 10_000, "disk full on <*>", { id: `b${i}` }),
    );
    group.add(0.2, ...batch, ...batch);
    assert.equal(group.entry?.items[0]?.count, 101);
  });

  it("counts templates beyond the detail limit, and keeps incidents over warnings", () => {
    const group = new Group({ ...SETTINGS, maxItems: 3 });
    group.add(0, alert(0, "retrying <*>", { label: "preventive_action" }));
    group.add(
      0,
      alert(0, "slow <*>", { label: "preventive_action", id: "s1" }),
      alert(0, "slow <*>", { label: "preventive_action", id: "s2" }),
    );
    group.add(0, alert(0, "queue at <*>", { label: "preventive_action" }));
    group.add(0.1, alert(0.1, "disk full on <*>"));
    group.add(0.2, alert(0.2, "cache miss storm <*>", { label: "preventive_action" }));
    const entry = group.entry as GroupEntry;
    assert.deepEqual(
      entry.items.map((i) => i.kind),
      ["preventive_action", "preventive_action", "incident"],
    );
    assert.deepEqual([entry.omitted.templates, entry.omitted.alerts], [2, 2]);
    group.advance(1);
    assert.equal(group.sent[0]?.total, 6);
  });

  it("moves the state on when a notification is decided, so nobody decides it twice", () => {
    const group = new Group().add(0, alert(0, "disk full on <*>"));
    const entry = group.entry as GroupEntry;
    const clock = T0 + MINUTE;
    const taken = takeDue(entry, clock, SETTINGS, 0);
    assert.equal(taken?.action === "send" && taken.notification.reason, "firing");
    if (taken?.action !== "send" || !taken.next) return;
    assert.equal(takeDue(taken.next, clock, SETTINGS, 0), undefined, "nothing left to send");
    // What comes in right after (while the notification is out) is judged against it.
    let after = taken.next;
    for (let i = 0; i < 5; i++)
      after = recordAlert(
        after,
        {
          groupId: entry.id,
          channel: "teams",
          route: "default",
          labels: {},
          alert: alert(1, "kernel panic on <*>", { id: `panic-${i}` }),
        },
        SETTINGS,
        clock,
        0,
      );
    assert.equal(
      after.dueAt,
      clock + SETTINGS.intervalMs,
      "an interval after the first notification",
    );
  });

  it("sends again at the retry time after a failed delivery, and ignores one from an episode that is over", () => {
    const group = new Group().add(0, alert(0, "disk full on <*>"));
    const taken = takeDue(group.entry as GroupEntry, T0 + MINUTE, SETTINGS, 0);
    if (taken?.action !== "send" || !taken.next) return assert.fail("expected a notification");
    const failed = deliveryFailed(taken.next, taken.notification, T0 + 6 * MINUTE, 0) as GroupEntry;
    assert.equal(failed.dueAt, T0 + 6 * MINUTE);
    const retried = takeDue(failed, T0 + 6 * MINUTE, SETTINGS, 0);
    assert.equal(retried?.action === "send" && retried.notification.reason, "update");
    // A new episode of the same group is not touched by the old one's failure.
    const fresh = new Group().add(60, alert(60, "disk full on <*>")).entry as GroupEntry;
    assert.equal(deliveryFailed(fresh, taken.notification, T0, 0), undefined);
    // A resolved notice ends the episode whether or not it is delivered.
    const resolved = takeDue(taken.next, T0 + 30 * MINUTE, SETTINGS, 0);
    assert.equal(resolved?.action === "send" && resolved.notification.reason, "resolved");
    assert.equal(resolved?.action === "send" && resolved.next, null);
  });

  it("doubles the gap between updates up to the repeat interval", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 10].map((sent) => gapAfter(sent, SETTINGS) / MINUTE),
      [5, 10, 20, 40, 240],
    );
  });
});
