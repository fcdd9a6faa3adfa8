import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classify, logEvent, SlowModel, send, sleep, startTestService } from "./testSupport.js";

describe("batches and the model", () => {
  it("serializes batches by default and refuses, with 503 and Retry-After, past the queue limit", async () => {
    const model = new SlowModel();
    const { service, url } = await startTestService({
      env: { CLASSIFIER_MAX_QUEUED_BATCHES: "1" },
      loadModel: async () => model,
    });
    try {
      await service.modelSettled();
      const first = classify(url, [logEvent("first batch 1")]);
      await model.started.promise;
      const second = classify(url, [logEvent("second batch")]);
      await sleep(50);
      assert.equal(model.calls, 1, "the second batch waits while the first is in the model");

      const third = await classify(url, [logEvent("third batch")]);
      assert.equal(third.status, 503);
      assert.equal(third.json.error, "busy");
      assert.equal(third.headers["retry-after"], "1");

      const metrics = await send(url, { path: "/metrics" });
      assert.match(metrics.text, /^sentinel_classifier_queued_batches 1$/m);
      assert.match(metrics.text, /^sentinel_classifier_running_batches 1$/m);
      assert.match(metrics.text, /^sentinel_classifier_rejected_batches_total 1$/m);

      model.release();
      assert.equal((await first).status, 200);
      assert.equal((await second).status, 200);
      assert.equal(model.calls, 2);
    } finally {
      await service.shutdown();
    }
  });

  it("spends no model time on a batch whose client went away while it waited", async () => {
    const model = new SlowModel();
    const { service, url } = await startTestService({ loadModel: async () => model });
    try {
      await service.modelSettled();
      const first = classify(url, [logEvent("first batch")]);
      await model.started.promise;
      const controller = new AbortController();
      const abandoned = send(url, {
        method: "POST",
        path: "/v1/classify",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ events: [logEvent("abandoned batch")] }),
        signal: controller.signal,
      });
      await sleep(50);
      controller.abort();
      await assert.rejects(abandoned, { name: "AbortError" });
      await sleep(50);

      model.release();
      assert.equal((await first).status, 200);
      await service.shutdown();
      assert.equal(model.calls, 1);
      const metrics = await service.metrics.registry.metrics();
      assert.match(metrics, /status="aborted"\} 1$/m);
    } finally {
      await service.shutdown();
    }
  });

  it("answers 500 when the model fails, and goes on with the next batch", async () => {
    let fail = true;
    const { service, url, logs } = await startTestService({
      loadModel: async () => ({
        name: "flaky",
        classify: async (inputs) => {
          if (fail) throw new Error("CUDA error: out of memory");
          return inputs.map(() => ({ label: "normal" as const, confidence: 0.9 }));
        },
      }),
    });
    try {
      await service.modelSettled();
      const failed = await classify(url, [logEvent("first")]);
      assert.equal(failed.status, 500);
      assert.deepEqual(failed.json, {
        error: "classification_failed",
        message: "the model failed to classify the batch",
      });
      assert.ok(logs.some((line) => line.includes("CUDA error: out of memory")));
      fail = false;
      assert.equal((await classify(url, [logEvent("second")])).status, 200);
    } finally {
      await service.shutdown();
    }
  });
});
