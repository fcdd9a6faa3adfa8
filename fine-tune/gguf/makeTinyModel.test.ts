import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeGguf } from "./ggufWriter.js";
import { parseMakeTinyModelArgs } from "./makeTinyModel.js";
import { buildTinyModel } from "./tinyModel.js";

const script = fileURLToPath(new URL("./makeTinyModel.ts", import.meta.url));

describe("makeTinyModel", () => {
  test("parses the output path and options", () => {
    assert.deepEqual(parseMakeTinyModelArgs(["out.gguf"]), {
      out: "out.gguf",
      options: { weights: "random" },
    });
    assert.deepEqual(
      parseMakeTinyModelArgs(["--keyword", "m.gguf", "--seed", "9", "--context-length", "8192"]),
      { out: "m.gguf", options: { weights: "keyword", seed: 9, contextLength: 8192 } },
    );
  });

  test("rejects a missing path, extra paths and bad numbers", () => {
    assert.throws(() => parseMakeTinyModelArgs([]), /one output path/);
    assert.throws(() => parseMakeTinyModelArgs(["a", "b"]), /one output path/);
    assert.throws(() => parseMakeTinyModelArgs(["a", "--seed", "x"]), /--seed/);
    assert.throws(() => parseMakeTinyModelArgs(["a", "--context-length", "0"]), /--context-length/);
    assert.throws(() => parseMakeTinyModelArgs(["a", "--bogus"]), /bogus/);
  });

  test("writes the keyword model from the command line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "make-tiny-model-"));
    try {
      const out = join(dir, "kw.gguf");
      const run = spawnSync(process.execPath, ["--import", "tsx", script, out, "--keyword"], {
        encoding: "utf8",
      });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /keyword weights/);
      const expected = encodeGguf(buildTinyModel({ weights: "keyword" }));
      assert.deepEqual(new Uint8Array(await readFile(out)), expected);

      const bad = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8" });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /usage: npm run model:tiny/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
