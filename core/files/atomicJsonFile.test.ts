import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as z from "zod";
import { readJsonFile, setAsideCorruptFile, writeJsonFile } from "./atomicJsonFile.js";
import { assertSetAside, recordingObservers } from "./testing/setAside.js";

const schema = z.object({ version: z.literal(1), items: z.array(z.string()) });

describe("atomic JSON state files", async () => {
  const root = await mkdtemp(join(tmpdir(), "sentinel-json-"));
  after(() => rm(root, { recursive: true, force: true }));
  let n = 0;
  const freshDir = async () => {
    const dir = join(root, `case-${++n}`);
    await mkdir(dir);
    return dir;
  };

  it("writes, creating the directory, and leaves no temporary file behind", async () => {
    const dir = join(await freshDir(), "nested", "deeper");
    const path = join(dir, "state.json");
    await writeJsonFile(path, { version: 1, items: ["a"] });
    await writeJsonFile(path, { version: 1, items: ["a", "b"] }, { pretty: true });
    assert.deepEqual(await readdir(dir), ["state.json"]);
    assert.equal(
      await readFile(path, "utf8"),
      '{\n  "version": 1,\n  "items": [\n    "a",\n    "b"\n  ]\n}\n',
    );
    assert.deepEqual(await readJsonFile(path, { store: "test", schema }), {
      version: 1,
      items: ["a", "b"],
    });
  });

  it("keeps concurrent writes apart: the file is whole, one of them, and no temporary is left", async () => {
    const dir = await freshDir();
    const path = join(dir, "state.json");
    const values = Array.from({ length: 20 }, (_, i) => ({ version: 1, items: [String(i)] }));
    await Promise.all(values.map((value) => writeJsonFile(path, value)));
    assert.deepEqual(await readdir(dir), ["state.json"]);
    const read = await readJsonFile(path, { store: "test", schema });
    assert.ok(values.some((value) => JSON.stringify(value) === JSON.stringify(read)));
  });

  it("removes its temporary file when the rename fails, and leaves the target as it was", async () => {
    const dir = await freshDir();
    const path = join(dir, "state.json");
    await mkdir(path); // a directory where the file should go: the rename fails
    await assert.rejects(writeJsonFile(path, { version: 1, items: [] }));
    assert.deepEqual(await readdir(dir), ["state.json"]);
    assert.deepEqual(await readdir(path), []);
  });

  it("reads a missing file as undefined, without a warning", async () => {
    const observers = recordingObservers();
    const path = join(await freshDir(), "missing.json");
    assert.equal(await readJsonFile(path, { store: "test", schema, ...observers }), undefined);
    assert.deepEqual(observers.records, []);
    assert.deepEqual((await observers.metrics.stateFilesSetAside.get()).values, []);
  });

  for (const [what, corrupt] of [
    ["not JSON", '{"version": 1, "items": ['],
    ["empty (a crash before the data reached the disk)", ""],
    ["JSON of the wrong shape", '{"version": 2, "items": "a"}'],
  ] as const) {
    it(`sets a file that is ${what} aside, warns, counts it and starts fresh`, async () => {
      const observers = recordingObservers();
      const path = join(await freshDir(), "state.json");
      await writeFile(path, corrupt);
      assert.equal(await readJsonFile(path, { store: "test", schema, ...observers }), undefined);
      await assertSetAside(path, corrupt, observers, "test");
      // The fresh state is written in the file's place; the set-aside copy stays.
      await writeJsonFile(path, { version: 1, items: [] });
      assert.deepEqual(await readJsonFile(path, { store: "test", schema, ...observers }), {
        version: 1,
        items: [],
      });
      assert.equal(observers.records.length, 1);
    });
  }

  it("names what is wrong with a file of the wrong shape", async () => {
    const observers = recordingObservers();
    const path = join(await freshDir(), "state.json");
    await writeFile(path, '{"version": 1, "items": ["a", 2]}');
    await readJsonFile(path, { store: "test", schema, ...observers });
    assert.match(String(observers.records[0]?.reason), /^items\.1: /);
  });

  it("throws when the file cannot be read at all: that is not corruption", async () => {
    const observers = recordingObservers();
    const path = join(await freshDir(), "state.json");
    await mkdir(path);
    await assert.rejects(readJsonFile(path, { store: "test", schema, ...observers }), {
      code: "EISDIR",
    });
    assert.deepEqual(observers.records, []);
  });

  it("does nothing when another reader set the file aside first", async () => {
    const observers = recordingObservers();
    const path = join(await freshDir(), "gone.json");
    const aside = await setAsideCorruptFile(path, { store: "test", reason: "x", ...observers });
    assert.equal(aside, undefined);
    assert.deepEqual(observers.records, []);
  });
});
