import { closeSync, openSync, readSync } from "node:fs";
import { Readable } from "node:stream";
import { constants, createGunzip } from "node:zlib";

/**
 * What a log input turned out to be, from its first bytes. A rotated `app.log.1.gz` or a log
 * saved by a Windows tool in UTF-16 is read as the text it holds instead of as garbage lines.
 */
export type InputEncoding = "utf-8" | "gzip" | "utf-16le" | "utf-16be";

/** A gzip input that does not decompress. */
export class InputDecodingError extends Error {
  override name = "InputDecodingError";
}

/** Bytes looked at to tell UTF-16 without a byte order mark from text. */
const SNIFF_BYTES = 4096;
/** gzip inside gzip is unwrapped this many times at most. */
const MAX_GZIP_LAYERS = 2;

/**
 * The encoding `head` (the input's first bytes) shows: the gzip magic `1F 8B`, a UTF-16 byte
 * order mark (`FF FE`, `FE FF`), or, without a mark, the NUL in every other byte that ASCII-range
 * text has in UTF-16. Anything else is UTF-8 (invalid sequences are repaired line by line).
 */
export function sniffEncoding(head: Uint8Array): InputEncoding {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  const pairs = Math.floor(Math.min(head.length, SNIFF_BYTES) / 2);
  if (pairs < 4) return "utf-8";
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenNul++;
    if (head[2 * i + 1] === 0) oddNul++;
  }
  // Mostly NUL on one side and mostly not on the other: one byte of every UTF-16 code unit.
  if (oddNul >= 0.8 * pairs && evenNul <= 0.1 * pairs) return "utf-16le";
  if (evenNul >= 0.8 * pairs && oddNul <= 0.1 * pairs) return "utf-16be";
  return "utf-8";
}

/** The encoding of the file at `path` from its first bytes; undefined when it cannot be read. */
export function fileEncoding(path: string): InputEncoding | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const head = Buffer.alloc(SNIFF_BYTES);
    return sniffEncoding(head.subarray(0, readSync(fd, head, 0, SNIFF_BYTES, 0)));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The input's bytes as UTF-8: gzip is decompressed (a gzip cut short yields what it holds), UTF-16
 * is transcoded, a UTF-8 byte order mark is dropped, anything else passes through untouched.
 * Decided once, from the first bytes.
 */
export async function* utf8Chunks(
  chunks: AsyncIterable<Buffer | string>,
  layers = 0,
): AsyncGenerator<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  // Three bytes tell the magic numbers and byte order marks. Without a mark, UTF-16 is told by
  // what the first reads hold (a file's first read is 256 KiB), so a followed file that starts
  // with a short line is not kept waiting for more.
  while (headBytes < 3) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    headBytes += chunk.length;
  }
  let first = Buffer.concat(head);
  const rest = ended ? emptyIterable() : iteratorRest(iterator);
  const encoding = sniffEncoding(first);
  if (encoding === "utf-8" || (encoding === "gzip" && layers >= MAX_GZIP_LAYERS)) {
    if (first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf) first = first.subarray(3);
    if (first.length > 0) yield first;
    yield* rest;
  } else if (encoding === "gzip") {
    yield* utf8Chunks(gunzip(first, rest), layers + 1);
  } else {
    yield* transcodeUtf16(first, rest, encoding);
  }
}

async function* gunzip(first: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  async function* all() {
    yield first;
    yield* rest;
  }
  // Z_SYNC_FLUSH at the end: a file cut short (still being written, or truncated) gives what it
  // holds instead of "unexpected end of file".
  const stream = Readable.from(all()).pipe(createGunzip({ finishFlush: constants.Z_SYNC_FLUSH }));
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw new InputDecodingError(
      `the input starts like a gzip file but does not decompress: ${(error as Error).message}`,
    );
  }
}

async function* transcodeUtf16(
  first: Buffer,
  rest: AsyncIterable<Buffer>,
  encoding: "utf-16le" | "utf-16be",
): AsyncGenerator<Buffer> {
  // Consumes the byte order mark; a code unit split between chunks is carried over.
  const decoder = new TextDecoder(encoding);
  yield Buffer.from(decoder.decode(first, { stream: true }), "utf8");
  for await (const chunk of rest) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield Buffer.from(text, "utf8");
  }
  const tail = decoder.decode();
  if (tail.length > 0) yield Buffer.from(tail, "utf8");
}

async function* iteratorRest(iterator: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer> {
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield typeof next.value === "string" ? Buffer.from(next.value) : next.value;
    }
  } finally {
    await iterator.return?.();
  }
}

async function* emptyIterable(): AsyncGenerator<Buffer> {}
