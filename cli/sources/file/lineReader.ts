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
 * A gzip or UTF-16 stream is read as the text it holds (see inputEncoding.ts).
 */
export async function* readLines(
  chunks: AsyncIterable<Buffer | string>,
  options: { maxLineBytes: number },
): AsyncGenerator<RawLine[]> {
  const { maxLineBytes } = options;
  let number = 0;
  let parts: Buffer[] = [];
  let keptBytes = 0;
  let totalBytes = 0;

  const finish = (): RawLine => {
    const bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, keptBytes);
    parts = [];
    const line = decode(bytes, ++number, totalBytes, totalBytes > keptBytes);
    keptBytes = 0;
    totalBytes = 0;
    return line;
  };

  const keep = (piece: Buffer) => {
    totalBytes += piece.length;
    const room = maxLineBytes - keptBytes;
    if (room <= 0) return;
    const kept = piece.length <= room ? piece : piece.subarray(0, room);
    parts.push(kept);
    keptBytes += kept.length;
  };

  for await (const chunk of utf8Chunks(chunks)) {
    const batch: RawLine[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      keep(chunk.subarray(start, end));
      batch.push(finish());
      start = end + 1;
    }
    if (start < chunk.length) keep(chunk.subarray(start));
    if (batch.length > 0) yield batch;
  }
  if (totalBytes > 0) yield [finish()];
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
