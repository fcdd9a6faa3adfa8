import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BatchQueue } from "./batchQueue.js";
import { QueueFullError } from "./errors.js";
import { deferred, sleep } from "./testSupport.js";

describe("BatchQueue", () => {
  it("runs one batch at a time, first come first served, with concurrency 1", async () => {
    const queue = new BatchQueue({ concurrency: 1, maxQueued: 10 });
    const order: string[] = [];
    let inside = 0;
    let mostInside = 0;
    const task = (name: string, ms: number) => async () => {
      inside++;
      mostInside = Math.max(mostInside, inside);
      order.push(`start ${name}`);
      await sleep(ms);
      order.push(`end ${name}`);
      inside--;
      return name;
    };
    const results = await Promise.all([
      queue.run(task("a", 20)),
      queue.run(task("b", 5)),
      queue.run(task("c", 1)),
    ]);
    assert.deepEqual(results, ["a", "b", "c"]);
    assert.equal(mostInside, 1);
    assert.deepEqual(order, ["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  it("runs up to `concurrency` batches at once and never more", async () => {
    const queue = new BatchQueue({ concurrency: 3, maxQueued: 100 });
    let inside = 0;
    let mostInside = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        queue.run(async () => {
          inside++;
          mostInside = Math.max(mostInside, inside);
          await sleep(i % 4);
          inside--;
        }),
      ),
    );
    assert.equal(mostInside, 3);
    assert.equal(queue.running, 0);
    assert.equal(queue.waiting, 0);
  });

  it("refuses a batch at once when maxQueued batches already wait", async () => {
    const queue = new BatchQueue({ concurrency: 1, maxQueued: 1 });
    const gate = deferred();
    const running = queue.run(() => gate.promise);
    const waiting = queue.run(async () => "waited");
    await assert.rejects(
      queue.run(async () => "refused"),
      QueueFullError,
    );
    assert.equal(queue.waiting, 1);
    gate.resolve();
    await running;
    assert.equal(await waiting, "waited");
  });

  it("keeps going after a failed batch", async () => {
    const queue = new BatchQueue({ concurrency: 1, maxQueued: 10 });
    const failed = queue.run(async () => {
      throw new Error("model crashed");
    });
    const next = queue.run(async () => "ok");
    await assert.rejects(failed, /model crashed/);
    assert.equal(await next, "ok");
  });

  it("says when it is idle", async () => {
    const queue = new BatchQueue({ concurrency: 1, maxQueued: 10 });
    await queue.idle();
    const gate = deferred();
    let idle = false;
    void queue.run(() => gate.promise);
    void queue.run(async () => undefined);
    const whenIdle = queue.idle().then(() => {
      idle = true;
    });
    await sleep(10);
    assert.equal(idle, false);
    gate.resolve();
    await whenIdle;
    assert.equal(queue.running + queue.waiting, 0);
  });
});
