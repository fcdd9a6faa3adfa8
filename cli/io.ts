import { createReadStream, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Writable } from "node:stream";

export interface Input {
  chunks: AsyncIterable<Buffer>;
  /** The path as given, or "-" for standard input. */
  path: string;
  /** Bytes in the file when known, for progress. */
  size: number | undefined;
}

/** A file by path, or standard input for "-" or no path. Streams; never reads a whole file. */
export function openInput(path: string | undefined): Input {
  if (path === undefined || path === "-") {
    return { chunks: process.stdin, path: "-", size: undefined };
  }
  const stat = statSync(path);
  if (stat.isDirectory()) throw new UsageError(`${path} is a directory, expected a log file`);
  return {
    chunks: createReadStream(path, { highWaterMark: 256 * 1024 }),
    path,
    size: stat.isFile() ? stat.size : undefined,
  };
}

/** The source fields of events read from an input: its absolute path, or "-" for stdin. */
export function fileSource(input: Input): { provider: "file"; path: string } {
  return { provider: "file", path: input.path === "-" ? "-" : resolve(input.path) };
}

/** A mistake in how the command was called: printed without a stack, exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

const FLUSH_CHARS = 64 * 1024;

/**
 * Buffered line output that respects back-pressure, so a slow reader downstream slows us down
 * instead of growing memory.
 */
export class LineWriter {
  readonly #stream: Writable;
  #buffer: string[] = [];
  #bufferedChars = 0;

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  async write(line: string): Promise<void> {
    this.#buffer.push(line, "\n");
    this.#bufferedChars += line.length + 1;
    if (this.#bufferedChars >= FLUSH_CHARS) await this.flush();
  }

  /** A batch of lines: one await for the lot, not one per line. */
  async writeLines(lines: readonly string[]): Promise<void> {
    for (const line of lines) {
      this.#buffer.push(line, "\n");
      this.#bufferedChars += line.length + 1;
    }
    if (this.#bufferedChars >= FLUSH_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const text = this.#buffer.join("");
    this.#buffer = [];
    this.#bufferedChars = 0;
    if (!this.#stream.write(text)) await waitForDrain(this.#stream);
  }

  async end(): Promise<void> {
    await this.flush();
  }
}

function waitForDrain(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      stream.off("drain", done);
      stream.off("error", done);
      stream.off("close", done);
      if (error) reject(error);
      else resolve();
    };
    stream.once("drain", done);
    stream.once("error", done);
    stream.once("close", done);
  });
}

/** A reader that went away (`sentinel produce | head`) ends the program quietly, as Unix tools do. */
export function exitQuietlyOnBrokenPipe(stream: Writable): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}
