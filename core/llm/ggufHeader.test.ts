import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  encodeGguf,
  ggufString,
  ggufStrings,
  ggufUint32,
} from "../../fine-tune/gguf/ggufWriter.js";
import { tinyModelPath } from "../../fine-tune/gguf/testModel.js";
import { InvalidGgufError, readGgufHeader } from "./ggufHeader.js";

const dir = mkdtempSync(join(tmpdir(), "sentinel-gguf-header-"));
let files = 0;

function file(bytes: Uint8Array | string): string {
  const path = join(dir, `model-${files++}.gguf`);
  writeFileSync(path, bytes);
  return path;
}

async function reasonOf(path: string): Promise<string> {
  try {
    await readGgufHeader(path);
  } catch (error) {
    assert.ok(error instanceof InvalidGgufError, String(error));
    assert.ok(error.message.startsWith(`${path} is not a valid GGUF model file: `));
    return error.reason;
  }
  assert.fail(`${path} was accepted`);
}

/** A GGUF header (no tensor data) with the given counts, as a hostile file would declare them. */
function header(version: number, tensorCount: bigint, metadataCount: bigint): Buffer {
  const bytes = Buffer.alloc(24);
  bytes.write("GGUF", 0, "ascii");
  bytes.writeUInt32LE(version, 4);
  bytes.writeBigUInt64LE(tensorCount, 8);
  bytes.writeBigUInt64LE(metadataCount, 16);
  return bytes;
}

describe("readGgufHeader", () => {
  it("reads the tiny generated model: counts, and where its data starts and ends", async () => {
    const path = await tinyModelPath("keyword");
    const found = await readGgufHeader(path);
    assert.equal(found.version, 3);
    assert.ok(found.tensorCount > 0 && found.metadataCount > 0);
    assert.ok(found.dataOffset + found.dataBytes <= found.fileBytes + 32);
  });

  it("refuses 12 bytes of garbage, and 12 bytes that start like a GGUF", async () => {
    assert.equal(await reasonOf(file("hello world!")), 'it starts with "hell", not "GGUF"');
    assert.equal(
      await reasonOf(file(header(3, 1n, 1n).subarray(0, 12))),
      "12 bytes, shorter than a GGUF header (24 bytes)",
    );
    assert.equal(await reasonOf(file("GG")), 'it starts with 2 bytes, not "GGUF"');
  });

  it("refuses the wrong magic and unsupported versions", async () => {
    const wrong = header(3, 0n, 0n);
    wrong.write("GGML", 0, "ascii");
    assert.equal(await reasonOf(file(wrong)), 'it starts with "GGML", not "GGUF"');
    assert.equal(
      await reasonOf(file(header(1, 0n, 0n))),
      "GGUF version 1 (llama.cpp reads versions 2 and 3)",
    );
    assert.match(await reasonOf(file(header(0x03000000, 0n, 0n))), /GGUF version 50331648/);
  });

  it("refuses absurd tensor and metadata counts without trying to read them", async () => {
    assert.equal(
      await reasonOf(file(header(3, 2n ** 62n, 0n))),
      `tensor count is ${2n ** 62n}, more than the 8 bytes left in the file can hold`,
    );
    assert.match(
      await reasonOf(file(header(3, 0n, 10_000_000n))),
      /^metadata count is 10000000, more than the 0 bytes left/,
    );
  });

  it("refuses a truncated model, wherever it is cut", async () => {
    const whole = readFileSync(await tinyModelPath("keyword"));
    const { dataOffset } = await readGgufHeader(await tinyModelPath("keyword"));
    assert.match(
      await reasonOf(file(whole.subarray(0, whole.length - 4096))),
      /^the file is truncated: \d+ bytes, but its tensors need \d+$/,
    );
    assert.match(await reasonOf(file(whole.subarray(0, dataOffset))), /it is truncated/);
    assert.match(await reasonOf(file(whole.subarray(0, 200))), /more than the 184 bytes left/);
    for (let cut = 24; cut < dataOffset; cut += 997) await reasonOf(file(whole.subarray(0, cut)));
  });

  it("refuses metadata lengths that run past the file", async () => {
    const bytes = Buffer.from(
      encodeGguf({ metadata: { "general.name": ggufString("tiny") }, tensors: [] }),
    );
    // The key's u64 length sits right after the 24-byte header.
    bytes.writeBigUInt64LE(2n ** 40n, 24);
    assert.match(await reasonOf(file(bytes)), /^metadata key 0's length is 1099511627776, more/);

    const vocabulary = Buffer.from(
      encodeGguf({ metadata: { tokens: ggufStrings(["a", "b"]) }, tensors: [] }),
    );
    // key length (8) + "tokens" (6) + value type (4) + item type (4), then the array's length.
    vocabulary.writeBigUInt64LE(2n ** 33n, 24 + 8 + 6 + 4 + 4);
    assert.match(await reasonOf(file(vocabulary)), /^metadata tokens's length is 8589934592, more/);
  });

  it("refuses tensors larger than the file, or not where the infos say", async () => {
    const tensor = { name: "w", dims: [8], data: new Float32Array(8) };
    const bytes = Buffer.from(encodeGguf({ metadata: {}, tensors: [tensor] }));
    // name length (8) + "w" (1) + n_dims (4), then ne[0].
    bytes.writeBigUInt64LE(2n ** 40n, 24 + 8 + 1 + 4);
    assert.match(
      await reasonOf(file(bytes)),
      /^tensor w \(1099511627776\) needs more bytes than the whole file has/,
    );

    const misplaced = Buffer.from(encodeGguf({ metadata: {}, tensors: [tensor] }));
    misplaced.writeBigUInt64LE(64n, 24 + 8 + 1 + 4 + 8 + 4);
    assert.match(await reasonOf(file(misplaced)), /^tensor w's data is at offset 64, expected 0$/);

    const oddAlignment = encodeGguf({
      metadata: { "general.alignment": ggufUint32(32) },
      tensors: [tensor],
    });
    assert.equal((await readGgufHeader(file(oddAlignment))).tensorCount, 1);
  });
});
