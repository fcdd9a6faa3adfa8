import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEPTH_LIMIT_MARKER, limitDepth, MAX_ATTRIBUTE_DEPTH, setAttribute } from "./attributes.js";

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

function depthOf(value: unknown): number {
  let depth = 0;
  let current = value;
  while (typeof current === "object" && current !== null) {
    depth++;
    const record = current as Record<string, unknown>;
    current = record.a ?? record[0];
  }
  return depth;
}

describe("limitDepth", () => {
  it("keeps attributes up to the depth limit untouched", () => {
    const attributes = { a: nested(MAX_ATTRIBUTE_DEPTH) };
    const before = JSON.stringify(attributes);
    limitDepth(attributes);
    assert.equal(JSON.stringify(attributes), before);
  });

  it("replaces containers past the limit with the marker", () => {
    const attributes = { a: nested(MAX_ATTRIBUTE_DEPTH + 3) };
    limitDepth(attributes);
    assert.equal(depthOf(attributes.a), MAX_ATTRIBUTE_DEPTH);
    assert.match(JSON.stringify(attributes), /"\[depth limit\]"/);
  });

  it("limits arrays as well as objects", () => {
    let value: unknown = [1];
    for (let i = 0; i < 20; i++) value = [value];
    const attributes: Record<string, unknown> = { list: value };
    limitDepth(attributes);
    assert.equal(depthOf(attributes.list), MAX_ATTRIBUTE_DEPTH);
    assert.ok(JSON.stringify(attributes).includes(DEPTH_LIMIT_MARKER));
  });

  it("copes with nesting far deeper than the stack could recurse", () => {
    let value: Record<string, unknown> = {};
    for (let i = 0; i < 1_000_000; i++) value = { a: value };
    const attributes = { a: value };
    limitDepth(attributes);
    assert.equal(depthOf(attributes.a), MAX_ATTRIBUTE_DEPTH);
  });
});

describe("setAttribute", () => {
  it("stores __proto__ as a plain key instead of changing the prototype", () => {
    const record: Record<string, unknown> = {};
    setAttribute(record, "__proto__", { polluted: true });
    assert.equal(Object.getPrototypeOf(record), Object.prototype);
    assert.deepEqual(Object.keys(record), ["__proto__"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
