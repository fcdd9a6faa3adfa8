import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CALIBRATION_P_VALUE,
  estimateBaseline,
  judgeCount,
  logGamma,
  pValueForScore,
  surpriseScore,
  upperTail,
} from "./countModel.js";

const close = (actual: number, expected: number, relative = 1e-9) =>
  assert.ok(
    Math.abs(actual - expected) <= relative * Math.abs(expected),
    `${actual} is not within ${relative} of ${expected}`,
  );

describe("count model", () => {
  it("computes Poisson tails exactly, far into the tail", () => {
    close(upperTail(1, 0.5, 0.5), 1 - Math.exp(-0.5));
    close(upperTail(2, 1, 1), 1 - 2 / Math.E);
    // P(X >= 30 | 3): the first term dominates; 1 - CDF would round to 0.
    const first = Math.exp(30 * Math.log(3) - 3 - logGamma(31));
    assert.ok(upperTail(30, 3, 3) > first && upperTail(30, 3, 3) < first * 1.2);
    assert.ok(upperTail(30, 3, 3) < 1e-18);
  });

  it("computes negative binomial tails (geometric when the size is 1)", () => {
    // Mean m, variance m + m^2: size 1, P(X >= k) = (m / (1 + m))^k.
    close(upperTail(7, 4, 20), (4 / 5) ** 7);
    close(upperTail(3, 0.5, 0.75), (0.5 / 1.5) ** 3);
  });

  it("calls nothing at or below the mean surprising", () => {
    assert.equal(upperTail(5, 5, 5), 1);
    assert.equal(upperTail(0, 0.1, 0.1), 1);
    assert.equal(surpriseScore(1), 0);
  });

  it("maps the calibration p-value to the default threshold, monotonically", () => {
    close(surpriseScore(CALIBRATION_P_VALUE), 0.7);
    const ps = [0.5, 0.05, 1e-3, 1e-6, 1e-9, 1e-15, 1e-40];
    const scores = ps.map(surpriseScore);
    for (let i = 1; i < scores.length; i++)
      assert.ok((scores[i] as number) > (scores[i - 1] as number));
    assert.ok((scores.at(-1) as number) < 1);
    for (const p of ps) close(pValueForScore(surpriseScore(p)), p, 1e-6);
  });

  it("learns a rate that a few earlier spikes barely move", () => {
    const clean = Array.from({ length: 60 }, (_, i) => [4, 5, 6, 5][i % 4] as number);
    const spiky = [...clean.slice(0, 57), 100, 120, 90];
    assert.ok(Math.abs(estimateBaseline(clean).rate - 5) < 0.05);
    const robust = estimateBaseline(spiky);
    assert.equal(robust.clipped, 3);
    assert.ok(robust.rate < 6, `rate ${robust.rate}`);
    assert.ok(robust.dispersion < 2, `dispersion ${robust.dispersion}`);
  });

  it("widens the model for overdispersed traffic", () => {
    const bursty = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 25 : 5));
    assert.ok(estimateBaseline(bursty).dispersion > 3);
    // 30 is far out for Poisson(11.7) but not for traffic that swings like this.
    const base = estimateBaseline(bursty);
    const poissonLike = { ...base, dispersion: 1 };
    assert.ok(judgeCount(30, 1, base, 1).pValue > 100 * judgeCount(30, 1, poissonLike, 1).pValue);
  });

  it("judges an empty baseline cautiously but not blindly", () => {
    const zeros = estimateBaseline(Array(60).fill(0));
    assert.ok(zeros.rate > 0 && zeros.rate < 0.02);
    assert.ok(surpriseScore(judgeCount(1, 1, zeros, 1.2).pValue) < 0.7);
    assert.ok(surpriseScore(judgeCount(8, 1, zeros, 1.2).pValue) >= 0.7);
  });

  it("tolerates changes up to the minimum ratio", () => {
    const base = estimateBaseline(Array(60).fill(100));
    assert.equal(judgeCount(119, 1, base, 1.2).pValue, 1);
    assert.ok(judgeCount(119, 1, base, 1).pValue < 0.1);
  });
});
