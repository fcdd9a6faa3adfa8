import { writeFile } from "node:fs/promises";

/**
 * A small GGUF v3 writer: metadata key/values (scalars, strings and arrays of them), tensor infos,
 * alignment and F32 tensor data. `encodeGguf` is pure (a file description in, bytes out);
 * `writeGguf` only adds the file write.
 *
 * Layout (little-endian), as llama.cpp's gguf.cpp reads it:
 *   magic "GGUF" | version u32 | tensor count u64 | metadata count u64
 *   metadata: key (u64 length + UTF-8) | value type u32 | value
 *   tensor infos: name | n_dims u32 | ne[0..n_dims) u64 (innermost first) | ggml type u32 | offset u64
 *   padding to `general.alignment` (default 32), then each tensor's data at its aligned offset.
 *
 * @example
 * const bytes = encodeGguf({
 *   metadata: { "general.architecture": ggufString("llama"), "llama.block_count": ggufUint32(1) },
 *   tensors: [{ name: "output_norm.weight", dims: [4], data: new Float32Array([1, 1, 1, 1]) }],
 * });
 */

export const GGUF_MAGIC = "GGUF";
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;
export const GGUF_ALIGNMENT_KEY = "general.alignment";

/** GGUF metadata value type ids (gguf_type in ggml). */
export const GgufType = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

/** ggml tensor type ids this writer can store. */
export const GgmlType = { F32: 0 } as const;

export type GgufNumberType =
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "uint32"
  | "int32"
  | "float32"
  | "float64";
export type GgufBigIntType = "uint64" | "int64";
export type GgufScalarType = GgufNumberType | GgufBigIntType | "bool" | "string";

export type GgufScalar =
  | { type: GgufNumberType; value: number }
  | { type: GgufBigIntType; value: bigint | number }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string };

export type GgufArray =
  | { type: "array"; itemType: GgufNumberType; value: readonly number[] | ArrayLike<number> }
  | { type: "array"; itemType: GgufBigIntType; value: readonly (bigint | number)[] }
  | { type: "array"; itemType: "bool"; value: readonly boolean[] }
  | { type: "array"; itemType: "string"; value: readonly string[] };

export type GgufValue = GgufScalar | GgufArray;

/** Metadata in the order it is written (string keys keep insertion order). */
export type GgufMetadata = Record<string, GgufValue>;

export interface GgufTensor {
  /** e.g. `blk.0.attn_q.weight` */
  name: string;
  /** ggml order: `dims[0]` is the innermost (row) length, e.g. `[n_embd, n_vocab]`. */
  dims: readonly number[];
  /** Row-major data, `product(dims)` values. */
  data: Float32Array;
}

export interface GgufFile {
  metadata: GgufMetadata;
  tensors: readonly GgufTensor[];
}

export class GgufEncodeError extends Error {
  override name = "GgufEncodeError";
}

export const ggufUint32 = (value: number): GgufScalar => ({ type: "uint32", value });
export const ggufInt32 = (value: number): GgufScalar => ({ type: "int32", value });
export const ggufFloat32 = (value: number): GgufScalar => ({ type: "float32", value });
export const ggufUint64 = (value: bigint | number): GgufScalar => ({ type: "uint64", value });
export const ggufBool = (value: boolean): GgufScalar => ({ type: "bool", value });
export const ggufString = (value: string): GgufScalar => ({ type: "string", value });
export const ggufStrings = (value: readonly string[]): GgufArray => ({
  type: "array",
  itemType: "string",
  value,
});
export const ggufInt32s = (value: readonly number[] | Int32Array): GgufArray => ({
  type: "array",
  itemType: "int32",
  value,
});
export const ggufFloat32s = (value: readonly number[] | Float32Array): GgufArray => ({
  type: "array",
  itemType: "float32",
  value,
});

const NUMBER_SIZES: Record<GgufNumberType | GgufBigIntType | "bool", number> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  float64: 8,
  uint64: 8,
  int64: 8,
  bool: 1,
};

/** A growable little-endian byte buffer. */
class ByteSink {
  private bytes = new Uint8Array(4096);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  private reserve(n: number): number {
    const at = this.length;
    if (at + n > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < at + n) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length += n;
    return at;
  }

  raw(data: Uint8Array): void {
    const at = this.reserve(data.length); // before reading this.bytes: reserve may replace it
    this.bytes.set(data, at);
  }

  pad(alignment: number): void {
    const padding = alignUp(this.length, alignment) - this.length;
    this.reserve(padding); // new space is already zero
  }

  scalar(type: GgufNumberType | GgufBigIntType | "bool", value: number | bigint | boolean): void {
    const at = this.reserve(NUMBER_SIZES[type]);
    const v = this.view;
    switch (type) {
      case "uint8":
        v.setUint8(at, checkInt(value, 0, 0xff, type));
        break;
      case "int8":
        v.setInt8(at, checkInt(value, -0x80, 0x7f, type));
        break;
      case "uint16":
        v.setUint16(at, checkInt(value, 0, 0xffff, type), true);
        break;
      case "int16":
        v.setInt16(at, checkInt(value, -0x8000, 0x7fff, type), true);
        break;
      case "uint32":
        v.setUint32(at, checkInt(value, 0, 0xffffffff, type), true);
        break;
      case "int32":
        v.setInt32(at, checkInt(value, -0x80000000, 0x7fffffff, type), true);
        break;
      case "float32":
        v.setFloat32(at, checkNumber(value, type), true);
        break;
      case "float64":
        v.setFloat64(at, checkNumber(value, type), true);
        break;
      case "uint64":
        v.setBigUint64(at, checkBigInt(value, type, false), true);
        break;
      case "int64":
        v.setBigInt64(at, checkBigInt(value, type, true), true);
        break;
      case "bool":
        if (typeof value !== "boolean") throw new GgufEncodeError(`bool expected, got ${value}`);
        v.setUint8(at, value ? 1 : 0);
        break;
    }
  }

  string(value: string): void {
    const utf8 = Buffer.from(value, "utf8");
    this.scalar("uint64", utf8.length);
    this.raw(utf8);
  }

  float32s(values: Float32Array): void {
    const at = this.reserve(values.length * 4);
    for (let i = 0; i < values.length; i++) this.view.setFloat32(at + i * 4, values[i] ?? 0, true);
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

function checkNumber(value: unknown, type: string): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new GgufEncodeError(`${type} expected a number, got ${String(value)}`);
  }
  return value;
}

function checkInt(value: unknown, min: number, max: number, type: string): number {
  const n = checkNumber(value, type);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new GgufEncodeError(`${type} out of range: ${n}`);
  }
  return n;
}

function checkBigInt(value: unknown, type: string, signed: boolean): bigint {
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new GgufEncodeError(`${type} expected an integer, got ${value}`);
  }
  if (typeof value !== "number" && typeof value !== "bigint") {
    throw new GgufEncodeError(`${type} expected an integer, got ${String(value)}`);
  }
  const n = BigInt(value);
  const ok = signed ? BigInt.asIntN(64, n) === n : BigInt.asUintN(64, n) === n;
  if (!ok) throw new GgufEncodeError(`${type} out of range: ${n}`);
  return n;
}

export function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}

function writeValue(sink: ByteSink, key: string, value: GgufValue): void {
  if (value.type === "string") {
    sink.scalar("uint32", GgufType.string);
    sink.string(value.value);
    return;
  }
  if (value.type !== "array") {
    sink.scalar("uint32", GgufType[value.type]);
    sink.scalar(value.type, value.value);
    return;
  }
  sink.scalar("uint32", GgufType.array);
  sink.scalar("uint32", GgufType[value.itemType]);
  sink.scalar("uint64", value.value.length);
  if (value.itemType === "string") {
    for (const item of value.value) {
      if (typeof item !== "string") throw new GgufEncodeError(`${key}: string array item ${item}`);
      sink.string(item);
    }
    return;
  }
  const itemType = value.itemType;
  for (let i = 0; i < value.value.length; i++) {
    sink.scalar(itemType, (value.value as ArrayLike<number | bigint | boolean>)[i] as number);
  }
}

/** The alignment the file declares in `general.alignment`, or the GGUF default. */
export function ggufAlignment(metadata: GgufMetadata): number {
  const declared = metadata[GGUF_ALIGNMENT_KEY];
  if (declared === undefined) return GGUF_DEFAULT_ALIGNMENT;
  if (declared.type !== "uint32") {
    throw new GgufEncodeError(`${GGUF_ALIGNMENT_KEY} must be a uint32`);
  }
  const alignment = declared.value;
  if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
    throw new GgufEncodeError(`${GGUF_ALIGNMENT_KEY} must be a power of two, got ${alignment}`);
  }
  return alignment;
}

function validateTensor(tensor: GgufTensor): void {
  if (tensor.dims.length < 1 || tensor.dims.length > 4) {
    throw new GgufEncodeError(`${tensor.name}: 1 to 4 dims expected, got ${tensor.dims.length}`);
  }
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (tensor.dims.some((d) => !Number.isInteger(d) || d <= 0) || count !== tensor.data.length) {
    throw new GgufEncodeError(
      `${tensor.name}: dims [${tensor.dims.join(", ")}] do not match ${tensor.data.length} values`,
    );
  }
}

/** Encodes a whole GGUF v3 file in memory. */
export function encodeGguf(file: GgufFile): Uint8Array {
  const alignment = ggufAlignment(file.metadata);
  const names = new Set<string>();
  for (const tensor of file.tensors) {
    validateTensor(tensor);
    if (names.has(tensor.name)) throw new GgufEncodeError(`duplicate tensor ${tensor.name}`);
    names.add(tensor.name);
  }

  const sink = new ByteSink();
  sink.raw(Buffer.from(GGUF_MAGIC, "ascii"));
  sink.scalar("uint32", GGUF_VERSION);
  sink.scalar("uint64", file.tensors.length);
  const entries = Object.entries(file.metadata);
  sink.scalar("uint64", entries.length);
  for (const [key, value] of entries) {
    sink.string(key);
    writeValue(sink, key, value);
  }

  let offset = 0;
  for (const tensor of file.tensors) {
    sink.string(tensor.name);
    sink.scalar("uint32", tensor.dims.length);
    for (const dim of tensor.dims) sink.scalar("uint64", dim);
    sink.scalar("uint32", GgmlType.F32);
    sink.scalar("uint64", offset);
    offset = alignUp(offset + tensor.data.length * 4, alignment);
  }

  for (const tensor of file.tensors) {
    sink.pad(alignment);
    sink.float32s(tensor.data);
  }
  sink.pad(alignment);
  return sink.result();
}

/** Encodes `file` and writes it to `path`. */
export async function writeGguf(path: string, file: GgufFile): Promise<void> {
  await writeFile(path, encodeGguf(file));
}
