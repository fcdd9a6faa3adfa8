import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { findLocalModel } from "./modelSource.js";

const REFERENCE = "hf:owner/repo/model-Q4_K_M.gguf";
/** Where `sentinel model pull` (node-llama-cpp) keeps that reference. */
const PULLED_NAME = "hf_owner_repo_model-Q4_K_M.gguf";

describe("findLocalModel", () => {
  const root = mkdtempSync(join(tmpdir(), "sentinel-model-source-"));

  it("finds a pulled model in the cache directory", async () => {
    const directory = join(root, "pulled");
    mkdirSync(directory);
    writeFileSync(join(directory, PULLED_NAME), "GGUF");
    assert.equal(await findLocalModel(REFERENCE, directory), join(directory, PULLED_NAME));
  });

  it("finds nothing when the cache directory is missing, empty or holds other models", async () => {
    assert.equal(await findLocalModel(REFERENCE, join(root, "missing")), undefined);
    const empty = join(root, "empty");
    mkdirSync(join(empty, "partial"), { recursive: true });
    assert.equal(await findLocalModel(REFERENCE, empty), undefined);
    const other = join(root, "other");
    mkdirSync(other);
    writeFileSync(join(other, "hf_owner_repo_other.gguf"), "GGUF");
    assert.equal(await findLocalModel(REFERENCE, other), undefined);
  });

  it("takes a path as it is", async () => {
    const path = join(root, "local.gguf");
    writeFileSync(path, "GGUF");
    assert.equal(await findLocalModel(path, join(root, "missing")), path);
    assert.equal(await findLocalModel(join(root, "absent.gguf"), root), undefined);
  });
});
