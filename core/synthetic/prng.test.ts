import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deriveSeed, fnv1a, Rng } from "./prng.js";

describe("Rng", () => {
  it("repeats its sequence for the same seed and diverges for another", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = Array.from({ length: 100 }, () => a.uint32());
    assert.deepEqual(
      seqA,
      Array.from({ length: 100 }, () => b.uint32()),
    );
    const seqC = Array.from({ length: 100 }, () => c.uint32());
    assert.ok(seqA.filter((x, i) => x === seqC[i]).length === 0);
  });

  it("draws uniform floats in [0, 1) and integers within inclusive bounds", () => {
    const rng = new Rng(7);
    let sum = 0;
    const ints = new Set<number>();
    for (let i = 0; i < 100_000; i++) {
      const f = rng.float();
      assert.ok(f >= 0 && f < 1);
      sum += f;
      const n = rng.int(-2, 2);
      assert.ok(Number.isInteger(n) && n >= -2 && n <= 2);
      ints.add(n);
    }
    assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.01);
    assert.deepEqual([...ints].sort(), [-1, -2, 0, 1, 2]);
  });

  it("derives distinct streams per purpose and per seed, high bits included", () => {
    assert.notEqual(deriveSeed(1, "records"), deriveSeed(1, "hosts"));
    assert.notEqual(deriveSeed(1, "records"), deriveSeed(2, "records"));
    assert.notEqual(deriveSeed(5, "records"), deriveSeed(5 + 2 ** 32, "records"));
    assert.equal(deriveSeed(-3, "x"), deriveSeed(-3, "x"));
    assert.equal(fnv1a(""), 0x811c9dc5);
    assert.equal(fnv1a("a"), 0xe40c292c);
  });
});
