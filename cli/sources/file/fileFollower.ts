import { statSync } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

export interface FollowOptions {
  /** Read what the file already holds first; by default only what is appended from now on. */
  fromStart?: boolean;
  pollMs?: number;
  signal?: AbortSignal;
  /** Called when the file was replaced (rotation) or truncated and is read again from its start. */
  onReopen?: (why: "rotated" | "truncated" | "appeared") => void;
}

/**
 * Follows a file like `tail -F`: yields appended bytes as they arrive, survives rotation (the path
 * now names a new file) and truncation, and waits for a file that does not exist yet.
 * Polls rather than watches, since inotify misses changes on network and overlay filesystems.
 */
export function followFile(path: string, options: FollowOptions = {}): AsyncGenerator<Buffer> {
  // Where "from now on" starts is fixed when following begins, not when reading first pulls.
  const existing = options.fromStart ? undefined : statSync(path, { throwIfNoEntry: false });
  return follow(path, options, existing ? { ino: existing.ino, size: existing.size } : undefined);
}

async function* follow(
  path: string,
  options: FollowOptions,
  startAt: { ino: number; size: number } | undefined,
): AsyncGenerator<Buffer> {
  const pollMs = options.pollMs ?? 250;
  const buffer = Buffer.allocUnsafe(256 * 1024);
  let handle: FileHandle | undefined;
  let inode = -1;
  let position = 0;
  let first = true;

  try {
    while (!options.signal?.aborted) {
      const current = await stat(path).catch(() => undefined);
      if (current && current.ino !== inode) {
        await handle?.close();
        handle = await open(path, "r");
        const appeared = inode === -1 && !first;
        const rotated = inode !== -1;
        inode = current.ino;
        position = first && startAt?.ino === current.ino ? startAt.size : 0;
        if (rotated) options.onReopen?.("rotated");
        else if (appeared) options.onReopen?.("appeared");
      } else if (current && handle && current.size < position) {
        position = 0;
        options.onReopen?.("truncated");
      }
      first = false;

      let readSomething = false;
      if (handle) {
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
          if (bytesRead === 0) break;
          position += bytesRead;
          readSomething = true;
          yield Buffer.from(buffer.subarray(0, bytesRead));
        }
      }
      if (!readSomething)
        await sleep(pollMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
  } finally {
    await handle?.close();
  }
}
