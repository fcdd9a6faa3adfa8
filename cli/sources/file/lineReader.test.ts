import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LineSplitter, type RawLine, readLines } from "./lineReader.js";

async function collect(chunks: (Buffer | string)[], maxLineBytes = 1024): Promise<RawLine[]> {
  const lines: RawLine[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const batch of readLines(source(), { maxLineBytes })) lines.push(...batch);
  return lines;
}

describe("readLines", () => {
  it("splits on LF and CRLF, across chunk boundaries, keeping a last line without newline", async () => {
    const lines = await collect(["alpha\r\nbe", "ta\n", "\ngam", "ma"]);
    assert.deepEqual(
      lines.map((l) => [l.number, l.text]),
      [
        [1, "alpha"],
        [2, "beta"],
        [3, ""],
        [4, "gamma"],
      ],
    );
  });

  it("cuts a line over the limit, keeps its full size, and holds only the limit in memory", async () => {
    const huge = Buffer.alloc(5 * 1024 * 1024, "x");
    const lines = await collect([huge, huge, "\nnext\n"], 1000);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]?.text.length, 1000);
    assert.equal(lines[0]?.cut, true);
    assert.equal(lines[0]?.byteLength, 10 * 1024 * 1024);
    assert.equal(lines[1]?.text, "next");
  });

  it("does not leave half a character where it cuts", async () => {
    const lines = await collect([`${"a".repeat(9)}é and more\n`], 10);
    assert.equal(lines[0]?.text, "a".repeat(9));
    assert.equal(lines[0]?.repairedUtf8, false);
  });

  it("repairs invalid UTF-8 instead of failing", async () => {
    const bad = Buffer.concat([
      Buffer.from("bad "),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(" bytes\n"),
    ]);
    const [line] = await collect([bad]);
    assert.equal(line?.repairedUtf8, true);
    assert.match(line?.text ?? "", /^bad \ufffd+ bytes$/);
  });

  it("drops a UTF-8 byte order mark at the start", async () => {
    const [line] = await collect([Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69])]);
    assert.equal(line?.text, "hi");
  });

  it("says how far the complete lines reach, and holds an unfinished one until it ends", () => {
    const splitter = new LineSplitter({ maxLineBytes: 1024, linesBefore: 41, atStart: false });
    const lines = splitter.push(Buffer.from("one\r\ntwo\nthr"));
    assert.deepEqual(
      lines.map((l) => [l.number, l.text]),
      [
        [42, "one"],
        [43, "two"],
      ],
    );
    assert.equal(splitter.completeBytes, 9);
    assert.equal(splitter.pendingBytes, 3);
    const next = new LineSplitter({ maxLineBytes: 1024 });
    splitter.carryInto(next);
    assert.equal(splitter.end(), undefined);
    assert.deepEqual(
      next.push(Buffer.from("ee\n")).map((l) => [l.number, l.text]),
      [[1, "three"]],
    );
    assert.equal(next.completeBytes, 3);
  });
});
