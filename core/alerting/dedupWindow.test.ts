import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClaimDecision, ClaimRequest, DedupClaim } from "./dedupWindow.js";
import { MemoryDedupStore } from "./memoryDedupStore.js";

const MINUTE = 60_000;
let clock = 0;

function store(leaseMs = 5 * MINUTE) {
  clock = 0;
  return new MemoryDedupStore({ windowMs: 10 * MINUTE, leaseMs, now: () => clock });
}

function request(at: number, alertId = `alert-${at}`, key = "incident:api:t1"): ClaimRequest {
  return { key, channel: "email", alertId, at: at * MINUTE };
}

function granted(decision: ClaimDecision): DedupClaim {
  assert.equal(decision.outcome, "send", `expected a claim, got ${decision.outcome}`);
  return decision as DedupClaim;
}

/** Claims and confirms: the alert at `at` is sent; returns what it reported as similar. */
function send(dedup: MemoryDedupStore, at: number) {
  const decision = dedup.claimNow(request(at));
  dedup.confirmNow(granted(decision));
  return decision.outcome === "send" ? decision.similar : undefined;
}

describe("alert dedup (event time, per key and channel)", () => {
  it("suppresses a duplicate incident alert inside the window and counts it", () => {
    const dedup = store();
    assert.equal(send(dedup, 0), undefined);
    assert.equal(dedup.claimNow(request(1)).outcome, "suppressed");
    assert.equal(dedup.claimNow(request(9.9)).outcome, "suppressed");
    assert.equal(dedup.claimNow(request(2, "other", "incident:api:t2")).outcome, "send");
  });

  it("sends the next alert after the window with +N similar since, first and last seen", () => {
    const dedup = store();
    send(dedup, 0);
    dedup.claimNow(request(1));
    dedup.claimNow(request(2));
    assert.deepEqual(send(dedup, 10), { count: 2, firstAt: 1 * MINUTE, lastAt: 2 * MINUTE });
    // The window restarts at the alert just sent, and the count starts again.
    assert.equal(dedup.claimNow(request(15)).outcome, "suppressed");
    assert.deepEqual(send(dedup, 20), { count: 1, firstAt: 15 * MINUTE, lastAt: 15 * MINUTE });
    assert.equal(send(dedup, 31), undefined);
  });

  it("keeps channels apart: e-mail's window does not suppress Teams", () => {
    const dedup = store();
    send(dedup, 0);
    const teams = dedup.claimNow({ ...request(1), channel: "teams" });
    assert.equal(teams.outcome, "send");
  });

  it("does not suppress the retry of a send that failed, and the retry carries the counts", () => {
    const dedup = store();
    send(dedup, 0);
    dedup.claimNow(request(3));
    const failed = dedup.claimNow(request(12));
    assert.deepEqual((failed as { similar?: unknown }).similar, {
      count: 1,
      firstAt: 3 * MINUTE,
      lastAt: 3 * MINUTE,
    });
    dedup.releaseNow(granted(failed));
    // The same alert retried, and a later occurrence: both go, with the counts given back.
    const retry = dedup.claimNow(request(12));
    assert.equal(retry.outcome, "send");
    assert.deepEqual((retry as { similar?: unknown }).similar, {
      count: 1,
      firstAt: 3 * MINUTE,
      lastAt: 3 * MINUTE,
    });
  });

  it("suppresses others while a claim is in flight, but not after its lease ran out", () => {
    const dedup = store(2 * MINUTE);
    const first = dedup.claimNow(request(0));
    assert.equal(first.outcome, "send");
    assert.equal(dedup.claimNow(request(0.5)).outcome, "suppressed");
    clock = 2 * MINUTE; // the holder never confirmed: its lease is over
    const next = dedup.claimNow(request(1));
    assert.equal(next.outcome, "send");
    assert.equal((next as { similar?: { count: number } }).similar?.count, 1);
    // The vanished holder's late confirm no longer counts.
    dedup.confirmNow(granted(first));
    dedup.confirmNow(granted(next));
    assert.equal(dedup.claimNow(request(5)).outcome, "suppressed");
  });

  it("answers busy for the very alert a live claim is sending, and lets it through once released", () => {
    const dedup = store();
    const first = granted(dedup.claimNow(request(0, "same")));
    assert.equal(dedup.claimNow(request(0, "same")).outcome, "busy");
    dedup.releaseNow(first);
    assert.equal(dedup.claimNow(request(0, "same")).outcome, "send");
  });

  it("recognises the same alert again after it was sent as a duplicate, not counted", () => {
    const dedup = store();
    send(dedup, 0);
    assert.equal(dedup.claimNow(request(0)).outcome, "duplicate");
    assert.equal(dedup.claimNow(request(0)).outcome, "duplicate");
    assert.equal(send(dedup, 10), undefined);
  });
});
