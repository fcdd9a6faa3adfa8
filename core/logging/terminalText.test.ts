import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { forTerminal, jsonForTerminal, jsonLogLineForTerminal } from "./terminalText.js";

describe("terminal text", () => {
  it("shows control and bidi characters as escapes and keeps newlines", () => {
    assert.equal(
      forTerminal("a\u001b[2J\u0007\u009b\u202e\u2066\u200f\tb\nc"),
      "a\\x1b[2J\\x07\\x9b\\u{202e}\\u{2066}\\u{200f}\\x09b\nc",
    );
    assert.equal(forTerminal("plain → text é"), "plain → text é");
  });

  it("escapes what JSON leaves raw, so the JSON decodes to the same value", () => {
    const value = { msg: "\u009b31m \u202eexe \u007f \u2069" };
    const json = jsonForTerminal(JSON.stringify(value));
    assert.equal(json, '{"msg":"\\u009b31m \\u202eexe \\u007f \\u2069"}');
    assert.deepEqual(JSON.parse(json), value);
  });

  it("makes a JSON log line decode to visible escapes for pino-pretty", () => {
    const line = JSON.stringify({ msg: "x\u001b[2J\u009b\u202e\r\\u001b", stack: "a\n\tb" });
    const decoded = JSON.parse(jsonLogLineForTerminal(line)) as { msg: string; stack: string };
    assert.equal(decoded.msg, "x\\x1b[2J\\x9b\\u{202e}\\r\\u001b");
    assert.equal(decoded.stack, "a\n\tb");
  });
});
