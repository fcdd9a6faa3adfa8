import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FloodGuard } from "./floodGuard.js";

describe("FloodGuard", () => {
  it("lets a burst through, folds the rest into one digest, and releases it when a token is back", () => {
    let now = 0;
    const guard = new FloodGuard<number>({ ratePerMinute: 6, burst: 3, now: () => now });
    const alone = Array.from({ length: 100 }, (_, i) => guard.admit("teams|default", i));
    assert.deepEqual(
      alone.map((sent, i) => (sent ? i : -1)).filter((i) => i >= 0),
      [0, 1, 2],
    );
    assert.equal(guard.waiting, 97);
    assert.deepEqual(guard.due(), []);
    now = 10_000; // one token a 10 s at 6 a minute
    const [digest, ...more] = guard.due();
    assert.equal(more.length, 0);
    assert.equal(digest?.destination, "teams|default");
    assert.deepEqual(
      digest?.items,
      Array.from({ length: 97 }, (_, i) => i + 3),
    );
    assert.equal(guard.waiting, 0);
  });

  it("keeps destinations apart and keeps order: a late alert joins the waiting digest", () => {
    let now = 0;
    const guard = new FloodGuard<string>({ ratePerMinute: 60, burst: 1, now: () => now });
    assert.equal(guard.admit("email|default", "a"), true);
    assert.equal(guard.admit("email|default", "b"), false);
    assert.equal(guard.admit("teams|default", "x"), true);
    now = 1000;
    // A token is back, but "b" waits: "c" joins it instead of overtaking it.
    assert.equal(guard.admit("email|default", "c"), false);
    assert.deepEqual(
      guard.due().map((d) => [d.destination, d.items]),
      [["email|default", ["b", "c"]]],
    );
  });

  it("drains every waiting digest when the caller cannot wait", () => {
    const guard = new FloodGuard<number>({ ratePerMinute: 1, burst: 1, now: () => 0 });
    guard.admit("a", 1);
    guard.admit("a", 2);
    guard.admit("b", 3);
    guard.admit("b", 4);
    assert.deepEqual(
      guard.drain().map((d) => d.items),
      [[2], [4]],
    );
    assert.equal(guard.waiting, 0);
  });
});
