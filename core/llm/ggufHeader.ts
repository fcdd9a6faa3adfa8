import { open } from "node:fs/promises";
import { ModelLoadError } from "./errors.js";

/**
 * Checks that a file is a GGUF llama.cpp can read, from its header alone, before llama.cpp or
 * node-llama-cpp see it: node-llama-cpp's reader loops without end (and without bound on memory)
 * on a file that says "GGUF" and then stops, and llama.cpp trusts the counts and sizes it reads.
 * The layout is the one fine-tune/gguf/ggufWriter.ts writes:
 *   magic "GGUF" | version u32 | tensor count u64 | metadata count u64
 *   metadata: key (u64 length + UTF-8) | value type u32 | value
 *   tensor infos: name | n_dims u32 | ne u64 × n_dims | ggml type u32 | offset u64
 *   padding to `general.alignment` (default 32), then the tensors' data.
 * Every count and length is checked against what is left of the file before it is used, so a
 * hostile header can neither make the reader allocate nor loop; only the metadata and tensor
 * infos are read, never the weights.
 *
 * @example
 * const header = await readGgufHeader("/models/qwen2-1.5b-log-classifier-Q4_K_M.gguf");
 * header.tensorCount; // 338
 */

export interface GgufHeader {
  version: number;
  tensorCount: number;
  metadataCount: number;
  /** Where the tensor data starts. */
  dataOffset: number;
  /** Bytes of tensor data the tensor infos describe, padding included. */
  dataBytes: number;
  fileBytes: number;
}

export class InvalidGgufError extends ModelLoadError {
  override name = "InvalidGgufError";
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path} is not a valid GGUF model file: ${reason}`);
  }
}

const MAGIC = 0x46554747; // "GGUF", read little-endian
const SUPPORTED_VERSIONS = new Set([2, 3]);
const DEFAULT_ALIGNMENT = 32;
const MAX_DIMS = 4;
/** llama.cpp's GGML_MAX_NAME, the terminating NUL included. */
const MAX_TENSOR_NAME = 64;
const ARRAY_TYPE = 9;
const STRING_TYPE = 8;
/** Bytes of each metadata value type (gguf_type); strings and arrays are sized as they are read. */
const VALUE_SIZES: Readonly<Record<number, number>> = {
  0: 1, // uint8
  1: 1, // int8
  2: 2, // uint16
  3: 2, // int16
  4: 4, // uint32
  5: 4, // int32
  6: 4, // float32
  7: 1, // bool
  10: 8, // uint64
  11: 8, // int64
  12: 8, // float64
};
/**
 * [bytes per block, values per block] of each ggml tensor type the bundled llama.cpp reads,
 * by type id (ggml_type_size, ggml_blck_size); removed ids are absent.
 */
const TENSOR_TYPES: Readonly<Record<number, readonly [number, number]>> = {
  0: [4, 1], // F32
  1: [2, 1], // F16
  2: [18, 32], // Q4_0
  3: [20, 32], // Q4_1
  6: [22, 32], // Q5_0
  7: [24, 32], // Q5_1
  8: [34, 32], // Q8_0
  9: [36, 32], // Q8_1
  10: [84, 256], // Q2_K
  11: [110, 256], // Q3_K
  12: [144, 256], // Q4_K
  13: [176, 256], // Q5_K
  14: [210, 256], // Q6_K
  15: [292, 256], // Q8_K
  16: [66, 256], // IQ2_XXS
  17: [74, 256], // IQ2_XS
  18: [98, 256], // IQ3_XXS
  19: [50, 256], // IQ1_S
  20: [18, 32], // IQ4_NL
  21: [110, 256], // IQ3_S
  22: [82, 256], // IQ2_S
  23: [136, 256], // IQ4_XS
  24: [1, 1], // I8
  25: [2, 1], // I16
  26: [4, 1], // I32
  27: [8, 1], // I64
  28: [8, 1], // F64
  29: [56, 256], // IQ1_M
  30: [2, 1], // BF16
  34: [54, 256], // TQ1_0
  35: [66, 256], // TQ2_0
  39: [17, 32], // MXFP4
  40: [36, 64], // NVFP4
  41: [18, 128], // Q1_0
  42: [18, 64], // Q2_0
};

/** Reads and checks the header of the GGUF file at `path`; throws InvalidGgufError naming it. */
export async function readGgufHeader(path: string): Promise<GgufHeader> {
  const file = await open(path, "r");
  try {
    const fileBytes = (await file.stat()).size;
    const reader = new HeaderReader(path, fileBytes, (buffer, position) =>
      file.read(buffer, 0, buffer.length, position).then(({ bytesRead }) => bytesRead),
    );
    return await parseHeader(reader, fileBytes);
  } finally {
    await file.close();
  }
}

async function parseHeader(reader: HeaderReader, fileBytes: number): Promise<GgufHeader> {
  const magic = fileBytes < 4 ? undefined : await reader.u32();
  if (magic !== MAGIC) {
    const bytes = Buffer.alloc(4);
    if (magic !== undefined) bytes.writeUInt32LE(magic);
    const start =
      magic === undefined ? `${fileBytes} bytes` : JSON.stringify(bytes.toString("latin1"));
    reader.fail(`it starts with ${start}, not "GGUF"`);
  }
  if (fileBytes < 24) reader.fail(`${fileBytes} bytes, shorter than a GGUF header (24 bytes)`);
  const version = await reader.u32();
  if (!SUPPORTED_VERSIONS.has(version)) {
    reader.fail(`GGUF version ${version} (llama.cpp reads versions 2 and 3)`);
  }
  const tensorCount = await reader.count("tensor count", 4 + 8 + 4 + 8 + 8);
  const metadataCount = await reader.count("metadata count", 8 + 4 + 1);

  let alignment = DEFAULT_ALIGNMENT;
  for (let i = 0; i < metadataCount; i++) {
    const key = await reader.string(`metadata key ${i}`);
    const type = await reader.u32();
    if (key === "general.alignment") {
      if (type !== 4) reader.fail("general.alignment is not a uint32");
      alignment = await reader.u32();
      if (alignment === 0 || (alignment & (alignment - 1)) !== 0)
        reader.fail(`general.alignment ${alignment} is not a power of two`);
      continue;
    }
    await skipValue(reader, key, type);
  }

  const names = new Set<string>();
  let dataBytes = 0;
  /** Where the last tensor's data ends, its padding not included. */
  let dataEnd = 0;
  for (let i = 0; i < tensorCount; i++) {
    const name = await reader.string(`tensor ${i}'s name`);
    if (Buffer.byteLength(name) >= MAX_TENSOR_NAME)
      reader.fail(`tensor ${i}'s name is ${Buffer.byteLength(name)} bytes long`);
    if (names.has(name)) reader.fail(`tensor ${name} appears twice`);
    names.add(name);
    const dims = await reader.u32();
    if (dims < 1 || dims > MAX_DIMS) reader.fail(`tensor ${name} has ${dims} dimensions`);
    const shape: number[] = [];
    for (let d = 0; d < dims; d++) shape.push(await reader.u64(`tensor ${name}'s dimension`));
    const type = await reader.u32();
    const sizes = TENSOR_TYPES[type];
    if (sizes === undefined) reader.fail(`tensor ${name} has unknown ggml type ${type}`);
    const [blockBytes, blockValues] = sizes;
    if ((shape[0] as number) % blockValues !== 0)
      reader.fail(`tensor ${name}'s rows are not whole blocks of its type`);
    const offset = await reader.u64(`tensor ${name}'s offset`);
    if (offset !== dataBytes)
      reader.fail(`tensor ${name}'s data is at offset ${offset}, expected ${dataBytes}`);
    const values = shape.reduce((product, n) => product * n, 1);
    const bytes = (values / blockValues) * blockBytes;
    if (!Number.isSafeInteger(bytes) || bytes > fileBytes)
      reader.fail(
        `tensor ${name} (${shape.join(" × ")}) needs more bytes than the whole file has: it is truncated or corrupt`,
      );
    dataEnd = offset + bytes;
    dataBytes = alignUp(dataEnd, alignment);
  }

  const dataOffset = alignUp(reader.position, alignment);
  if (dataOffset + dataEnd > fileBytes) {
    reader.fail(
      `the file is truncated: ${fileBytes} bytes, but its tensors need ${dataOffset + dataEnd}`,
    );
  }
  return { version, tensorCount, metadataCount, dataOffset, dataBytes, fileBytes };
}

async function skipValue(reader: HeaderReader, key: string, type: number): Promise<void> {
  if (type === STRING_TYPE) {
    await reader.skipString(`metadata ${key}`);
    return;
  }
  if (type === ARRAY_TYPE) {
    const itemType = await reader.u32();
    const itemBytes = itemType === STRING_TYPE ? 8 : VALUE_SIZES[itemType];
    if (itemBytes === undefined)
      reader.fail(`metadata ${key} is an array of unknown type ${itemType}`);
    const length = await reader.count(`metadata ${key}'s length`, itemBytes);
    if (itemType === STRING_TYPE) {
      for (let i = 0; i < length; i++) await reader.skipString(`metadata ${key}[${i}]`);
    } else {
      await reader.skip(length * itemBytes, `metadata ${key}`);
    }
    return;
  }
  const size = VALUE_SIZES[type];
  if (size === undefined) reader.fail(`metadata ${key} has unknown type ${type}`);
  await reader.skip(size, `metadata ${key}`);
}

function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}

/** Sequential little-endian reads through a 1 MiB window, never past the file's end. */
class HeaderReader {
  position = 0;
  #window = Buffer.alloc(0);
  #windowStart = 0;

  constructor(
    readonly path: string,
    readonly fileBytes: number,
    readonly readAt: (buffer: Buffer, position: number) => Promise<number>,
  ) {}

  fail(reason: string): never {
    throw new InvalidGgufError(this.path, reason);
  }

  /** `n` bytes at the position, which then moves past them. */
  async take(n: number, what: string): Promise<Buffer> {
    if (this.position + n > this.fileBytes)
      this.fail(`the file ends inside ${what} (at byte ${this.position} of ${this.fileBytes})`);
    const end = this.position + n;
    if (this.position < this.#windowStart || end > this.#windowStart + this.#window.length) {
      const size = Math.min(Math.max(n, 1 << 20), this.fileBytes - this.position);
      const window = Buffer.alloc(size);
      const read = await this.readAt(window, this.position);
      this.#window = window.subarray(0, read);
      this.#windowStart = this.position;
      if (read < n) this.fail(`the file ends inside ${what}`);
    }
    const start = this.position - this.#windowStart;
    this.position = end;
    return this.#window.subarray(start, start + n);
  }

  async u32(): Promise<number> {
    return (await this.take(4, "the header")).readUInt32LE(0);
  }

  async u64(what: string): Promise<number> {
    const value = (await this.take(8, what)).readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} is ${value}`);
    return Number(value);
  }

  /** A u64 count of items of at least `minItemBytes` each, which must fit in the rest of the file. */
  async count(what: string, minItemBytes: number): Promise<number> {
    const value = (await this.take(8, what)).readBigUInt64LE(0);
    const left = this.fileBytes - this.position;
    if (value * BigInt(minItemBytes) > BigInt(left))
      this.fail(`${what} is ${value}, more than the ${left} bytes left in the file can hold`);
    return Number(value);
  }

  async skip(n: number, what: string): Promise<void> {
    if (this.position + n > this.fileBytes) this.fail(`the file ends inside ${what}`);
    this.position += n;
  }

  async string(what: string): Promise<string> {
    const length = await this.count(`${what}'s length`, 1);
    return (await this.take(length, what)).toString("utf8");
  }

  async skipString(what: string): Promise<void> {
    const length = await this.count(`${what}'s length`, 1);
    await this.skip(length, what);
  }
}
