import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readGgufFileInfo } from "node-llama-cpp";
import {
  encodeGguf,
  GgufEncodeError,
  type GgufFile,
  ggufBool,
  ggufFloat32,
  ggufFloat32s,
  ggufInt32,
  ggufInt32s,
  ggufString,
  ggufStrings,
  ggufUint32,
  ggufUint64,
  writeGguf,
} from "./ggufWriter.js";

// node-llama-cpp's own GGUF reader (pure TypeScript) is the independent check of the encoding.

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "gguf-writer-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sample = (alignment?: number): GgufFile => ({
  metadata: {
    "general.architecture": ggufString("llama"),
    ...(alignment === undefined ? {} : { "general.alignment": ggufUint32(alignment) }),
    "test.u8": { type: "uint8", value: 255 },
    "test.i8": { type: "int8", value: -128 },
    "test.u16": { type: "uint16", value: 65535 },
    "test.i16": { type: "int16", value: -32768 },
    "test.u32": ggufUint32(4_000_000_000),
    "test.i32": ggufInt32(-5),
    "test.u64": ggufUint64(2n ** 40n),
    "test.i64": { type: "int64", value: -(2n ** 40n) },
    "test.f32": ggufFloat32(0.5),
    "test.f64": { type: "float64", value: Math.PI },
    "test.bool": ggufBool(true),
    "test.text": ggufString("héllo ✓"),
    "test.strings": ggufStrings(["a", "", "Ġword", "<|im_end|>"]),
    "test.ints": ggufInt32s([1, -2, 3]),
    "test.floats": ggufFloat32s(new Float32Array([0.25, -1])),
    "test.flags": { type: "array", itemType: "bool", value: [true, false] },
  },
  tensors: [
    { name: "a.weight", dims: [3], data: new Float32Array([1, 2, 3]) },
    { name: "b.weight", dims: [2, 3], data: Float32Array.from({ length: 6 }, (_, i) => i / 2) },
  ],
});

async function roundTrip(file: GgufFile, name: string) {
  const path = join(dir, name);
  await writeGguf(path, file);
  const info = await readGgufFileInfo(path, { logWarnings: false });
  return { info, bytes: await readFile(path) };
}

describe("ggufWriter", () => {
  test("writes a GGUF v3 header with the tensor and key/value counts", () => {
    const bytes = Buffer.from(encodeGguf(sample()));
    assert.equal(bytes.subarray(0, 4).toString("ascii"), "GGUF");
    assert.equal(bytes.readUInt32LE(4), 3);
    assert.equal(bytes.readBigUInt64LE(8), 2n);
    assert.equal(bytes.readBigUInt64LE(16), BigInt(Object.keys(sample().metadata).length));
  });

  test("every scalar and array type reads back through node-llama-cpp's GGUF parser", async () => {
    const { info } = await roundTrip(sample(), "types.gguf");
    assert.equal(info.version, 3);
    const t = (info.metadata as unknown as { test: Record<string, unknown> }).test;
    assert.equal(t.u8, 255);
    assert.equal(t.i8, -128);
    assert.equal(t.u16, 65535);
    assert.equal(t.i16, -32768);
    assert.equal(t.u32, 4_000_000_000);
    assert.equal(t.i32, -5);
    assert.equal(BigInt(t.u64 as number), 2n ** 40n);
    assert.equal(BigInt(t.i64 as number), -(2n ** 40n));
    assert.equal(t.f32, 0.5);
    assert.equal(t.f64, Math.PI);
    assert.equal(t.bool, true);
    assert.equal(t.text, "héllo ✓");
    assert.deepEqual(t.strings, ["a", "", "Ġword", "<|im_end|>"]);
    assert.deepEqual(t.ints, [1, -2, 3]);
    assert.deepEqual(t.floats, [0.25, -1]);
    assert.deepEqual(t.flags, [true, false]);
  });

  for (const alignment of [undefined, 64]) {
    test(`places tensor data at offsets aligned to ${alignment ?? "the default 32"}`, async () => {
      const { info, bytes } = await roundTrip(sample(alignment), `aligned-${alignment}.gguf`);
      const expected = alignment ?? 32;
      const tensors = info.tensorInfo ?? [];
      assert.deepEqual(
        tensors.map((t) => [t.name, t.dimensions.map(Number), t.ggmlType, Number(t.offset)]),
        [
          ["a.weight", [3], 0, 0],
          ["b.weight", [2, 3], 0, expected],
        ],
      );
      for (const tensor of tensors) {
        const at = Number(tensor.fileOffset);
        assert.equal(at % expected, 0);
        const count = tensor.dimensions.map(Number).reduce((a, b) => a * b, 1);
        const values = Array.from({ length: count }, (_, i) => bytes.readFloatLE(at + i * 4));
        assert.deepEqual(
          values,
          Array.from(tensor.name === "a.weight" ? [1, 2, 3] : [0, 0.5, 1, 1.5, 2, 2.5]),
        );
      }
      assert.equal(bytes.length % expected, 0);
    });
  }

  test("rejects inconsistent input instead of writing a broken file", () => {
    const bad = (change: (file: GgufFile) => void) => {
      const file = sample();
      change(file);
      return () => encodeGguf(file);
    };
    assert.throws(
      bad((f) => {
        f.tensors = [{ name: "x", dims: [2, 2], data: new Float32Array(3) }];
      }),
      GgufEncodeError,
    );
    assert.throws(
      bad((f) => {
        f.tensors = [
          { name: "x", dims: [1], data: new Float32Array(1) },
          { name: "x", dims: [1], data: new Float32Array(1) },
        ];
      }),
      /duplicate tensor x/,
    );
    assert.throws(
      bad((f) => {
        f.metadata["general.alignment"] = ggufUint32(24);
      }),
      /power of two/,
    );
    assert.throws(
      bad((f) => {
        f.metadata["test.u8"] = { type: "uint8", value: 256 };
      }),
      /uint8 out of range/,
    );
    assert.throws(
      bad((f) => {
        f.metadata["test.i32"] = ggufInt32(1.5);
      }),
      /int32 out of range/,
    );
  });
});
