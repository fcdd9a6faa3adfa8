import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isScheduledEvent, type ScheduledEvent } from "../core/eventbridge/scheduledEvent.js";
import { LambdaSchedule } from "./lambdaSchedule.js";

/** Waits (up to a generous deadline) until `done()`; the tests assert what happened, not when. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await sleep(10);
  assert.ok(done(), "condition not reached");
}

/** A handler that takes `busyMs` per invocation and records how many ran at once. */
function slowHandler(busyMs: number, fail?: (call: number) => boolean) {
  const seen = { events: [] as ScheduledEvent[], running: 0, maxRunning: 0 };
  const handler = async (event: ScheduledEvent) => {
    seen.events.push(event);
    seen.running++;
    seen.maxRunning = Math.max(seen.maxRunning, seen.running);
    try {
      await sleep(busyMs);
      if (fail?.(seen.events.length)) throw new Error("flush failed");
    } finally {
      seen.running--;
    }
  };
  return { seen, handler };
}

describe("lambda-runner schedule", () => {
  it("invokes the handler with EventBridge scheduled events from the rule", async () => {
    const { seen, handler } = slowHandler(0);
    const schedule = new LambdaSchedule({
      everyMs: 10,
      invoke: handler,
      ruleName: "sentinel-notifier-flush",
      region: "eu-west-1",
    });
    schedule.start();
    await until(() => seen.events.length >= 3);
    await schedule.stop();
    for (const event of seen.events) {
      assert.ok(isScheduledEvent(event));
      assert.deepEqual(event.resources, [
        "arn:aws:events:eu-west-1:000000000000:rule/sentinel-notifier-flush",
      ]);
    }
    assert.equal(new Set(seen.events.map((e) => e.id)).size, seen.events.length);
    assert.equal(schedule.counts.invocations, seen.events.length);
  });

  it("never starts a tick while the previous one still runs", async () => {
    const { seen, handler } = slowHandler(40);
    const schedule = new LambdaSchedule({ everyMs: 5, invoke: handler });
    schedule.start();
    await until(() => seen.events.length >= 4);
    await schedule.stop();
    assert.equal(seen.maxRunning, 1);
  });

  it("keeps ticking after a failed invocation", async () => {
    const { seen, handler } = slowHandler(0, (call) => call === 1);
    const schedule = new LambdaSchedule({ everyMs: 10, invoke: handler });
    schedule.start();
    await until(() => seen.events.length >= 3);
    await schedule.stop();
    assert.equal(schedule.counts.failedInvocations, 1);
    assert.ok(schedule.counts.invocations >= 3);
  });

  it("stops: waits for the tick in progress, then invokes no more", async () => {
    const { seen, handler } = slowHandler(50);
    const schedule = new LambdaSchedule({ everyMs: 5, invoke: handler });
    schedule.start();
    await until(() => seen.running === 1);
    await schedule.stop();
    assert.equal(seen.running, 0, "stop() returned only after the running tick");
    const invoked = seen.events.length;
    await sleep(50);
    assert.equal(seen.events.length, invoked);
  });

  it("stops before its first tick without invoking", async () => {
    const { seen, handler } = slowHandler(0);
    const schedule = new LambdaSchedule({ everyMs: 60_000, invoke: handler });
    schedule.start();
    await schedule.stop();
    assert.equal(seen.events.length, 0);
  });
});
