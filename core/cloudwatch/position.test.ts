import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { advance, samePosition, settle, startingPosition, undelivered } from "./position.js";

const at = (timestamp: number, id: string) => ({ id, timestamp });

describe("the poller's position", () => {
  it("skips only the events already delivered at the position's millisecond", () => {
    const from = { timestamp: 100, idsAtTimestamp: ["a", "b"] };
    const events = [at(99, "old"), at(100, "a"), at(100, "b"), at(100, "c"), at(101, "d")];
    assert.deepEqual(
      undelivered(from, events).map((e) => e.id),
      ["c", "d"],
    );
    assert.deepEqual(
      undelivered(startingPosition(100), events).map((e) => e.id),
      ["a", "b", "c", "d"],
    );
  });

  it("moves to the newest time and remembers every id delivered at it, across pages", () => {
    let position = startingPosition(0);
    position = advance(position, [at(5, "a"), at(7, "b"), at(7, "c")]);
    assert.deepEqual(position, { timestamp: 7, idsAtTimestamp: ["b", "c"] });
    // The next page starts in the same millisecond.
    position = advance(position, [at(7, "d"), at(7, "e")]);
    assert.deepEqual(position, { timestamp: 7, idsAtTimestamp: ["b", "c", "d", "e"] });
    position = advance(position, [at(9, "f")]);
    assert.deepEqual(position, { timestamp: 9, idsAtTimestamp: ["f"] });
  });

  it("stays put for an empty page, and says so", () => {
    const position = { timestamp: 9, idsAtTimestamp: ["f"] };
    assert.equal(advance(position, []), position);
    assert.equal(samePosition(position, advance(position, [at(9, "f")])), true);
    assert.equal(samePosition(undefined, position), false);
  });

  it("moves to the end of a completed query, keeping ids delivered at that end", () => {
    assert.deepEqual(settle({ timestamp: 9, idsAtTimestamp: ["f"] }, 20), {
      timestamp: 20,
      idsAtTimestamp: [],
    });
    const atEnd = { timestamp: 20, idsAtTimestamp: ["g"] };
    assert.equal(settle(atEnd, 20), atEnd);
  });
});
