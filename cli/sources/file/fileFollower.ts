import { createHash } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { type FileHandle, open, readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { contentId } from "../../../core/events/ids.js";
import { LineSplitter, type RawLine } from "./lineReader.js";

/** How many of a file's first bytes identify it (a reused inode, a truncated and rewritten file). */
const HEAD_BYTES = 1024;
/** Without --from-start, following starts after the last newline found this far back. */
const LAST_LINE_SEARCH_BYTES = 1024 * 1024;

/**
 * Where following a file stopped, saved between runs: the file (device, inode, and a fingerprint of
 * its first bytes, since an inode is reused once its file is deleted) and how far its complete
 * lines were handed on.
 */
export interface FilePosition {
  dev: number;
  ino: number;
  /** Bytes of complete lines handed on; the next run reads from here. */
  offset: number;
  /** Lines before `offset`, so line numbers (and so event ids) are the same on every run. */
  line: number;
  /** sha256 of the file's first `bytes` bytes (at most 1024). */
  head: { bytes: number; sha256: string };
  /** The detector's stream for this file's lines; absent until the file has a first line. */
  stream?: string | undefined;
}

export type ReopenReason = "rotated" | "truncated" | "appeared";

export interface FollowOptions {
  maxLineBytes: number;
  /** With no `resume` position, read what the file already holds first; by default only new lines. */
  fromStart?: boolean;
  /**
   * Where a previous run stopped (a batch's `position`): resumes there, in the rotated file if it
   * was rotated meanwhile, then the files that were waiting behind it, then the path's file.
   */
  resume?: readonly FilePosition[] | undefined;
  pollMs?: number;
  /** How long a rotated file must stop growing before the new one is read (default 1 s). */
  rotateGraceMs?: number;
  signal?: AbortSignal;
  onReopen?: (why: ReopenReason, detail: Record<string, unknown>) => void;
  /** Something was or may have been lost; says what. */
  onWarning?: (message: string, detail: Record<string, unknown>) => void;
}

/** Lines of one file, in order, with where to resume once they are handled. */
export interface FollowedBatch {
  lines: RawLine[];
  /**
   * Stable id of the file the lines come from (device, inode, first line): the same when a line
   * is read again, so a detector can count each (stream, line number) once. Undefined for a FIFO.
   */
  stream: string | undefined;
  /**
   * Where to resume once these lines are handled: the file being read, then the files opened after
   * it (rotation) and not read yet. Undefined for a FIFO, which has no position.
   */
  position: FilePosition[] | undefined;
}

/** One file being read: the followed path's current file, or one rotated away and still drained. */
interface Followed {
  path: string;
  handle: FileHandle;
  dev: number;
  ino: number;
  fifo: boolean;
  /** Next byte to read. */
  offset: number;
  /** Where the splitter's first byte sits in the file. */
  base: number;
  splitter: LineSplitter;
  /** The file's first bytes as last read (up to HEAD_BYTES). */
  head: Buffer;
  stream: string | undefined;
  /** The size last seen, to tell how much a truncation may have taken before it was read. */
  size: number;
  /** Last time it grew (or was found rotated), for the rotation grace. */
  quietSince: number;
  /** A copytruncate copy read for what its file lost: nothing writes to it, it ends at its end. */
  copy: boolean;
  /**
   * Where, in a drained copy, the unfinished line this file goes on with starts: its head is
   * only in the copy, so the position keeps the copy until the line is handed on.
   */
  carried: { from: FilePosition; untilLines: number } | undefined;
}

/**
 * Follows a file like `tail -F`, as complete lines with the position after them:
 * - Rotation (the path names a new file): the old file is read by its open descriptor to its end,
 *   until it has not grown for `rotateGraceMs`, then the new one from its start.
 * - Truncation (copytruncate): found by size (smaller than what was read) and by the first bytes
 *   (a truncate and rewrite past the old size within one poll); what was not read yet is read from
 *   the copy beside it (a file named like it whose first bytes are the old ones), and a line the
 *   writer split across the truncation is joined with its rest.
 * - An unfinished last line is held until its newline arrives, or the file is closed for good (a
 *   rotated file drained, a FIFO's writer gone); at stop it stays unread, behind the position.
 * - A FIFO is opened without blocking, so stopping works with no writer connected.
 * Polls rather than watches, since inotify misses changes on network and overlay filesystems.
 */
export async function followFile(
  path: string,
  options: FollowOptions,
): Promise<AsyncGenerator<FollowedBatch>> {
  const follower = new FileFollower(path, options);
  // Where "from now on" starts is fixed when following begins, not when reading first pulls.
  await follower.start();
  return follower.batches();
}

class FileFollower {
  readonly #path: string;
  readonly #options: FollowOptions;
  readonly #buffer = Buffer.allocUnsafe(256 * 1024);
  /** [0] is read; the others wait their turn (rotation keeps the newer files open). */
  readonly #files: Followed[] = [];

  constructor(path: string, options: FollowOptions) {
    this.#path = path;
    this.#options = options;
  }

  async start(): Promise<void> {
    const current = await stat(this.#path).catch(() => undefined);
    if (current?.isFIFO()) {
      // O_NONBLOCK: a blocking open waits for a writer, and no signal can interrupt it.
      const handle = await open(this.#path, constants.O_RDONLY | constants.O_NONBLOCK);
      this.#files.push(this.#followed(this.#path, handle, current, 0, 0, Buffer.alloc(0)));
      return;
    }
    const resume = this.#options.resume;
    if (resume) return this.#resume(resume, current);
    if (!current) return;
    const handle = await open(this.#path, "r");
    const offset = this.#options.fromStart ? 0 : await afterLastNewline(handle, current.size);
    this.#files.push(
      this.#followed(this.#path, handle, current, offset, 0, await readHead(handle)),
    );
  }

  async #resume(resume: readonly FilePosition[], current: Stats | undefined): Promise<void> {
    let currentQueued = false;
    for (const at of resume) {
      if (current && !currentQueued && current.dev === at.dev && current.ino === at.ino) {
        const handle = await open(this.#path, "r");
        const head = await readHead(handle);
        if (current.size >= at.offset && headMatches(head, at.head)) {
          this.#files.push(this.#resumed(this.#path, handle, current, at, head));
          currentQueued = true;
          continue;
        }
        await handle.close();
      }
      // Rotated or truncated while stopped: the file is beside the path under another name.
      const old = await findCopy(this.#path, at, current);
      if (old && !this.#files.some((f) => f.path === old.path)) {
        const handle = await open(old.path, "r");
        const resumed = this.#resumed(old.path, handle, old.stats, at, await readHead(handle));
        // Another inode with the same first bytes: a copytruncate copy, which ends at its end.
        resumed.copy = !old.sameInode;
        this.#files.push(resumed);
        this.#options.onReopen?.("rotated", { resumedIn: old.path });
      } else if (!old && at.offset > 0) {
        this.#options.onWarning?.(
          "the followed file changed while stopped and its old content was not found beside it: lines written after the last position are lost",
          { file: this.#path },
        );
      }
    }
    if (current && !currentQueued) {
      const handle = await open(this.#path, "r");
      this.#files.push(this.#followed(this.#path, handle, current, 0, 0, await readHead(handle)));
    }
  }

  #resumed(path: string, handle: FileHandle, stats: Stats, at: FilePosition, head: Buffer) {
    const followed = this.#followed(path, handle, stats, at.offset, at.line, head);
    followed.dev = at.dev;
    followed.ino = at.ino;
    followed.stream = at.stream;
    return followed;
  }

  #followed(
    path: string,
    handle: FileHandle,
    stats: Stats,
    offset: number,
    linesBefore: number,
    head: Buffer,
  ): Followed {
    return {
      path,
      handle,
      dev: stats.dev,
      ino: stats.ino,
      fifo: stats.isFIFO(),
      offset,
      base: offset,
      splitter: new LineSplitter({
        maxLineBytes: this.#options.maxLineBytes,
        linesBefore,
        atStart: offset === 0,
      }),
      head,
      stream: undefined,
      size: stats.size,
      quietSince: Date.now(),
      copy: false,
      carried: undefined,
    };
  }

  async *batches(): AsyncGenerator<FollowedBatch> {
    const { signal } = this.#options;
    const pollMs = this.#options.pollMs ?? 250;
    const graceMs = this.#options.rotateGraceMs ?? 1000;
    try {
      // Where following starts is a position too: a run that sees no line still leaves one.
      if (this.#files[0]) yield this.#batch(this.#files[0], []);
      while (!signal?.aborted) {
        // A file queued or truncated: the position to save changes even with no line to hand on.
        let progressed = await this.#watchPath();
        let watchedAt = Date.now();
        if (progressed && this.#files[0]) yield this.#batch(this.#files[0], []);
        for (;;) {
          if (signal?.aborted) return;
          // Catching up takes a while; the path is watched meanwhile, so that a file created and
          // truncated while a backlog is read is still seen before its truncation.
          if (Date.now() - watchedAt >= pollMs) {
            watchedAt = Date.now();
            if ((await this.#watchPath()) && this.#files[0]) yield this.#batch(this.#files[0], []);
          }
          const file = this.#files[0];
          if (!file) break;
          const read = await this.#read(file);
          if (read !== undefined) {
            progressed = true;
            yield* read;
            continue;
          }
          // At its end. A copy is done; a rotated file is done once it stopped growing.
          const next = this.#files[1];
          if (!next || (!file.copy && Date.now() - file.quietSince < graceMs)) break;
          this.#files.shift();
          await file.handle.close();
          // A copy's unfinished line goes on in the truncated file; a drained rotated file is
          // closed for good, so its unfinished last line is a line.
          if (file.copy && file.splitter.pendingBytes > 0) {
            // The copy may itself go on with a line whose head is in an earlier copy.
            const from =
              file.carried && file.splitter.lines <= file.carried.untilLines
                ? file.carried.from
                : this.#position(file);
            next.carried = { from, untilLines: next.splitter.lines };
            file.splitter.carryInto(next.splitter);
          }
          const last = file.copy ? undefined : file.splitter.end();
          if (last) yield this.#batch(file, [last]);
          yield this.#batch(next, []);
          progressed = true;
        }
        if (!progressed) await sleep(pollMs, undefined, { signal }).catch(() => undefined);
      }
    } finally {
      for (const file of this.#files.splice(0)) await file.handle.close();
    }
  }

  /**
   * Notices a new file at the path (rotation, or the file appearing), keeping it open, and a
   * truncation of a file waiting its turn.
   */
  async #watchPath(): Promise<boolean> {
    let changed = false;
    for (let i = 1; i < this.#files.length; i++) {
      const waiting = this.#files[i] as Followed;
      if (waiting.copy) continue;
      const { size } = await waiting.handle.stat();
      const head = await readHead(waiting.handle);
      if (isTruncated(waiting, 0, size, head)) {
        await this.#truncated(i);
        changed = true;
      } else Object.assign(waiting, { size, head });
    }
    const latest = this.#files.at(-1);
    if (latest?.fifo) return changed;
    const current = await stat(this.#path).catch(() => undefined);
    if (!current || this.#files.some((f) => f.dev === current.dev && f.ino === current.ino))
      return changed;
    const handle = await open(this.#path, "r").catch(() => undefined);
    if (!handle) return changed;
    const opened = await handle.stat();
    if (latest) latest.quietSince = Date.now();
    this.#files.push(this.#followed(this.#path, handle, opened, 0, 0, await readHead(handle)));
    this.#options.onReopen?.(latest ? "rotated" : "appeared", { file: this.#path });
    return true;
  }

  /**
   * Reads what the file has now: batches to hand on (a position after a truncation), or undefined at
   * its end. A regular file's first bytes are checked after each read, so bytes read from a file
   * truncated and rewritten meanwhile are never taken for the old file's.
   */
  async #read(file: Followed): Promise<FollowedBatch[] | undefined> {
    let bytesRead: number;
    try {
      ({ bytesRead } = await file.handle.read(
        this.#buffer,
        0,
        this.#buffer.length,
        file.fifo ? null : file.offset,
      ));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") return undefined; // FIFO, writer idle
      throw error;
    }
    const chunk = Buffer.from(this.#buffer.subarray(0, bytesRead));
    if (file.fifo) {
      if (bytesRead > 0) return [this.#batch(file, file.splitter.push(chunk))];
      // No writer connected: the last one closed for good, so its unfinished line is a line.
      const last = file.splitter.end();
      return last ? [this.#batch(file, [last])] : undefined;
    }
    if (!file.copy) {
      const { size } = await file.handle.stat();
      const head = await readHead(file.handle);
      if (isTruncated(file, bytesRead, size, head)) {
        await this.#truncated(0);
        return [this.#batch(this.#files[0] as Followed, [])];
      }
      Object.assign(file, { size, head });
    }
    if (bytesRead === 0) return undefined;
    file.offset += bytesRead;
    file.quietSince = Date.now();
    return [this.#batch(file, file.splitter.push(chunk))];
  }

  /**
   * The file at `index` was truncated. copytruncate copies first: the copy (found beside it by
   * its first bytes) is read, from where reading stopped, before the file starts over; a line
   * the writer split across the truncation is joined with its rest.
   */
  async #truncated(index: number): Promise<void> {
    const file = this.#files[index] as Followed;
    const found = await findCopy(
      this.#path,
      { dev: file.dev, ino: file.ino, offset: file.offset, head: headOf(file.head) },
      file,
    );
    const handle = found && (await open(found.path, "r").catch(() => undefined));
    if (handle) {
      this.#files.splice(index, 0, { ...file, path: found.path, handle, copy: true });
    } else {
      if (file.size > file.offset)
        this.#options.onWarning?.(
          "the followed file was truncated and no copy of it was found beside it: bytes written since the last read are lost",
          { file: this.#path, lostBytes: file.size - file.offset },
        );
      if (file.splitter.pendingBytes > 0)
        this.#options.onWarning?.("an unfinished line cut by a truncation was dropped", {
          file: this.#path,
          bytes: file.splitter.pendingBytes,
        });
    }
    Object.assign(file, {
      offset: 0,
      base: 0,
      splitter: new LineSplitter({ maxLineBytes: this.#options.maxLineBytes }),
      head: await readHead(file.handle),
      stream: undefined,
      size: 0,
      quietSince: Date.now(),
      carried: undefined,
    });
    this.#options.onReopen?.("truncated", { file: this.#path, recoveredFrom: found?.path });
  }

  #batch(file: Followed, lines: RawLine[]): FollowedBatch {
    if (file.fifo) return { lines, stream: undefined, position: undefined };
    if (file.stream === undefined && lines.length > 0) file.stream = streamOf(this.#path, file);
    // After a drained file's last line, `file` is out of the list: the position is past it.
    return { lines, stream: file.stream, position: this.#files.flatMap((f) => this.#positions(f)) };
  }

  /** A file's position, after that of the copy holding the head of its unfinished first line. */
  #positions(file: Followed): FilePosition[] {
    if (file.carried && file.splitter.lines > file.carried.untilLines) file.carried = undefined;
    const own = this.#position(file);
    return file.carried ? [file.carried.from, own] : [own];
  }

  #position(file: Followed): FilePosition {
    return {
      dev: file.dev,
      ino: file.ino,
      offset: file.base + file.splitter.completeBytes,
      line: file.splitter.lines,
      head: headOf(file.head),
      stream: file.stream,
    };
  }
}

/** Device, inode and first line (up to HEAD_BYTES): one id per file, however often it is read. */
function streamOf(path: string, file: Followed): string {
  const newline = file.head.indexOf(0x0a);
  const firstLine = newline === -1 ? file.head : file.head.subarray(0, newline + 1);
  return contentId("file", path, file.dev, file.ino, sha256(firstLine));
}

/**
 * Smaller than what was read, or other first bytes (a truncate and rewrite past the old size):
 * either way a new file's content under the same inode.
 */
function isTruncated(file: Followed, justRead: number, size: number, head: Buffer): boolean {
  return (
    size < file.offset + justRead ||
    size < file.size ||
    head.length < file.head.length ||
    !head.subarray(0, file.head.length).equals(file.head)
  );
}

function headOf(head: Buffer): FilePosition["head"] {
  return { bytes: head.length, sha256: sha256(head) };
}

async function readHead(handle: FileHandle): Promise<Buffer> {
  const head = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
  return head.subarray(0, bytesRead);
}

function headMatches(head: Buffer, saved: FilePosition["head"]): boolean {
  return head.length >= saved.bytes && sha256(head.subarray(0, saved.bytes)) === saved.sha256;
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The file a position was taken in, now under another name beside the followed path (app.log.1,
 * app.log-20260301...): the rotated file itself (same inode), or a copy (copytruncate) with the
 * same first bytes and at least `offset` bytes. `current` (the path's file now) is not a candidate.
 */
async function findCopy(
  path: string,
  position: Pick<FilePosition, "dev" | "ino" | "offset" | "head">,
  current: Pick<Stats, "dev" | "ino"> | undefined,
): Promise<{ path: string; stats: Stats; sameInode: boolean } | undefined> {
  const name = basename(path);
  const dir = dirname(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  let copy: { path: string; stats: Stats; sameInode: boolean } | undefined;
  for (const candidate of names) {
    if (candidate === name || !candidate.startsWith(name)) continue;
    const full = join(dir, candidate);
    const stats = await stat(full).catch(() => undefined);
    if (!stats?.isFile() || stats.size < position.offset) continue;
    if (current && stats.dev === current.dev && stats.ino === current.ino) continue;
    const same = stats.dev === position.dev && stats.ino === position.ino;
    if (!same && position.head.bytes === 0) continue;
    const handle = await open(full, "r").catch(() => undefined);
    if (!handle) continue;
    const head = await readHead(handle).finally(() => handle.close());
    if (!headMatches(head, position.head)) continue;
    if (same) return { path: full, stats, sameInode: true };
    copy ??= { path: full, stats, sameInode: false };
  }
  return copy;
}

/** Where the lines still to come start: after the file's last newline (a line being written is read whole). */
async function afterLastNewline(handle: FileHandle, size: number): Promise<number> {
  const block = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0 && size - end < LAST_LINE_SEARCH_BYTES; ) {
    const start = Math.max(0, end - block.length);
    const { bytesRead } = await handle.read(block, 0, end - start, start);
    const newline = block.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (newline !== -1) return start + newline + 1;
    end = start;
    if (start === 0) return 0;
  }
  return size;
}
