import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HttpError } from "./errors.js";
import { formatPath, parseClassifyRequest } from "./validation.js";

const limits = {
  maxBatchSize: 10,
  maxMessageBytes: 64,
  now: () => new Date("2026-03-01T12:00:00.000Z"),
};

const event = {
  timestamp: "2026-03-01T10:00:00+01:00",
  source: { provider: "aws", logGroup: "/aws/lambda/pay", region: "eu-west-1" },
  service: "pay",
  level: "error",
  message: "payment declined",
};

function problemsOf(body: unknown): string[] {
  try {
    parseClassifyRequest(body, limits);
  } catch (error) {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 400);
    return error.options.problems ?? [];
  }
  assert.fail("expected an HttpError");
}

describe("parseClassifyRequest", () => {
  it("fills in id, ingestedAt and attributes, keeping provider fields", () => {
    const [parsed] = parseClassifyRequest({ events: [event] }, limits);
    assert.deepEqual(parsed, {
      ...event,
      id: parsed?.id,
      ingestedAt: "2026-03-01T12:00:00.000Z",
      attributes: {},
    });
    assert.match(parsed?.id ?? "", /^[0-9a-f]{32}$/);
  });

  it("derives the same id from the same content, whatever the source's key order", () => {
    const reordered = {
      ...event,
      source: { region: "eu-west-1", provider: "aws", logGroup: "/aws/lambda/pay" },
    };
    const [a] = parseClassifyRequest({ events: [event] }, limits);
    const [b] = parseClassifyRequest({ events: [reordered] }, limits);
    const [c] = parseClassifyRequest(
      { events: [{ ...event, message: "payment accepted" }] },
      limits,
    );
    assert.equal(a?.id, b?.id);
    assert.notEqual(a?.id, c?.id);
  });

  it("keeps what the producer sent", () => {
    const full = {
      ...event,
      id: "cw-123",
      ingestedAt: "2026-03-01T09:00:01Z",
      attributes: { requestId: "r-1" },
    };
    const [parsed] = parseClassifyRequest({ events: [full] }, limits);
    assert.equal(parsed?.id, "cw-123");
    assert.equal(parsed?.ingestedAt, "2026-03-01T09:00:01Z");
    assert.deepEqual(parsed?.attributes, { requestId: "r-1" });
  });

  it("cuts a long message and says so", () => {
    const [parsed] = parseClassifyRequest(
      { events: [{ ...event, message: "é".repeat(100) }] },
      limits,
    );
    assert.equal(parsed?.message, "é".repeat(32));
    assert.equal(parsed?.truncated, true);
    assert.equal(parsed?.originalBytes, 200);
  });

  it("drops fields outside the contract", () => {
    const [parsed] = parseClassifyRequest(
      { events: [{ ...event, classification: { label: "normal" } }] },
      limits,
    );
    assert.equal("classification" in (parsed ?? {}), false);
  });

  it("lists problems with their paths, the first five and a count of the rest", () => {
    assert.deepEqual(problemsOf({ events: [event, { ...event, message: null }] }), [
      "events[1].message: expected string, got null",
    ]);
    assert.deepEqual(problemsOf({ events: [{}] }), [
      "events[0].timestamp: missing (expected string)",
      "events[0].source: missing (expected object)",
      "events[0].service: missing (expected string)",
      "events[0].message: missing (expected string)",
    ]);
    const many = problemsOf({ events: Array.from({ length: 3 }, () => ({})) });
    assert.equal(many.length, 6);
    assert.equal(many[5], "… and 7 more");
    assert.deepEqual(problemsOf({ events: [{ ...event, attributes: "x" }] }), [
      "events[0].attributes: expected record, got string",
    ]);
  });

  it("refuses a batch over the limit with 413 before validating it", () => {
    assert.throws(
      () => parseClassifyRequest({ events: new Array(11).fill("not an event") }, limits),
      (error: unknown) => error instanceof HttpError && error.status === 413,
    );
  });
});

describe("formatPath", () => {
  it("writes paths the way a JavaScript reader expects", () => {
    assert.equal(formatPath(["events", 3, "message"]), "events[3].message");
    assert.equal(formatPath(["events", 0, "source", "odd key"]), 'events[0].source["odd key"]');
    assert.equal(formatPath([]), "body");
  });
});
