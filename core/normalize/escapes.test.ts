import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeEscapes, type EscapeRules } from "./escapes.js";

const JSONISH: EscapeRules = {
  codes: new Map([
    [110, 10],
    [34, 34],
    [92, 92],
  ]),
  unicode: true,
  keepUnknownBackslash: false,
};
const STRICT: EscapeRules = {
  codes: new Map([[34, 34]]),
  unicode: false,
  keepUnknownBackslash: true,
};

const decode = (text: string, rules: EscapeRules) => decodeEscapes(text, 0, text.length, rules);

describe("decodeEscapes", () => {
  it("decodes mapped escapes and \\u sequences", () => {
    assert.equal(decode('say \\"hi\\"\\n', JSONISH), 'say "hi"\n');
    assert.equal(decode("caf\\u00e9 \\u00E9", JSONISH), "café é");
    assert.equal(decode("a\\\\b", JSONISH), "a\\b");
  });

  it("drops or keeps the backslash of unknown escapes as the rules say", () => {
    assert.equal(decode("C:\\q", JSONISH), "C:q");
    assert.equal(decode("C:\\q", STRICT), "C:\\q");
    assert.equal(decode("\\u00e9", STRICT), "\\u00e9");
  });

  it("keeps a trailing backslash and a short \\u as they are", () => {
    assert.equal(decode("end\\", JSONISH), "end\\");
    assert.equal(decode("\\u12", JSONISH), "u12");
  });

  it("decodes only the given range", () => {
    assert.equal(decodeEscapes('x"a\\"b"y', 2, 6, JSONISH), 'a"b');
  });

  it("decodes a megabyte of escapes in linear time", () => {
    const text = 'x\\"'.repeat(300_000);
    const started = performance.now();
    const decoded = decode(text, JSONISH);
    assert.equal(decoded.length, 600_000);
    assert.ok(performance.now() - started < 100);
  });
});
