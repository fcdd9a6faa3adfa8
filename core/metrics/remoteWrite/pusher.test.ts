import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { PipelineMetrics } from "../catalog.js";
import { startVictoriaMetrics, type VictoriaMetrics } from "../testing/victoriaMetrics.js";
import { RemoteWriteClient } from "./client.js";
import { MetricsPusher, type MetricsPusherOptions } from "./pusher.js";

const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

let vm: VictoriaMetrics;
let jobCounter = 0;
before(async () => {
  vm = await startVictoriaMetrics();
});
after(() => vm.stop());

/**
 * A remote-write receiver on loopback in front of the real VictoriaMetrics: it answers with the
 * status `answer` gives (forwarding the request untouched when that is "forward"), and remembers
 * what it was sent.
 */
async function startReceiver(answer: (request: number) => number | "forward" | "never") {
  const seen: { headers: IncomingHttpHeaders; bytes: number }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const body = Buffer.concat(chunks);
      seen.push({ headers: request.headers, bytes: body.length });
      const what = answer(seen.length);
      if (what === "never") return;
      if (what === "forward") {
        const forwarded = await fetch(vm.writeUrl, {
          method: "POST",
          headers: {
            "Content-Encoding": String(request.headers["content-encoding"]),
            "Content-Type": String(request.headers["content-type"]),
          },
          body,
        });
        response.writeHead(forwarded.status).end(await forwarded.text());
        return;
      }
      response.writeHead(what, what === 503 ? { "Retry-After": "0" } : {}).end("no thanks");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function pusherFor(url: string, registry: Registry, extra: Partial<MetricsPusherOptions> = {}) {
  const metrics = new PipelineMetrics();
  const job = `pusher-test-${++jobCounter}`;
  const pusher = new MetricsPusher({
    registry,
    client: new RemoteWriteClient({ url }),
    targetLabels: { job, instance: "test" },
    maxBufferedSamples: 10_000,
    retry: FAST_RETRY,
    metrics,
    ...extra,
  });
  return { pusher, metrics, job };
}

async function counterValue(counter: Counter<string>, labels: Record<string, string>) {
  const { values } = await counter.get();
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

function values(result: Awaited<ReturnType<VictoriaMetrics["query"]>>): string[] {
  assert.equal(result.resultType, "vector");
  return (result.result as { value: [number, string] }[]).map((sample) => sample.value[1]);
}

describe("MetricsPusher against a real VictoriaMetrics", () => {
  it("round-trips counters, gauges and histograms through remote write", async () => {
    const registry = new Registry();
    const events = new Counter({
      name: "rt_events_total",
      help: "h",
      labelNames: ["label"],
      registers: [registry],
    });
    const score = new Gauge({ name: "rt_score", help: "h", registers: [registry] });
    const latency = new Histogram({
      name: "rt_latency_seconds",
      help: "h",
      buckets: [0.1, 1, 10],
      registers: [registry],
    });
    events.inc({ label: "incident" }, 7);
    events.inc({ label: "normal" }, 93);
    score.set(0.82);
    for (const seconds of [0.05, 0.5, 0.5, 5]) latency.observe(seconds);
    const { pusher, job } = pusherFor(vm.writeUrl, registry);

    const stats = await pusher.flush();
    await vm.forceFlush();

    assert.equal(stats.bufferedSamples, 0);
    assert.equal(stats.sentSamples, 2 + 1 + 4 + 2);
    const sel = `{job="${job}"}`;
    assert.deepEqual(values(await vm.query(`sum(rt_events_total${sel})`)), ["100"]);
    assert.deepEqual(
      values(await vm.query(`rt_events_total${sel.replace("}", ',label="incident"}')}`)),
      ["7"],
    );
    assert.deepEqual(values(await vm.query(`rt_score${sel}`)), ["0.82"]);
    assert.deepEqual(values(await vm.query(`rt_latency_seconds_count${sel}`)), ["4"]);
    assert.deepEqual(values(await vm.query(`rt_latency_seconds_sum${sel}`)), ["6.05"]);
    const median = values(
      await vm.query(`histogram_quantile(0.5, rt_latency_seconds_bucket${sel})`),
    );
    assert.equal(median.length, 1);
    assert.ok(Number(median[0]) > 0.1 && Number(median[0]) <= 1, `median ${median[0]}`);
    const [instance] = await vm.labelValues("instance", `rt_score${sel}`);
    assert.equal(instance, "test");
  });

  it("sends the remote-write headers and snappy body", async () => {
    const receiver = await startReceiver(() => "forward");
    try {
      const registry = new Registry();
      new Gauge({ name: "hdr_g", help: "h", registers: [registry] }).set(1);
      const pusher = new MetricsPusher({
        registry,
        client: new RemoteWriteClient({
          url: receiver.url,
          auth: { bearerToken: "test-token-not-real" },
        }),
        maxBufferedSamples: 10,
        metrics: new PipelineMetrics(),
      });
      await pusher.flush();
      const [request] = receiver.seen;
      assert.equal(request?.headers["content-encoding"], "snappy");
      assert.equal(request?.headers["content-type"], "application/x-protobuf");
      assert.equal(request?.headers["x-prometheus-remote-write-version"], "0.1.0");
      assert.equal(request?.headers.authorization, "Bearer test-token-not-real");
    } finally {
      await receiver.close();
    }
  });

  it("keeps samples while the store is down and delivers them, oldest first, once it is back", async () => {
    let down = true;
    const receiver = await startReceiver(() => (down ? 503 : "forward"));
    try {
      const registry = new Registry();
      const counter = new Counter({ name: "outage_total", help: "h", registers: [registry] });
      let clock = Date.now() - 120_000;
      const { pusher, metrics, job } = pusherFor(receiver.url, registry, { now: () => clock });

      for (let i = 0; i < 3; i++) {
        counter.inc();
        const stats = await pusher.flush();
        assert.equal(stats.sentSamples, 0);
        clock += 30_000;
      }
      assert.equal(pusher.stats.bufferedSamples, 3);
      assert.equal(await counterValue(metrics.metricsPushes, { outcome: "failed" }), 3);
      // Each failed flush made the attempts the retry policy allows.
      assert.equal(receiver.seen.length, 3 * FAST_RETRY.maxAttempts);

      down = false;
      counter.inc();
      const stats = await pusher.flush();
      await vm.forceFlush();
      assert.equal(stats.sentSamples, 4);
      assert.equal(stats.bufferedSamples, 0);
      const sel = `outage_total{job="${job}"}`;
      assert.deepEqual(values(await vm.query(`count_over_time(${sel}[10m])`)), ["4"]);
      assert.deepEqual(values(await vm.query(`min_over_time(${sel}[10m])`)), ["1"]);
      assert.deepEqual(values(await vm.query(sel)), ["4"]);
    } finally {
      await receiver.close();
    }
  });

  it("retries a 503 within one flush and succeeds", async () => {
    const receiver = await startReceiver((n) => (n <= 2 ? 503 : "forward"));
    try {
      const registry = new Registry();
      new Gauge({ name: "retry_g", help: "h", registers: [registry] }).set(5);
      const { pusher, job } = pusherFor(receiver.url, registry);
      const stats = await pusher.flush();
      await vm.forceFlush();
      assert.equal(receiver.seen.length, 3);
      assert.equal(stats.sentSamples, 1);
      assert.deepEqual(values(await vm.query(`retry_g{job="${job}"}`)), ["5"]);
    } finally {
      await receiver.close();
    }
  });

  it("drops and counts samples the store refuses for good, without retrying them", async () => {
    const receiver = await startReceiver(() => 400);
    try {
      const registry = new Registry();
      new Gauge({ name: "bad_g", help: "h", registers: [registry] }).set(1);
      const { pusher, metrics } = pusherFor(receiver.url, registry);
      const stats = await pusher.flush();
      assert.equal(receiver.seen.length, 1);
      assert.deepEqual(stats, { sentSamples: 0, droppedSamples: 1, bufferedSamples: 0 });
      assert.equal(await counterValue(metrics.metricsDroppedSamples, { reason: "rejected" }), 1);
    } finally {
      await receiver.close();
    }
  });

  it("bounds the buffer: beyond it the oldest samples are dropped and counted", async () => {
    const receiver = await startReceiver(() => 503);
    try {
      const registry = new Registry();
      const gauge = new Gauge({
        name: "bound_g",
        help: "h",
        labelNames: ["n"],
        registers: [registry],
      });
      for (const n of ["a", "b", "c"]) gauge.set({ n }, 1);
      const { pusher, metrics } = pusherFor(receiver.url, registry, { maxBufferedSamples: 5 });
      for (let i = 0; i < 3; i++) await pusher.collect();
      assert.deepEqual(pusher.stats, { sentSamples: 0, droppedSamples: 4, bufferedSamples: 5 });
      assert.equal(await counterValue(metrics.metricsDroppedSamples, { reason: "buffer_full" }), 4);
      assert.equal((await metrics.metricsBufferedSamples.get()).values[0]?.value, 5);
    } finally {
      await receiver.close();
    }
  });

  it("never blocks its caller: a flush to a store that never answers gives up at its timeout", async () => {
    const receiver = await startReceiver(() => "never");
    try {
      const registry = new Registry();
      new Gauge({ name: "hang_g", help: "h", registers: [registry] }).set(1);
      const { pusher } = pusherFor(receiver.url, registry);
      const stats = await pusher.flush({ timeoutMs: 200 });
      assert.equal(stats.sentSamples, 0);
      assert.equal(stats.bufferedSamples, 1);
    } finally {
      await receiver.close();
    }
  });

  it("pushes on its interval without being asked", async () => {
    const registry = new Registry();
    new Gauge({ name: "tick_g", help: "h", registers: [registry] }).set(3);
    const { pusher, job } = pusherFor(vm.writeUrl, registry);
    pusher.start(50);
    try {
      const deadline = Date.now() + 15_000;
      let seen: string[] = [];
      while (seen.length === 0 && Date.now() < deadline) {
        await sleep(50);
        await vm.forceFlush();
        seen = values(await vm.query(`tick_g{job="${job}"}`));
      }
      assert.deepEqual(seen, ["3"]);
    } finally {
      await pusher.stop();
    }
  });
});
