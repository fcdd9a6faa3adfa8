import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { tinyModelPath } from "../../fine-tune/gguf/testModel.js";
import { quietEnv, runSentinel } from "../testing/sentinelCli.js";

// The compose file's `model` step runs `sentinel model pull` on every start: once the model is
// in the models volume it must answer at once, offline too (the test machine has no network,
// so a pull that went to Hugging Face would fail here).
const REFERENCE = "hf:sentinel-test/tiny-classifier/tiny.gguf";
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sentinel-model-pull-"));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("sentinel model pull", () => {
  it("answers with the file already pulled, without the network", async () => {
    // Where node-llama-cpp keeps a pulled hf: reference.
    const pulled = join(dir, "hf_sentinel-test_tiny-classifier_tiny.gguf");
    await copyFile(await tinyModelPath("keyword"), pulled);
    const run = runSentinel(["model", "pull", REFERENCE], { env: quietEnv(dir) });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${pulled}\n`);
    assert.doesNotMatch(run.stderr, /cannot be reached|downloading/);
  });
});
