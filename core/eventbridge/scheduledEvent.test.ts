import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isScheduledEvent, type ScheduledEvent, scheduledEvent } from "./scheduledEvent.js";

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
}

/** Each field's JSON type, to compare an event's shape with AWS's. */
function shape(event: object): Record<string, string> {
  return Object.fromEntries(
    Object.entries(event).map(([key, value]) => [
      key,
      Array.isArray(value) ? "array" : typeof value,
    ]),
  );
}

describe("EventBridge scheduled events", () => {
  it("recognises the event AWS sends and nothing else", () => {
    assert.equal(isScheduledEvent(fixture("scheduled-event.json")), true);
    assert.equal(isScheduledEvent(fixture("../../kafka/msk/fixtures/msk-raw-logs.json")), false);
    for (const other of [undefined, null, "aws.events", { source: "aws.events" }, {}])
      assert.equal(isScheduledEvent(other), false, JSON.stringify(other));
  });

  it("builds the same shape as AWS's, for the given time and rule", () => {
    const aws = fixture("scheduled-event.json") as ScheduledEvent;
    const event = scheduledEvent(new Date("2026-03-01T12:00:05.731Z"), {
      region: "eu-west-1",
      ruleName: "sentinel-notifier-flush",
    });
    assert.deepEqual(shape(event), shape(aws));
    assert.equal(isScheduledEvent(event), true);
    assert.equal(event.time, "2026-03-01T12:00:05Z");
    assert.match(aws.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(event.resources, [
      "arn:aws:events:eu-west-1:000000000000:rule/sentinel-notifier-flush",
    ]);
    assert.deepEqual(event.detail, {});
    assert.notEqual(scheduledEvent(new Date()).id, event.id, "a new id for every event");
  });
});
