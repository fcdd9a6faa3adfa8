import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelay, parseRetryAfter, withRetry } from "./backoff.js";

const fast = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 };

describe("withRetry", () => {
  it("retries until the operation succeeds", async () => {
    let calls = 0;
    const value = await withRetry(async () => {
      calls++;
      if (calls < 3) throw new Error("flaky");
      return "ok";
    }, fast);
    assert.equal(value, "ok");
    assert.equal(calls, 3);
  });

  it("throws the last error after the last attempt", async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(async () => {
        calls++;
        throw new Error(`attempt ${calls}`);
      }, fast),
      /attempt 4/,
    );
  });

  it("does not retry an error that is not retryable", async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new Error("bad request");
        },
        fast,
        { isRetryable: () => false },
      ),
    );
    assert.equal(calls, 1);
  });

  it("waits at least the server's Retry-After", async () => {
    const delays: number[] = [];
    let calls = 0;
    await withRetry(
      async () => {
        if (++calls === 1) throw new Error("429");
      },
      fast,
      { retryAfterMs: () => 30, onRetry: ({ delayMs }) => delays.push(delayMs) },
    );
    assert.deepEqual(delays, [30]);
  });
});

describe("backoffDelay", () => {
  it("doubles up to the cap, with full jitter", () => {
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      backoffDelay(policy, 1, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(policy, 3, () => 1),
      400,
    );
    assert.equal(
      backoffDelay(policy, 8, () => 1),
      1000,
    );
    assert.equal(
      backoffDelay(policy, 3, () => 0),
      0,
    );
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(parseRetryAfter("7", now), 7000);
    assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now), 30_000);
    assert.equal(parseRetryAfter("soon", now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});
