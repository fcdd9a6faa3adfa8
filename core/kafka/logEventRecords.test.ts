import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logEvent } from "../events/testing/fixtures.js";
import { type ConsumedRecord, type DeadLetter, deadLetterMessage } from "./deadLetter.js";
import { MAX_RECORD_BYTES } from "./decodeRecord.js";
import { decodeLogEvent, eventMessage } from "./logEventRecords.js";

function record(value: Buffer | string | null): ConsumedRecord {
  return {
    topic: "raw-logs",
    partition: 2,
    offset: "9007199254740993",
    key: Buffer.from("api"),
    value: typeof value === "string" ? Buffer.from(value) : value,
    timestamp: "1767225600000",
  };
}

describe("log event records", () => {
  it("round-trips an event keyed by its service", () => {
    const event = logEvent("disk at 91%", { service: "db", level: "warn" });
    const message = eventMessage(event);
    assert.equal(message.key, "db");
    const decoded = decodeLogEvent(record(String(message.value)));
    assert.deepEqual(decoded, { ok: true, value: event });
  });

  it("names why a record is poison: a bounded reason, and the detail for its dead letter", () => {
    const failures = [
      record(null),
      record(""),
      record("{not json"),
      record('{"id":"x"}'),
      record(JSON.stringify({ ...logEvent("m"), timestamp: "yesterday" })),
      record(Buffer.alloc(MAX_RECORD_BYTES + 1, 32)),
    ].map((r) => {
      const decoded = decodeLogEvent(r);
      return decoded.ok ? ["ok", ""] : [decoded.reason, decoded.detail];
    });
    assert.deepEqual(
      failures.map(([reason]) => reason),
      [
        "empty_value",
        "empty_value",
        "not_json",
        "does_not_match_the_contract",
        "does_not_match_the_contract",
        "too_large",
      ],
    );
    const details = failures.map(([, detail]) => detail ?? "");
    assert.equal(details[0], "empty value");
    assert.match(details[2] ?? "", /^not JSON: /);
    assert.match(details[3] ?? "", /^does not match the contract: timestamp: /);
    assert.match(
      details[4] ?? "",
      /^does not match the contract: timestamp: expected an ISO-8601 timestamp/,
    );
    assert.equal(details[5], `too large: ${MAX_RECORD_BYTES + 1} bytes`);
  });

  it("keeps the original bytes and where they came from in a dead letter", () => {
    const original = Buffer.from([0xff, 0x00, 0x7b]);
    const message = deadLetterMessage(record(original), "not JSON: x", "classifier-worker");
    const letter = JSON.parse(String(message.value)) as DeadLetter;
    assert.equal(letter.reason, "not JSON: x");
    assert.equal(letter.stage, "classifier-worker");
    assert.deepEqual(letter.source, {
      topic: "raw-logs",
      partition: 2,
      offset: "9007199254740993",
      timestamp: "1767225600000",
    });
    assert.deepEqual(Buffer.from(letter.value ?? "", "base64"), original);
    assert.equal(message.key, "api");
  });
});
