import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { SubscriptionPayloadError } from "./errors.js";
import {
  decodeCloudWatchLogsEvent,
  decodeSubscriptionPayload,
  encodeSubscriptionPayload,
  subscriptionEvents,
} from "./subscriptionPayload.js";
import { loadFixture } from "./testing/fixtures.js";

function gzipped(value: unknown): string {
  return gzipSync(Buffer.from(typeof value === "string" ? value : JSON.stringify(value))).toString(
    "base64",
  );
}

describe("CloudWatch subscription payloads", () => {
  it("decodes a recorded Lambda DATA_MESSAGE from base64 and gzip", () => {
    const recorded = loadFixture("lambda-data-message");
    const payload = decodeCloudWatchLogsEvent(encodeSubscriptionPayload(recorded));
    assert.deepEqual(payload, recorded);
    assert.equal(payload.messageType, "DATA_MESSAGE");
    assert.equal(payload.owner, "123456789012");
    assert.equal(payload.logEvents.length, 12);
  });

  it("decodes a CONTROL_MESSAGE, whose event ids are empty", () => {
    const payload = decodeSubscriptionPayload(gzipped(loadFixture("control-message")));
    assert.equal(payload.messageType, "CONTROL_MESSAGE");
    assert.equal(payload.logEvents[0]?.id, "");
  });

  it("gives each event its log group and stream", () => {
    const events = subscriptionEvents(loadFixture("ecs-data-message"));
    assert.equal(events.length, 6);
    assert.deepEqual(
      new Set(events.map((e) => `${e.logGroup} ${e.logStream}`)),
      new Set(["/ecs/orders-service orders/orders-app/0f8e7d6c5b4a49382716a5b4c3d2e1f0"]),
    );
  });

  it("names what is wrong with a payload that is not one", () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /non-empty base64/],
      ["", /non-empty base64/],
      ["not base64!", /not base64/],
      [Buffer.from("plain text, no gzip").toString("base64"), /not gzip/],
      [gzipped("{not json"), /not JSON/],
      [gzipped({ messageType: "DATA_MESSAGE", owner: "1" }), /logGroup/],
      [gzipped({ ...loadFixture("ecs-data-message"), messageType: "OTHER" }), /messageType/],
    ];
    for (const [data, message] of cases) {
      assert.throws(
        () => decodeSubscriptionPayload(data),
        (error: Error) => {
          assert.ok(error instanceof SubscriptionPayloadError, String(error));
          assert.match(error.message, message);
          return true;
        },
      );
    }
  });

  it("refuses a data event without an id, which would have no stable identity", () => {
    const payload = loadFixture("ecs-data-message");
    const broken = {
      ...payload,
      logEvents: payload.logEvents.map((e, i) => (i === 2 ? { ...e, id: "" } : e)),
    };
    assert.throws(() => decodeSubscriptionPayload(gzipped(broken)), /logEvents\.2\.id: empty/);
  });

  it("refuses an event that is not a subscription event", () => {
    assert.throws(() => decodeCloudWatchLogsEvent({ Records: [] }), /awslogs\.data is missing/);
    assert.throws(() => decodeCloudWatchLogsEvent(null), /awslogs\.data is missing/);
  });
});
