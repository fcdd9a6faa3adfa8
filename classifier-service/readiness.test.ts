import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BaselineModel } from "../core/classifier/baselineModel.js";
import type { LabelModel } from "../core/classifier/types.js";
import { loadConfig } from "../core/config/load.js";
import { createModelFromConfig } from "./modelFactory.js";
import { classify, deferred, logEvent, send, sleep, startTestService } from "./testSupport.js";

describe("readiness", { timeout: 60_000 }, () => {
  it("is 503 while the model loads and 200 once it has, while /healthz is 200 throughout", async () => {
    const loading = deferred<LabelModel>();
    const { service, url } = await startTestService({ loadModel: () => loading.promise });
    try {
      const before = await send(url, { path: "/readyz" });
      assert.equal(before.status, 503);
      assert.deepEqual(before.json, { status: "loading", reason: "the model is loading" });
      assert.equal((await send(url, { path: "/healthz" })).status, 200);

      const early = await classify(url, [logEvent("too early")]);
      assert.equal(early.status, 503);
      assert.equal(early.json.error, "not_ready");
      assert.equal(early.headers["retry-after"], "5");
      const metrics = await send(url, { path: "/metrics" });
      assert.match(metrics.text, /^sentinel_classifier_model_ready 0$/m);

      loading.resolve(new BaselineModel());
      await service.modelSettled();
      const after = await send(url, { path: "/readyz" });
      assert.equal(after.status, 200);
      assert.deepEqual(after.json, { status: "ready", model: "baseline" });
      assert.equal((await classify(url, [logEvent("now")])).status, 200);
    } finally {
      await service.shutdown();
    }
  });

  it("stays 503 for good, saying why, when the model fails to load; no fallback model", async () => {
    const { service, url, logs } = await startTestService({
      loadModel: async () => {
        throw new Error("cannot open /models/missing.gguf");
      },
    });
    try {
      await service.modelSettled();
      for (let i = 0; i < 3; i++) {
        const readyz = await send(url, { path: "/readyz" });
        assert.equal(readyz.status, 503);
        assert.deepEqual(readyz.json, {
          status: "failed",
          reason: "the model failed to load: cannot open /models/missing.gguf",
        });
        await sleep(20);
      }
      const classified = await classify(url, [logEvent("anything")]);
      assert.equal(classified.status, 503);
      assert.match(classified.json.message, /missing\.gguf/);
      assert.equal(service.classifier, undefined);
      assert.equal((await send(url, { path: "/healthz" })).status, 200);

      const failure = logs.map((line) => JSON.parse(line)).find((entry) => entry.level === 50);
      assert.ok(failure, "the failure is logged at error level");
      assert.match(failure.msg, /THE MODEL FAILED TO LOAD/);
      assert.match(failure.err.message, /missing\.gguf/);
    } finally {
      await service.shutdown();
    }
  });

  it("reports failed, naming the file, for a garbage .gguf loaded by the real factory", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "sentinel-garbage-model-")), "garbage.gguf");
    writeFileSync(path, Buffer.from("GGUF\x03\x00\x00\x00\x01\x02\x03\x04", "latin1"));
    const config = loadConfig({
      env: { SENTINEL_MODEL: path, SENTINEL_GPU: "off" },
      envFile: false,
    });
    const { service, url } = await startTestService({ loadModel: createModelFromConfig(config) });
    try {
      await service.modelSettled();
      const readyz = await send(url, { path: "/readyz" });
      assert.equal(readyz.status, 503);
      assert.equal(readyz.json.status, "failed");
      assert.equal(
        readyz.json.reason,
        `the model failed to load: ${path} is not a valid GGUF model file: 12 bytes, shorter than a GGUF header (24 bytes)`,
      );
    } finally {
      await service.shutdown();
    }
  });

  it("disposes a model that finishes loading after shutdown began", async () => {
    const loading = deferred<LabelModel>();
    const { service } = await startTestService({ loadModel: () => loading.promise });
    await service.shutdown();
    let disposed = false;
    loading.resolve({
      name: "late",
      classify: async () => [],
      dispose: async () => {
        disposed = true;
      },
    });
    await service.modelSettled();
    assert.equal(disposed, true);
    assert.equal(service.state, "stopped");
  });
});
