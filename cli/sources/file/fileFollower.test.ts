import assert from "node:assert/strict";
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  mkdtempSync,
  openSync,
  renameSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type FilePosition, type FollowOptions, followFile } from "./fileFollower.js";

interface Collected {
  lines: string[];
  position: FilePosition[] | undefined;
  warnings: string[];
  reopened: string[];
}

/** Follows `path` until `done` says so (or a generous deadline passes), as a caller would. */
async function follow(
  path: string,
  done: (lines: string[]) => boolean,
  options: Partial<FollowOptions> = {},
  whileFollowing: () => Promise<void> | void = () => {},
): Promise<Collected> {
  const stop = new AbortController();
  const collected: Collected = { lines: [], position: undefined, warnings: [], reopened: [] };
  const deadline = setTimeout(() => stop.abort(), 20_000);
  const batches = await followFile(path, {
    maxLineBytes: 1024,
    pollMs: 20,
    rotateGraceMs: 200,
    signal: stop.signal,
    onReopen: (why) => collected.reopened.push(why),
    onWarning: (message) => collected.warnings.push(message),
    ...options,
  });
  const acting = Promise.resolve().then(whileFollowing);
  for await (const batch of batches) {
    collected.lines.push(...batch.lines.map((l) => l.text));
    collected.position = batch.position ?? collected.position;
    if (done(collected.lines)) stop.abort();
  }
  clearTimeout(deadline);
  await acting;
  return collected;
}

const tick = (ms = 80) => new Promise((r) => setTimeout(r, ms));
const newDir = () => mkdtempSync(join(tmpdir(), "sentinel-follow-"));

/** An empty log file in a directory of its own. */
function emptyLog(): { dir: string; path: string } {
  const dir = newDir();
  const path = join(dir, "app.log");
  writeFileSync(path, "");
  return { dir, path };
}

/** Where a run that read one appended line stopped. */
async function stoppedAfterOneLine(path: string): Promise<FilePosition[] | undefined> {
  const first = await follow(
    path,
    (l) => l.length >= 1,
    {},
    () => appendFileSync(path, "seen\n"),
  );
  return first.position;
}

describe("followFile", () => {
  it("reads only lines appended after it starts, and a file that appears later from its start", async () => {
    const dir = newDir();
    const path = join(dir, "app.log");
    writeFileSync(path, "old line\n");
    const got = await follow(
      path,
      (l) => l.length >= 1,
      {},
      async () => {
        await tick();
        appendFileSync(path, "appended\n");
      },
    );
    assert.deepEqual(got.lines, ["appended"]);

    const later = join(dir, "later.log");
    const appeared = await follow(
      later,
      (l) => l.length >= 1,
      {},
      async () => {
        await tick();
        writeFileSync(later, "first\n");
      },
    );
    assert.deepEqual(appeared.lines, ["first"]);
    assert.deepEqual(appeared.reopened, ["appeared"]);
  });

  it("keeps reading a rotated file the writer still writes to, then reads the new one from its start", async () => {
    const { dir, path } = emptyLog();
    const got = await follow(
      path,
      (l) => l.includes("new 2"),
      {},
      async () => {
        const fd = openSync(path, "a");
        writeSync(fd, "old 1\n");
        await tick();
        renameSync(path, join(dir, "app.log.1"));
        writeFileSync(path, "new 1\n");
        // The writer has not reopened yet: these land in the rotated file, after "new 1" exists.
        await tick();
        writeSync(fd, "old 2\nold 3 unfinished");
        closeSync(fd);
        await tick();
        appendFileSync(path, "new 2\n");
      },
    );
    // The rotated file is closed for good: its unfinished last line is a line.
    assert.deepEqual(got.lines, ["old 1", "old 2", "old 3 unfinished", "new 1", "new 2"]);
    assert.deepEqual(got.reopened, ["rotated"]);
  });

  it("reads what copytruncate copied before truncating, and a rewrite past the old size within one poll", async () => {
    const { dir, path } = emptyLog();
    const got = await follow(
      path,
      (l) => l.includes("after 2"),
      { pollMs: 300 },
      async () => {
        appendFileSync(path, "before 1\n");
        await tick(600);
        // All in one poll: more lines, a line half written, the copy, the truncation, and a
        // rewrite longer than the old file (so its size alone does not show the truncation).
        appendFileSync(path, "before 2\nbefore 3 half");
        copyFileSync(path, join(dir, "app.log.1"));
        truncateSync(path, 0);
        appendFileSync(path, ` done\nafter 1 ${"x".repeat(100)}\nafter 2\n`);
      },
    );
    assert.deepEqual(got.lines, [
      "before 1",
      "before 2",
      "before 3 half done",
      `after 1 ${"x".repeat(100)}`,
      "after 2",
    ]);
    assert.deepEqual(got.reopened, ["truncated"]);
    assert.deepEqual(got.warnings, []);
  });

  it("reads the copy of a new file truncated while the rotated one is still drained", async () => {
    const { dir, path } = emptyLog();
    const got = await follow(
      path,
      (l) => l.includes("new 3"),
      { rotateGraceMs: 1500 },
      async () => {
        const fd = openSync(path, "a");
        writeSync(fd, "old 1\n");
        await tick();
        renameSync(path, join(dir, "app.log.1"));
        writeFileSync(path, "new 1\nnew 2 ha");
        await tick(300);
        writeSync(fd, "old 2\n");
        copyFileSync(path, join(dir, "app.log.2"));
        truncateSync(path, 0);
        appendFileSync(path, "lf\nnew 3\n");
        closeSync(fd);
      },
    );
    assert.deepEqual(got.lines, ["old 1", "old 2", "new 1", "new 2 half", "new 3"]);
    assert.deepEqual(got.warnings, []);
  });

  it("never hands on a half line at a truncation without a copy", async () => {
    const { path } = emptyLog();
    const got = await follow(
      path,
      (l) => l.includes("after"),
      {},
      async () => {
        appendFileSync(path, "whole\nhalf a li");
        await tick(200);
        truncateSync(path, 0);
        appendFileSync(path, "after\n");
      },
    );
    assert.deepEqual(got.lines, ["whole", "after"]);
    assert.match(got.warnings.join("\n"), /unfinished line cut by a truncation was dropped/);
  });

  it("keeps an unfinished last line behind the position at stop, and the next run reads it whole", async () => {
    const { path } = emptyLog();
    const first = await follow(
      path,
      (l) => l.length >= 1,
      {},
      async () => {
        appendFileSync(path, "one\ntwo is not fini");
      },
    );
    assert.deepEqual(first.lines, ["one"]);
    assert.equal(first.position?.[0]?.offset, 4);
    appendFileSync(path, "shed\nthree\n");
    const second = await follow(path, (l) => l.length >= 2, { resume: first.position });
    assert.deepEqual(second.lines, ["two is not finished", "three"]);
  });

  it("resumes in the rotated file after a rotation while stopped, then reads the new one", async () => {
    const { dir, path } = emptyLog();
    const stopped = await stoppedAfterOneLine(path);
    appendFileSync(path, "while stopped\n");
    renameSync(path, join(dir, "app.log.1"));
    writeFileSync(path, "new file\n");
    const second = await follow(path, (l) => l.length >= 2, { resume: stopped });
    assert.deepEqual(second.lines, ["while stopped", "new file"]);
    // Line numbers go on where they were, so a line read again keeps its id.
    assert.equal(second.position?.[0]?.line, 1);
  });

  it("resumes the files waiting behind a rotated one at stop, though rotated again meanwhile", async () => {
    const { dir, path } = emptyLog();
    const first = await follow(
      path,
      (l) => l.includes("a2"),
      { rotateGraceMs: 10_000 },
      async () => {
        appendFileSync(path, "a1\n");
        await tick();
        renameSync(path, join(dir, "app.log.1"));
        writeFileSync(path, "b1\n");
        await tick();
        appendFileSync(join(dir, "app.log.1"), "a2\n");
      },
    );
    assert.deepEqual(first.lines, ["a1", "a2"]);
    appendFileSync(path, "b2\n");
    renameSync(path, join(dir, "app.log.2"));
    writeFileSync(path, "c1\n");
    const second = await follow(path, (l) => l.length >= 3, { resume: first.position });
    assert.deepEqual(second.lines, ["b1", "b2", "c1"]);
  });

  it("reads a file truncated while stopped from its start, after its copy's rest", async () => {
    const { dir, path } = emptyLog();
    const stopped = await stoppedAfterOneLine(path);
    appendFileSync(path, "while stopped\n");
    copyFileSync(path, join(dir, "app.log.1"));
    writeFileSync(path, "after truncation, longer than before\n");
    const second = await follow(path, (l) => l.length >= 2, { resume: stopped });
    assert.deepEqual(second.lines, ["while stopped", "after truncation, longer than before"]);
  });

  it("keeps the copy in the position while a line split across copytruncate waits for its rest", async () => {
    const { dir, path } = emptyLog();
    const stop = new AbortController();
    const first = await follow(
      path,
      () => false,
      { signal: stop.signal },
      async () => {
        appendFileSync(path, "before 1\nbefore 2 ha");
        await tick(200);
        copyFileSync(path, join(dir, "app.log.1"));
        truncateSync(path, 0);
        // Stopped once the copy is drained, before the writer finishes the line in the new file.
        await tick(400);
        stop.abort();
      },
    );
    assert.deepEqual(first.lines, ["before 1"]);
    assert.deepEqual(first.reopened, ["truncated"]);
    // Then rotated while stopped: the truncated file is beside the path under another name.
    appendFileSync(path, "lf\nafter\n");
    renameSync(path, join(dir, "app.log.2"));
    writeFileSync(path, "new file\n");
    const second = await follow(path, (l) => l.length >= 3, { resume: first.position });
    assert.deepEqual(second.lines, ["before 2 half", "after", "new file"]);
    assert.deepEqual(second.warnings, []);
  });
});
