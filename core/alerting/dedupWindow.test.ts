import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DedupWindow } from "./dedupWindow.js";

const MINUTE = 60_000;

describe("DedupWindow", () => {
  it("suppresses a duplicate alert inside the window and reports it with the next one", () => {
    const dedup = new DedupWindow({ windowMs: 10 * MINUTE });
    assert.deepEqual(dedup.admit("k", 0), { send: true, suppressedBefore: 0 });
    assert.deepEqual(dedup.admit("k", 1 * MINUTE), { send: false });
    assert.deepEqual(dedup.admit("k", 2 * MINUTE), { send: false });
    assert.deepEqual(dedup.admit("other", 2 * MINUTE), { send: true, suppressedBefore: 0 });
    assert.deepEqual(dedup.admit("k", 10 * MINUTE), {
      send: true,
      suppressedBefore: 2,
      firstSuppressedAt: 1 * MINUTE,
      lastSuppressedAt: 2 * MINUTE,
    });
    assert.deepEqual(dedup.admit("k", 21 * MINUTE), { send: true, suppressedBefore: 0 });
  });
});
