import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLogfmtLine, scanLogfmt, startsLikeLogfmt } from "./logfmt.js";

describe("scanLogfmt", () => {
  it("reads bare and quoted values, with escapes", () => {
    const pairs = scanLogfmt('a=1 b="two words" c="say \\"hi\\"\\n" d= flag e=x=y');
    assert.deepEqual(pairs, {
      keys: ["a", "b", "c", "d", "flag", "e"],
      values: ["1", "two words", 'say "hi"\n', "", true, "x=y"],
      bareKeys: 1,
    });
  });

  it("decodes \\u escapes and keeps unknown escapes' characters", () => {
    assert.deepEqual(scanLogfmt('m="caf\\u00e9 \\q"')?.values, ["café q"]);
  });

  it("is not logfmt with an unterminated quote or a quote where a key should be", () => {
    assert.equal(scanLogfmt('msg="never closed'), undefined);
    assert.equal(scanLogfmt('"quoted" a=b'), undefined);
  });

  it("scans a 1 MB value in linear time", () => {
    const started = performance.now();
    const pairs = scanLogfmt(`msg="${'x\\"'.repeat(300_000)}" level=info`);
    assert.equal(pairs?.keys.length, 2);
    assert.ok(performance.now() - started < 100);
  });
});

describe("parseLogfmtLine", () => {
  it("reads logrus/go-kit lines: time, level, msg, service, the rest as attributes", () => {
    const line = parseLogfmtLine(
      'time=2024-03-01T12:00:00Z level=error msg="db timeout" service=api duration=3s',
    );
    assert.deepEqual(line, {
      message: "db timeout",
      timestamp: "2024-03-01T12:00:00.000Z",
      level: "error",
      service: "api",
      attributes: { duration: "3s" },
    });
  });

  it("reads Grafana's t= and logger=", () => {
    const line = parseLogfmtLine(
      'logger=context userId=1 orgId=1 t=2024-03-01T12:00:00.123+00:00 level=info msg="Request Completed" method=GET status=200',
    );
    assert.equal(line?.service, "context");
    assert.equal(line?.timestamp, "2024-03-01T12:00:00.123Z");
    assert.equal(line?.level, "info");
    assert.deepEqual(line?.attributes, { userId: "1", orgId: "1", method: "GET", status: "200" });
  });

  it("accepts a line with level and time but no message, rebuilding the rest as message", () => {
    const line = parseLogfmtLine('ts=1709294400 lvl=warn caller=main.go:42 err="disk full"');
    assert.equal(line?.message, 'caller=main.go:42 err="disk full"');
    assert.equal(line?.level, "warn");
    assert.equal(line?.timestamp, "2024-03-01T12:00:00.000Z");
  });

  it("turns down text with a stray key=value in it", () => {
    assert.equal(parseLogfmtLine("user=alice logged in from the office"), undefined);
    assert.equal(parseLogfmtLine("status=200 took=3ms"), undefined); // no message, level or time
    assert.equal(parseLogfmtLine("msg=hello"), undefined); // one pair is not enough
    assert.equal(parseLogfmtLine("Connection refused"), undefined);
  });

  it("keeps the first of repeated message keys and the others as attributes", () => {
    const line = parseLogfmtLine("msg=first level=info msg=second");
    assert.equal(line?.message, "first");
    assert.deepEqual(line?.attributes, { msg: "second" });
  });

  it("startsLikeLogfmt looks at the first key only", () => {
    assert.equal(startsLikeLogfmt("level=info msg=x"), true);
    assert.equal(startsLikeLogfmt("INFO level=info"), false);
  });
});
