import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TokenBucket } from "./tokenBucket.js";

describe("TokenBucket", () => {
  it("allows a burst up to capacity, then refills at the rate", () => {
    let now = 0;
    const bucket = new TokenBucket({ ratePerSecond: 4, capacity: 4, now: () => now });
    for (let i = 0; i < 4; i++) assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), false);
    now += 250;
    assert.equal(bucket.tryTake(), true);
    assert.equal(bucket.tryTake(), false);
    now += 10_000;
    assert.equal(Math.round(bucket.available), 4, "never above capacity");
  });

  it("take waits for the tokens it goes into debt for", async () => {
    const bucket = new TokenBucket({ ratePerSecond: 100, capacity: 1 });
    const started = performance.now();
    await bucket.take(1);
    await bucket.take(5);
    const waited = performance.now() - started;
    assert.ok(waited >= 40, `waited ${waited} ms for 5 tokens at 100/s`);
  });

  it("rejects a rate that is not above zero", () => {
    assert.throws(() => new TokenBucket({ ratePerSecond: 0 }), RangeError);
  });
});
