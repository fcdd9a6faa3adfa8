import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ClassifiedEvent } from "../core/events/types.js";
import { classify, logEvent, send, startTestService, type TestService } from "./testSupport.js";

const TOKEN = "s3cr3t-token-for-tests-0123456789";

describe("POST /v1/classify", () => {
  let running: TestService;
  before(async () => {
    running = await startTestService({
      env: { CLASSIFIER_MAX_BATCH_SIZE: "4", CLASSIFIER_MAX_BODY_BYTES: "4096" },
    });
    await running.service.modelSettled();
  });
  after(() => running.service.shutdown());

  it("classifies a batch and answers in the same order, ids and ingestedAt filled in", async () => {
    const response = await classify(running.url, [
      logEvent("payment declined for order 8812: card expired", { level: "error" }),
      logEvent("disk at 91% on /var", { level: "warn" }),
      logEvent("GET /health 200 in 3ms", { level: "info", id: "provider-id-1" }),
    ]);
    assert.equal(response.status, 200);
    assert.match(String(response.headers["content-type"]), /^application\/json/);
    const events = response.json.events as ClassifiedEvent[];
    assert.deepEqual(
      events.map((e) => [e.message, e.classification.label, e.classification.model]),
      [
        ["payment declined for order 8812: card expired", "incident", "baseline"],
        ["disk at 91% on /var", "preventive_action", "baseline"],
        ["GET /health 200 in 3ms", "normal", "baseline"],
      ],
    );
    assert.match(events[0]?.id ?? "", /^[0-9a-f]{32}$/);
    assert.equal(events[2]?.id, "provider-id-1");
    assert.deepEqual(events[0]?.attributes, {});
    assert.ok(!Number.isNaN(Date.parse(events[0]?.ingestedAt ?? "")));
    assert.ok(events.every((e) => e.classification.cached === false));
  });

  it("answers repeats of a template from the cache", async () => {
    const first = await classify(running.url, [logEvent("user 17 logged in", { level: "info" })]);
    assert.equal(first.json.events[0].classification.cached, false);
    const modelCalls = running.service.classifier?.modelCalls;
    const again = await classify(running.url, [
      logEvent("user 18 logged in", { level: "info" }),
      logEvent("user 19 logged in", { level: "info" }),
    ]);
    assert.equal(again.status, 200);
    assert.deepEqual(
      again.json.events.map((e: ClassifiedEvent) => e.classification.cached),
      [true, true],
    );
    assert.equal(running.service.classifier?.modelCalls, modelCalls);
    assert.ok((running.service.classifier?.cacheStats.hits ?? 0) >= 2);
  });

  it("gives the same id to the same event sent twice", async () => {
    const event = logEvent("retrying connection to db-1", { level: "warn" });
    const [a, b] = await Promise.all([
      classify(running.url, [event]),
      classify(running.url, [event]),
    ]);
    assert.equal(a.json.events[0].id, b.json.events[0].id);
  });

  it("answers an empty batch with an empty list", async () => {
    const response = await classify(running.url, []);
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { events: [] });
  });

  it("refuses a body over CLASSIFIER_MAX_BODY_BYTES with 413 and a JSON error", async () => {
    const response = await send(running.url, {
      method: "POST",
      path: "/v1/classify",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ events: [logEvent("x".repeat(5000))] }),
    });
    assert.equal(response.status, 413);
    assert.equal(response.json.error, "payload_too_large");
    assert.match(response.json.message, /4096 bytes/);
  });

  it("refuses an oversized chunked body, whose size is not declared, with 413", async () => {
    const response = await send(running.url, {
      method: "POST",
      path: "/v1/classify",
      headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" },
      body: Buffer.alloc(64 * 1024, " "),
    });
    assert.equal(response.status, 413);
    assert.equal(response.json.error, "payload_too_large");
  });

  it("refuses a batch over CLASSIFIER_MAX_BATCH_SIZE with 413 saying the limit", async () => {
    const events = Array.from({ length: 5 }, (_, i) => logEvent(`line ${i}`));
    const response = await classify(running.url, events);
    assert.equal(response.status, 413);
    assert.equal(response.json.error, "batch_too_large");
    assert.match(response.json.message, /5 events; at most 4/);
  });

  it("answers invalid JSON with 400 and the parse error", async () => {
    const response = await send(running.url, {
      method: "POST",
      path: "/v1/classify",
      headers: { "Content-Type": "application/json" },
      body: '{"events": [',
    });
    assert.equal(response.status, 400);
    assert.equal(response.json.error, "invalid_json");
    assert.match(response.json.message, /^invalid JSON: /);
  });

  it("answers schema errors with 400 listing the problems with their paths", async () => {
    const response = await classify(running.url, [
      logEvent("fine"),
      logEvent("fine too"),
      { ...logEvent("bad"), message: 42 },
      { ...logEvent("bad"), level: "loud", timestamp: "yesterday" },
    ]);
    assert.equal(response.status, 400);
    assert.equal(response.json.error, "invalid_events");
    assert.deepEqual(response.json.problems, [
      "events[2].message: expected string, got number",
      "events[3].timestamp: expected an ISO-8601 timestamp",
      'events[3].level: expected one of "trace", "debug", "info", "notice", "warn", "error", "fatal"',
    ]);
  });

  it("says when the body is not an object with events", async () => {
    const response = await send(running.url, {
      method: "POST",
      path: "/v1/classify",
      headers: { "Content-Type": "application/json" },
      body: "[]",
    });
    assert.equal(response.status, 400);
    assert.deepEqual(response.json.problems, ["body: expected object, got array"]);
  });

  it("refuses a body that is not JSON by Content-Type with 415", async () => {
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", undefined]) {
      const headers: Record<string, string> = contentType ? { "Content-Type": contentType } : {};
      const response = await send(running.url, {
        method: "POST",
        path: "/v1/classify",
        headers,
        body: JSON.stringify({ events: [] }),
      });
      assert.equal(response.status, 415, String(contentType));
      assert.equal(response.json.error, "unsupported_media_type");
    }
    const withCharset = await classify(running.url, [], {
      "Content-Type": "application/json; charset=UTF-8",
    });
    assert.equal(withCharset.status, 200);
  });

  it("answers 405 to the wrong method and 404 to an unknown path", async () => {
    const wrongMethod = await send(running.url, { path: "/v1/classify" });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.allow, "POST");
    const unknown = await send(running.url, { path: "/v2/nothing" });
    assert.equal(unknown.status, 404);
  });
});

describe("bearer token", () => {
  let running: TestService;
  before(async () => {
    running = await startTestService({ env: { CLASSIFIER_API_TOKEN: TOKEN } });
    await running.service.modelSettled();
  });
  after(() => running.service.shutdown());

  it("refuses classify and metrics without the token, or with a wrong one, with 401", async () => {
    for (const authorization of [undefined, "Bearer wrong", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
      const classified = await classify(running.url, [logEvent("hello")], headers);
      assert.equal(classified.status, 401, String(authorization));
      assert.equal(classified.json.error, "unauthorized");
      assert.match(String(classified.headers["www-authenticate"]), /^Bearer/);
      const metrics = await send(running.url, { path: "/metrics", headers });
      assert.equal(metrics.status, 401);
    }
    const unknownPath = await send(running.url, { path: "/admin" });
    assert.equal(unknownPath.status, 401, "unknown paths are not revealed without the token");
  });

  it("accepts the right token", async () => {
    const classified = await classify(running.url, [logEvent("hello")], {
      Authorization: `Bearer ${TOKEN}`,
    });
    assert.equal(classified.status, 200);
    const metrics = await send(running.url, {
      path: "/metrics",
      headers: { Authorization: `bearer ${TOKEN}` },
    });
    assert.equal(metrics.status, 200);
  });

  it("leaves the probes open", async () => {
    assert.equal((await send(running.url, { path: "/healthz" })).status, 200);
    assert.equal((await send(running.url, { path: "/readyz" })).status, 200);
  });

  it("never writes the token to the log", () => {
    assert.ok(running.logs.length > 0);
    assert.ok(running.logs.every((line) => !line.includes(TOKEN)));
  });
});

describe("GET /metrics", () => {
  let running: TestService;
  before(async () => {
    running = await startTestService();
    await running.service.modelSettled();
  });
  after(() => running.service.shutdown());

  it("exposes requests, labels, latency, batch sizes, cache, model calls and readiness", async () => {
    await classify(running.url, [
      logEvent("payment declined for order 1", { level: "error" }),
      logEvent("payment declined for order 2", { level: "error" }),
      logEvent("disk at 91% on /var", { level: "warn" }),
    ]);
    await classify(running.url, [logEvent("nope")], { "Content-Type": "text/plain" });
    await send(running.url, { path: "/healthz" });

    const response = await send(running.url, { path: "/metrics" });
    assert.equal(response.status, 200);
    assert.match(String(response.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    const text = response.text;
    const expected = [
      'sentinel_classifier_http_requests_total{route="/v1/classify",method="POST",status="200"} 1',
      'sentinel_classifier_http_requests_total{route="/v1/classify",method="POST",status="415"} 1',
      'sentinel_classifier_http_requests_total{route="/healthz",method="GET",status="200"} 1',
      'sentinel_classifier_classified_events_total{label="incident"} 2',
      'sentinel_classifier_classified_events_total{label="preventive_action"} 1',
      "sentinel_classifier_batch_duration_seconds_count 1",
      'sentinel_classifier_batch_size_events_bucket{le="4"} 1',
      "sentinel_classifier_batch_size_events_sum 3",
      // The two declined payments share a template: one model call, but both looked up.
      "sentinel_classifier_cache_hits_total 0",
      "sentinel_classifier_cache_misses_total 3",
      "sentinel_classifier_cache_entries 2",
      "sentinel_classifier_model_calls_total 2",
      "sentinel_classifier_model_ready 1",
      'sentinel_classifier_model_info{model="baseline"} 1',
      "sentinel_classifier_queued_batches 0",
    ];
    for (const line of expected) assert.ok(text.includes(`${line}\n`), `missing: ${line}`);
  });

  it("keeps counters monotonic across scrapes", async () => {
    await classify(running.url, [logEvent("payment declined for order 3", { level: "error" })]);
    const text = (await send(running.url, { path: "/metrics" })).text;
    assert.ok(text.includes("sentinel_classifier_cache_hits_total 1\n"));
    assert.ok(text.includes("sentinel_classifier_model_calls_total 2\n"));
  });
});
