import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BaselineModel } from "../core/classifier/baselineModel.js";
import { loadConfig } from "../core/config/load.js";
import type { LoadLlmOptions } from "../core/llm/index.js";
import { createModelFromConfig } from "./modelFactory.js";

function configWith(env: Record<string, string>) {
  return loadConfig({ env, envFile: false });
}

describe("createModelFromConfig", () => {
  it("fails clearly, without loading the LLM, when SENTINEL_MODEL is not set", async () => {
    let loaded = false;
    const factory = createModelFromConfig(configWith({}), async () => {
      loaded = true;
      return new BaselineModel();
    });
    await assert.rejects(factory(), {
      message: "SENTINEL_MODEL is not set: the classifier service needs a model",
    });
    assert.equal(loaded, false);
  });

  it("hands core/llm's loadLlmModel the model settings and returns its model", async () => {
    const calls: LoadLlmOptions[] = [];
    const model = new BaselineModel();
    const factory = createModelFromConfig(
      configWith({
        SENTINEL_MODEL: "/models/classifier.gguf",
        SENTINEL_GPU: "off",
        SENTINEL_THREADS: "4",
        SENTINEL_MODEL_DIR: "/models",
      }),
      async (options) => {
        calls.push(options);
        return model;
      },
    );
    assert.equal(await factory(), model);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0], {
      model: "/models/classifier.gguf",
      modelDir: "/models",
      gpu: "off",
      threads: 4,
      parallelSequences: 4,
      maxMessageTokens: 256,
      loadTimeoutSeconds: 300,
      download: true,
    });
  });

  it("loads through core/llm by default, which refuses a missing file before node-llama-cpp", async () => {
    // A local path that does not exist fails in core/llm's model lookup, which never imports
    // node-llama-cpp for a local path.
    const factory = createModelFromConfig(
      configWith({ SENTINEL_MODEL: "/nonexistent/model.gguf" }),
    );
    await assert.rejects(factory(), {
      name: "ModelUnavailableError",
      message: "model file /nonexistent/model.gguf does not exist",
    });
  });
});
