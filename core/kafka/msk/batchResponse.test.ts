import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { batchItemFailure, batchResponse } from "./batchResponse.js";
import { decodeMskEvent, encodeMskEvent } from "./mskEvent.js";
import type { KafkaRecord } from "./types.js";

const position = (topic: string, partition: number, offset: string) => ({
  topic,
  partition,
  offset,
});

describe("batchItemFailure", () => {
  it("names the record by the key it arrived under and its offset as a number", () => {
    assert.deepEqual(batchItemFailure(position("raw-logs", 0, "16")), {
      itemIdentifier: { partition: "raw-logs-0", offset: 16 },
    });
  });

  it("names a partition key that the event actually used", () => {
    const record: KafkaRecord = {
      ...position("raw-logs-1", 2, "5"),
      timestamp: 0,
      timestampType: "CREATE_TIME",
      key: null,
      value: null,
      headers: {},
    };
    const [decoded] = decodeMskEvent(encodeMskEvent([record]));
    assert.ok(decoded);
    const event = encodeMskEvent([decoded]);
    assert.deepEqual(Object.keys(event.records), [
      batchItemFailure(decoded).itemIdentifier.partition,
    ]);
  });

  it("refuses an offset a JSON number would round", () => {
    assert.throws(() => batchItemFailure(position("raw-logs", 0, "9007199254740993")), RangeError);
  });
});

describe("batchResponse", () => {
  it("reports nothing when every record succeeded", () => {
    assert.deepEqual(batchResponse([]), { batchItemFailures: [] });
  });

  it("reports each failed record", () => {
    assert.deepEqual(
      JSON.parse(
        JSON.stringify(
          batchResponse([position("raw-logs", 2, "99"), position("raw-logs", 10, "4")]),
        ),
      ),
      {
        batchItemFailures: [
          { itemIdentifier: { partition: "raw-logs-2", offset: 99 } },
          { itemIdentifier: { partition: "raw-logs-10", offset: 4 } },
        ],
      },
    );
  });
});
