import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { InputDecodingError, sniffEncoding } from "./inputEncoding.js";
import { readLines } from "./lineReader.js";

const TEXT = "ERROR disk full on /dev/sda1\nINFO café served in 12 ms\nWARN last line";
const LINES = TEXT.split("\n");

async function linesOf(bytes: Buffer, chunkSize = bytes.length): Promise<string[]> {
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const out: string[] = [];
  for await (const batch of readLines(chunks(), { maxLineBytes: 1 << 20 })) {
    for (const line of batch) out.push(line.text);
  }
  return out;
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, "utf16le");
  return le.swap16();
}

// Without a byte order mark, UTF-16 is told from the first read (a file's is 256 KiB).
const UNMARKED = new Set(["UTF-16 LE without a mark", "UTF-16 BE without a mark"]);

const INPUTS: [name: string, bytes: Buffer][] = [
  ["UTF-8", Buffer.from(TEXT)],
  ["UTF-8 with a byte order mark", Buffer.from(`\uFEFF${TEXT}`)],
  ["gzip", gzipSync(TEXT)],
  ["gzip of gzip", gzipSync(gzipSync(TEXT))],
  [
    "two gzip members (a concatenated rotation)",
    Buffer.concat([gzipSync(`${LINES[0]}\n`), gzipSync(LINES.slice(1).join("\n"))]),
  ],
  ["UTF-16 LE with a byte order mark", Buffer.from(`\uFEFF${TEXT}`, "utf16le")],
  ["UTF-16 BE with a byte order mark", utf16be(`\uFEFF${TEXT}`)],
  ["UTF-16 LE without a mark", Buffer.from(TEXT, "utf16le")],
  ["UTF-16 BE without a mark", utf16be(TEXT)],
  ["gzip of UTF-16", gzipSync(Buffer.from(`\uFEFF${TEXT}`, "utf16le"))],
];

describe("inputs that are not plain UTF-8", () => {
  for (const [name, bytes] of INPUTS) {
    it(`reads ${name} as the text it holds, however the chunks fall`, async () => {
      assert.deepEqual(await linesOf(bytes), LINES);
      if (UNMARKED.has(name)) return;
      assert.deepEqual(await linesOf(bytes, 1), LINES, "one byte at a time");
      assert.deepEqual(await linesOf(bytes, 3), LINES, "chunks that split code units");
    });
  }

  it("reads what a gzip cut short holds", async () => {
    const big = Array.from({ length: 2000 }, (_, i) => `INFO line ${i}`).join("\n");
    const gz = gzipSync(big);
    const lines = await linesOf(gz.subarray(0, Math.floor(gz.length / 2)));
    assert.ok(lines.length > 100, `${lines.length} lines`);
    assert.deepEqual(lines.slice(0, -1), big.split("\n").slice(0, lines.length - 1));
  });

  it("fails clearly on a file that starts like gzip but is not", async () => {
    await assert.rejects(
      linesOf(Buffer.from("\u001f\u008bnot gzip at all\n", "latin1")),
      (error: Error) =>
        error instanceof InputDecodingError && /starts like a gzip file/.test(error.message),
    );
  });

  it("leaves text with a few NUL bytes to the line hygiene", () => {
    assert.equal(sniffEncoding(Buffer.from("disk\u0000 full on /dev/sda1\n")), "utf-8");
    assert.equal(sniffEncoding(Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 7, 8, 10])), "utf-8");
    assert.equal(sniffEncoding(Buffer.from("")), "utf-8");
  });
});
