import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { BaselineModel } from "../core/classifier/baselineModel.js";
import type { ClassifierInput, LabelModel, Verdict } from "../core/classifier/types.js";
import { MAX_ATTRIBUTE_DEPTH } from "../core/events/attributeBounds.js";
import {
  classify,
  logEvent,
  send,
  sleep,
  startTestService,
  type TestService,
} from "./testSupport.js";

/** `{"events":[event]}` with `attributes.x` nested `depth` objects deep, built as text. */
function deepAttributesBody(depth: number): string {
  const nested = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
  const event = JSON.stringify(logEvent("payment declined", { level: "error" }));
  return `{"events":[${event.slice(0, -1)},"attributes":{"x":${nested}}}]}`;
}

function post(url: string, body: string) {
  return send(url, {
    method: "POST",
    path: "/v1/classify",
    headers: { "Content-Type": "application/json" },
    body,
  });
}

describe("hostile classify requests", { timeout: 60_000 }, () => {
  let running: TestService;
  before(async () => {
    running = await startTestService();
    await running.service.modelSettled();
  });
  after(() => running.service.shutdown());

  it("refuses attributes nested 5,000 deep (30 KB) with 400, and answers the next request", async () => {
    const body = deepAttributesBody(5000);
    assert.ok(body.length < 32_000, "far below the body limit");
    const response = await post(running.url, body);
    assert.equal(response.status, 400);
    assert.equal(response.json.error, "invalid_json");
    assert.match(response.json.message, /nests deeper than 48 levels/);

    const next = await classify(running.url, [logEvent("disk at 97% on /var", { level: "warn" })]);
    assert.equal(next.status, 200);
    assert.equal((await send(running.url, { path: "/healthz" })).status, 200);
  });

  it("accepts attributes as deep as the normalizer keeps them, and refuses one level more", async () => {
    let attributes: unknown = "leaf";
    for (let i = 0; i < MAX_ATTRIBUTE_DEPTH; i++) attributes = { a: attributes };
    const deepest = await classify(running.url, [
      logEvent("ok", { attributes: { x: attributes } }),
    ]);
    assert.equal(deepest.status, 200);
    assert.deepEqual(deepest.json.events[0].attributes, { x: attributes });

    const tooDeep = await classify(running.url, [
      logEvent("ok"),
      logEvent("ok", { attributes: { x: { a: attributes } } }),
    ]);
    assert.equal(tooDeep.status, 400);
    assert.deepEqual(tooDeep.json.problems, [
      "events[1].attributes: x.a.a.a.a.a.a.a.a: nested deeper than 8 levels",
    ]);
  });

  it("refuses attributes too wide, and a source too deep, saying where", async () => {
    const keys = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));
    const items = Array.from({ length: 1001 }, (_, i) => i);
    const nodes = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`k${i}`, Array.from({ length: 600 }, () => 0)]),
    );
    let deepSource: unknown = {};
    for (let i = 0; i < MAX_ATTRIBUTE_DEPTH; i++) deepSource = [deepSource];
    const response = await send(running.url, {
      method: "POST",
      path: "/v1/classify",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        events: [
          logEvent("ok", { attributes: keys }),
          logEvent("ok", { attributes: { list: items } }),
          logEvent("ok", { attributes: nodes }),
          logEvent("ok", { source: { provider: "http", deep: deepSource } }),
        ],
      }),
    });
    assert.equal(response.status, 400);
    assert.deepEqual(response.json.problems, [
      "events[0].attributes: attributes: an object of 1001 keys (at most 1000)",
      "events[1].attributes: list: an array of 1001 items (at most 1000)",
      "events[2].attributes: more than 10000 values in all",
      "events[3].source: deep[0][0][0][0][0][0][0][0]: nested deeper than 8 levels",
    ]);
  });
});

/** A model whose verdict JSON cannot encode, so only sending the reply fails. */
class UnencodableModel implements LabelModel {
  readonly name = "unencodable";
  readonly #baseline = new BaselineModel();
  poison = true;

  async classify(inputs: readonly ClassifierInput[]): Promise<Verdict[]> {
    const verdicts = await this.#baseline.classify(inputs);
    if (!this.poison) return verdicts;
    return verdicts.map((verdict) => ({ ...verdict, confidence: 1n as unknown as number }));
  }
}

describe("a request the service fails to answer", { timeout: 60_000 }, () => {
  it("gets a 500, and the process goes on answering", async () => {
    const model = new UnencodableModel();
    const running = await startTestService({ loadModel: async () => model });
    try {
      await running.service.modelSettled();
      const failed = await classify(running.url, [logEvent("payment declined")]);
      assert.equal(failed.status, 500);
      assert.equal(failed.json.error, "internal");
      assert.ok(running.logs.some((line) => line.includes("the reply could not be sent")));

      model.poison = false;
      const next = await classify(running.url, [logEvent("disk at 97% on /var")]);
      assert.equal(next.status, 200);
    } finally {
      await running.service.shutdown();
    }
  });
});

describe("a client that goes away mid-request", { timeout: 60_000 }, () => {
  it('is counted as status="aborted", not 500, and logged below error level', async () => {
    const running = await startTestService();
    try {
      await running.service.modelSettled();
      const socket = connect(running.port, "127.0.0.1");
      await once(socket, "connect");
      socket.write(
        "POST /v1/classify HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" +
          'Content-Length: 1000\r\n\r\n{"events":[',
      );
      await sleep(50);
      socket.destroy();

      const aborted =
        /^sentinel_classifier_http_requests_total\{route="\/v1\/classify",method="POST",status="aborted"\} 1$/m;
      let metrics = "";
      for (let i = 0; i < 200 && !aborted.test(metrics); i++) {
        await sleep(25);
        metrics = await running.service.metrics.registry.metrics();
      }
      assert.match(metrics, aborted);
      assert.doesNotMatch(metrics, /status="500"/);
      const errors = running.logs.filter((line) => JSON.parse(line).level >= 50);
      assert.deepEqual(errors, [], "nothing at error level");
      assert.ok(running.logs.some((line) => line.includes("request aborted")));
      assert.equal((await classify(running.url, [logEvent("next")])).status, 200);
    } finally {
      await running.service.shutdown();
    }
  });
});
