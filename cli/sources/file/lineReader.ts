import { isUtf8 } from "node:buffer";
import { utf8Chunks } from "./inputEncoding.js";

/** One input line, decoded. */
export interface RawLine {
  /** 1-based line number in the input. */
  number: number;
  /** The decoded text without its line ending; at most `maxLineBytes` of the original. */
  text: string;
  /** Size of the whole original line in bytes, line ending excluded. */
  byteLength: number;
  /** The line was longer than `maxLineBytes` and `text` holds only its start. */
  cut: boolean;
  /** The bytes were not valid UTF-8; invalid sequences became U+FFFD. */
  repairedUtf8: boolean;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into decoded lines, in batches (one per chunk) to keep per-line overhead low.
 * Never holds more than `maxLineBytes` of a single line in memory, however long the line is.
 * A gzip or UTF-16 stream is read as the text it holds (see inputEncoding.ts). A last line
 * without a newline is a line at the end of the input.
 */
export async function* readLines(
  chunks: AsyncIterable<Buffer | string>,
  options: { maxLineBytes: number },
): AsyncGenerator<RawLine[]> {
  const splitter = new LineSplitter(options);
  for await (const input of utf8Chunks(chunks)) {
    const batch = splitter.push(typeof input === "string" ? Buffer.from(input) : input);
    if (batch.length > 0) yield batch;
  }
  const last = splitter.end();
  if (last) yield [last];
}

export interface LineSplitterOptions {
  maxLineBytes: number;
  /** Lines before the first byte pushed (when resuming inside a file); numbering goes on from it. */
  linesBefore?: number;
  /** The first byte pushed is the start of the input, where a byte order mark is dropped (default). */
  atStart?: boolean;
}

/**
 * The line splitting of readLines, for a caller that pushes chunks itself and needs to know how far
 * the complete lines reach (a followed file's position) and what is left of an unfinished line.
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  #number: number;
  #parts: Buffer[] = [];
  #keptBytes = 0;
  #totalBytes = 0;
  #first: boolean;
  #consumed = 0;
  #complete = 0;

  constructor(options: LineSplitterOptions) {
    this.#maxLineBytes = options.maxLineBytes;
    this.#number = options.linesBefore ?? 0;
    this.#first = options.atStart ?? true;
  }

  /** Lines produced so far, counting `linesBefore`. */
  get lines(): number {
    return this.#number;
  }

  /** Bytes pushed up to and including the last newline: where the next run would start. */
  get completeBytes(): number {
    return this.#complete;
  }

  /** Bytes of the unfinished line held (pushed after the last newline). */
  get pendingBytes(): number {
    return this.#totalBytes;
  }

  push(input: Buffer): RawLine[] {
    let chunk = input;
    this.#consumed += chunk.length;
    if (this.#first && chunk.length > 0) {
      this.#first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    const batch: RawLine[] = [];
    let start = 0;
    let last = -1;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      this.#keep(chunk.subarray(start, end));
      batch.push(this.#finish());
      start = end + 1;
      last = end;
    }
    if (last !== -1) this.#complete = this.#consumed - (chunk.length - last - 1);
    if (start < chunk.length) this.#keep(chunk.subarray(start));
    return batch;
  }

  /** The unfinished last line as a line, at a true end of the input (or undefined). */
  end(): RawLine | undefined {
    if (this.#totalBytes === 0) return undefined;
    const line = this.#finish();
    this.#complete = this.#consumed;
    return line;
  }

  /**
   * Hands the unfinished line to `next`, which goes on with it: the rest of a line a writer split
   * across a truncation arrives at the start of the truncated file.
   */
  carryInto(next: LineSplitter): void {
    next.#parts = this.#parts;
    next.#keptBytes = this.#keptBytes;
    next.#totalBytes = this.#totalBytes;
    this.#parts = [];
    this.#keptBytes = 0;
    this.#totalBytes = 0;
  }

  #finish(): RawLine {
    const parts = this.#parts;
    const bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, this.#keptBytes);
    this.#parts = [];
    const line = decode(
      bytes,
      ++this.#number,
      this.#totalBytes,
      this.#totalBytes > this.#keptBytes,
    );
    this.#keptBytes = 0;
    this.#totalBytes = 0;
    return line;
  }

  #keep(piece: Buffer): void {
    this.#totalBytes += piece.length;
    const room = this.#maxLineBytes - this.#keptBytes;
    if (room <= 0) return;
    const kept = piece.length <= room ? piece : piece.subarray(0, room);
    this.#parts.push(kept);
    this.#keptBytes += kept.length;
  }
}

function decode(bytes: Buffer, number: number, originalBytes: number, cut: boolean): RawLine {
  let end = bytes.length;
  if (!cut && end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end--;
  if (cut) end = utf8Boundary(bytes, end);
  const body = bytes.subarray(0, end);
  const byteLength = cut ? originalBytes : originalBytes - (bytes.length - end);
  return {
    number,
    text: body.toString("utf8"),
    byteLength,
    cut,
    repairedUtf8: !isUtf8(body),
  };
}

/** Steps back over a multi-byte character that a cut split, so the cut does not look invalid. */
function utf8Boundary(bytes: Buffer, end: number): number {
  let start = end;
  while (start > 0 && start > end - 4 && ((bytes[start - 1] as number) & 0xc0) === 0x80) start--;
  if (start > 0) {
    const lead = bytes[start - 1] as number;
    const width = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (width > 1 && end - (start - 1) < width) return start - 1;
  }
  return end;
}
