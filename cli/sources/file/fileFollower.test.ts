import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { followFile } from "./fileFollower.js";

async function collectUntil(
  source: AsyncGenerator<Buffer>,
  done: (text: string) => boolean,
  stop: AbortController,
): Promise<string> {
  let text = "";
  for await (const chunk of source) {
    text += chunk.toString();
    if (done(text)) stop.abort();
  }
  return text;
}

describe("followFile", () => {
  it("reads only appended bytes, then the new file after rotation, like tail -F", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentinel-follow-"));
    const path = join(dir, "app.log");
    writeFileSync(path, "old line\n");
    const stop = new AbortController();
    const reopened: string[] = [];
    const source = followFile(path, {
      pollMs: 20,
      signal: stop.signal,
      onReopen: (why) => reopened.push(why),
    });
    const collected = collectUntil(source, (t) => t.includes("after rotation"), stop);
    await new Promise((r) => setTimeout(r, 60));
    appendFileSync(path, "appended\n");
    await new Promise((r) => setTimeout(r, 60));
    renameSync(path, join(dir, "app.log.1"));
    writeFileSync(path, "after rotation\n");
    assert.equal(await collected, "appended\nafter rotation\n");
    assert.deepEqual(reopened, ["rotated"]);
  });

  it("waits for a file that does not exist yet, and reads it from the start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentinel-follow-"));
    const path = join(dir, "later.log");
    const stop = new AbortController();
    const collected = collectUntil(
      followFile(path, { pollMs: 20, signal: stop.signal }),
      (t) => t.includes("\n"),
      stop,
    );
    await new Promise((r) => setTimeout(r, 60));
    writeFileSync(path, "first\n");
    assert.equal(await collected, "first\n");
  });
});
