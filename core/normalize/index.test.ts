import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type InputFormat, type ParsedLine, parseLine } from "./index.js";

function ok(text: string, format: InputFormat = "auto"): ParsedLine {
  const result = parseLine(text, format);
  assert.ok(result.ok, result.ok ? "" : result.reason);
  return result.line;
}

function reason(text: string, format: InputFormat): string {
  const result = parseLine(text, format);
  assert.equal(result.ok, false);
  return result.ok ? "" : result.reason;
}

describe("auto detection", () => {
  it("reads a JSON object line by JSON rules", () => {
    const line = ok('  {"level":"error","msg":"boom","service":"api"}');
    assert.deepEqual(line, { message: "boom", level: "error", service: "api", attributes: {} });
  });

  it("treats a broken JSON line as text instead of rejecting it", () => {
    assert.deepEqual(ok('{"level":"error","msg":"cut off'), {
      message: '{"level":"error","msg":"cut off',
      attributes: {},
    });
  });

  it("reads <PRI> lines and syslog files by syslog rules", () => {
    assert.equal(ok("<34>Oct 11 22:14:15 mymachine su[230]: failed")?.service, "su");
    const file = ok("Mar  1 12:00:00 web-1 sshd[1234]: Accepted publickey");
    assert.deepEqual(file.attributes, { host: "web-1", pid: 1234 });
  });

  it("reads logfmt lines by logfmt rules", () => {
    const line = ok(
      'time=2024-03-01T12:00:00Z level=error msg="db timeout" service=api duration=3s',
    );
    assert.equal(line.message, "db timeout");
    assert.deepEqual(line.attributes, { duration: "3s" });
  });

  it("reads everything else as text", () => {
    assert.equal(ok("2024-03-01 12:00:00,123 ERROR [main] com.x.Y - boom").service, "com.x.Y");
    assert.equal(ok("\tat com.foo.Bar(Bar.java:10)").message, "at com.foo.Bar(Bar.java:10)");
    assert.equal(ok("user=alice logged in").message, "user=alice logged in");
    assert.equal(ok("[1, 2, 3]").message, "[1, 2, 3]");
  });

  it("dates year-less syslog times this year, or last year if that is more than a day ahead", () => {
    const now = new Date();
    const tomorrowPlus = new Date(now.getTime() + 3 * 86_400_000);
    const month = tomorrowPlus.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
    const day = String(tomorrowPlus.getUTCDate()).padStart(2, " ");
    const line = ok(`${month} ${day} 00:00:00 web-1 app[1]: future`);
    const expectedYear = tomorrowPlus.getUTCFullYear() - 1;
    assert.equal(line.timestamp?.slice(0, 4), String(expectedYear));
  });
});

describe("forced formats", () => {
  it("json rejects what is not a JSON object, saying why", () => {
    assert.match(reason("plain text", "json"), /^invalid JSON: /);
    assert.match(reason("{broken", "json"), /^invalid JSON: /);
    assert.equal(reason("[1,2]", "json"), "JSON value is an array, expected an object");
    assert.equal(reason("42", "json"), "JSON value is a number, expected an object");
    assert.equal(reason('"x"', "json"), "JSON value is a string, expected an object");
    assert.equal(reason("null", "json"), "JSON value is null, expected an object");
  });

  it("syslog falls back to text rules for lines that are not syslog", () => {
    assert.equal(ok("<13>Mar  1 12:00:00 web-1 app: hi", "syslog").service, "app");
    const fallback = ok("2024-03-01 12:00:00 WARN disk at 91%", "syslog");
    assert.equal(fallback.level, "warn");
    assert.equal(fallback.message, "disk at 91%");
  });

  it("text does not read JSON, logfmt or syslog structure", () => {
    const text = '{"level":"error","msg":"boom"}';
    assert.deepEqual(ok(text, "text"), { message: text, attributes: {} });
    assert.equal(ok("level=error msg=x", "text").level, "error");
  });

  it("rejects empty and blank lines in every format", () => {
    for (const format of ["auto", "json", "text", "syslog"] as const) {
      assert.equal(reason("", format), "empty line");
      assert.equal(reason(" \t \r", format), "empty line");
    }
  });

  it("rejects an unknown format instead of guessing", () => {
    assert.match(reason("x", "yaml" as InputFormat), /unknown input format/);
  });
});

describe("hostile lines", () => {
  const MB = 1_000_000;
  // Flat strings, as a decoder would produce them (repeat() builds ropes that cost a copy first).
  const flat = (text: string) => Buffer.from(text).toString();
  const hostile: Record<string, string> = {
    "spaces between words": `x${" ".repeat(MB)}y`,
    digits: "1".repeat(MB),
    "digits and spaces": "1 ".repeat(MB / 2),
    "ISO time then digits": `2024-03-01T12:00:00.${"1".repeat(MB)}`,
    "open brackets": "[".repeat(MB),
    "open braces": "{".repeat(MB),
    "nested JSON": `${'{"a":'.repeat(MB / 5)}1${"}".repeat(MB / 5)}`,
    "logfmt-ish": "a=".repeat(MB / 2),
    "unterminated quote": `msg="${"x".repeat(MB)}`,
    "PRI then letters": `<34>${"a".repeat(MB)}`,
    "bracketed words": `2024-03-01 12:00:00 ${"[a] ".repeat(MB / 4)}`,
    separators: `2024-03-01 12:00:00 ${"- ".repeat(MB / 2)}`,
    "upper-case letters": "A".repeat(MB),
    "month then spaces": `Mar ${" ".repeat(MB)}`,
    "access log prefix": `a b c [${"0".repeat(MB)}`,
    "structured data": `<165>1 2003-10-11T22:14:15.003Z h a - - [x ${'a="b" '.repeat(MB / 6)}]`,
    "escaped structured data": `<165>1 - h a - - [x a="${'\\"'.repeat(MB / 2)}"]`,
    "escaped logfmt": `level=info msg="${'\\"'.repeat(MB / 2)}"`,
  };
  const lines = Object.entries(hostile).map(([name, text]) => [name, flat(text)] as const);
  // Warm the code paths once with short versions so the timing is of the parse, not the JIT.
  for (const [, text] of lines) {
    for (const format of ["auto", "json", "text", "syslog"] as const) {
      parseLine(text.slice(0, 2000), format);
    }
  }

  /** The fastest of three runs: a busy machine slows some runs, backtracking slows them all. */
  function fastestMs(run: () => void): number {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      run();
      best = Math.min(best, performance.now() - started);
    }
    return best;
  }

  for (const [name, text] of lines) {
    it(`parses a 1 MB line of ${name} without throwing, in a few ms`, () => {
      for (const format of ["auto", "text", "syslog"] as const) {
        const result = parseLine(text, format);
        assert.ok(result.ok, `${format}: ${result.ok ? "" : result.reason}`);
        assert.ok(result.line.message.length > 0);
        const elapsed = fastestMs(() => parseLine(text, format));
        assert.ok(elapsed < 40, `${format} took ${elapsed.toFixed(1)} ms`);
      }
      const elapsed = fastestMs(() => parseLine(text, "json"));
      assert.ok(elapsed < 40, `json took ${elapsed.toFixed(1)} ms`);
    });
  }

  it("rejects a 1 MB line of blanks as empty", () => {
    assert.equal(reason(" ".repeat(MB), "auto"), "empty line");
  });
});
