import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cleanLine } from "./lineHygiene.js";

describe("cleanLine", () => {
  it("rejects empty and blank lines", () => {
    assert.deepEqual(cleanLine(""), { ok: false, reason: "empty line" });
    assert.deepEqual(cleanLine(" \t "), { ok: false, reason: "empty line" });
  });

  it("rejects binary garbage with the share of unprintable bytes", () => {
    const result = cleanLine("\u0000\u0001\u0002\ufffd\ufffdab");
    assert.equal(result.ok, false);
    assert.match(
      result.ok ? "" : result.reason,
      /^binary data \(71% control or undecodable bytes\)$/,
    );
  });

  it("removes stray control characters from text and keeps it", () => {
    assert.deepEqual(cleanLine("disk full\u0000\u0000 on sda1\u001b"), {
      ok: true,
      text: "disk full on sda1",
      cleaned: true,
    });
    assert.deepEqual(cleanLine("plain\ttext"), { ok: true, text: "plain\ttext", cleaned: false });
  });

  it("removes terminal colour sequences whole", () => {
    assert.deepEqual(cleanLine("\u001b[31mERROR\u001b[0m disk full"), {
      ok: true,
      text: "ERROR disk full",
      cleaned: true,
    });
  });

  it("treats a line of only NUL bytes as binary", () => {
    assert.equal(cleanLine("\u0000".repeat(64)).ok, false);
  });
});
