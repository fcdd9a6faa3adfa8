import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { ConfigError, loadConfig } from "../config/load.js";
import { createLogger } from "../logging/logger.js";
import { PipelineMetrics } from "./catalog.js";
import { startMetricsReporting } from "./reporting.js";
import { startVictoriaMetrics, type VictoriaMetrics } from "./testing/victoriaMetrics.js";

const logger = createLogger({ level: "silent" });
let vm: VictoriaMetrics;
before(async () => {
  vm = await startVictoriaMetrics();
});
after(() => vm.stop());

function config(env: Record<string, string>) {
  return loadConfig({ env, envFile: false });
}

describe("startMetricsReporting", () => {
  it("pushes the catalog with job and instance labels, and serves it for scraping", async () => {
    const metrics = new PipelineMetrics();
    metrics.eventsClassified.inc({ label: "incident", service: "checkout", source: "file" }, 4);
    const reporting = await startMetricsReporting({
      config: config({ VICTORIA_METRICS_URL: `${vm.url}/`, ANOMALY_THRESHOLD: "0.65" }),
      logger,
      job: "reporting-test",
      instance: "box-1",
      metrics,
      scrapePort: 0,
      pushOnInterval: false,
    });
    try {
      const scraped = await fetch(String(reporting.scrapeUrl));
      assert.equal(scraped.status, 200);
      assert.match(scraped.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      const text = await scraped.text();
      assert.match(text, /^sentinel_anomaly_threshold 0\.65$/m);
      assert.match(
        text,
        /^sentinel_events_classified_total\{label="incident",service="checkout",source="file"\} 4$/m,
      );
      const elsewhere = await fetch(String(reporting.scrapeUrl).replace("/metrics", "/other"));
      assert.equal(elsewhere.status, 404);

      await reporting.flush();
      await vm.forceFlush();
      const result = await vm.query(
        'sentinel_events_classified_total{job="reporting-test",instance="box-1",service="checkout"}',
      );
      assert.deepEqual(
        (result.result as { value: [number, string] }[]).map((sample) => sample.value[1]),
        ["4"],
      );
      assert.equal(reporting.stats?.bufferedSamples, 0);
    } finally {
      await reporting.stop();
    }
    await assert.rejects(fetch(String(reporting.scrapeUrl)));
  });

  it("neither pushes nor serves when nothing is configured, and flush() is harmless", async () => {
    const reporting = await startMetricsReporting({
      config: config({}),
      logger,
      job: "idle",
      metrics: new PipelineMetrics(),
    });
    await reporting.flush();
    assert.equal(reporting.stats, undefined);
    assert.equal(reporting.scrapeUrl, undefined);
    await reporting.stop();
  });

  it("answers /readyz from the process's readiness: 503 with the reason until ready, then 200", async () => {
    let readiness = { ready: false, reason: "starting" };
    const reporting = await startMetricsReporting({
      config: config({}),
      logger,
      job: "readiness-test",
      scrapePort: 0,
      pushOnInterval: false,
      readiness: () => readiness,
    });
    try {
      const url = String(reporting.scrapeUrl).replace("/metrics", "/readyz");
      const before = await fetch(url);
      assert.equal(before.status, 503);
      assert.deepEqual(await before.json(), { status: "not_ready", reason: "starting" });
      readiness = { ready: true, reason: "classifying" };
      const after = await fetch(url);
      assert.equal(after.status, 200);
      assert.deepEqual(await after.json(), { status: "ready", reason: "classifying" });
    } finally {
      await reporting.stop();
    }
  });

  it("keeps going without a scrape endpoint when its port is taken", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const reporting = await startMetricsReporting({
        config: config({ SENTINEL_METRICS_HOST: "127.0.0.1" }),
        logger,
        job: "busy-port",
        metrics: new PipelineMetrics(),
        scrapePort: port,
      });
      assert.equal(reporting.scrapeUrl, undefined);
      await reporting.stop();
    } finally {
      taken.close();
    }
  });

  it("is never started with credentials that do not go together: loadConfig refuses them, naming the variable", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { VICTORIA_METRICS_URL: vm.url, SENTINEL_METRICS_REMOTE_WRITE_USERNAME: "sentinel" },
        /SENTINEL_METRICS_REMOTE_WRITE_PASSWORD: required when/,
      ],
      [
        {
          VICTORIA_METRICS_URL: vm.url,
          SENTINEL_METRICS_REMOTE_WRITE_USERNAME: "sentinel",
          SENTINEL_METRICS_REMOTE_WRITE_PASSWORD: "example-not-real",
          SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN: "example-not-real",
        },
        /SENTINEL_METRICS_REMOTE_WRITE_BEARER_TOKEN: set either/,
      ],
      [
        { SENTINEL_METRICS_REMOTE_WRITE_URL: "http://user:example-not-real@metrics.test/write" },
        /SENTINEL_METRICS_REMOTE_WRITE_URL: must not contain credentials/,
      ],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => config(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, message);
          assert.ok(!error.message.includes("example-not-real"), "no secret in the message");
          return true;
        },
      );
    }
  });

  it("prefers SENTINEL_METRICS_REMOTE_WRITE_URL and sends basic auth to it", async () => {
    let authorization: string | undefined;
    // A receiver that only records the header and accepts the write.
    const server = createHttpServer((request, response) => {
      authorization = request.headers.authorization;
      request.resume().on("end", () => response.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const reporting = await startMetricsReporting({
        config: config({
          VICTORIA_METRICS_URL: "http://127.0.0.1:9/unused",
          SENTINEL_METRICS_REMOTE_WRITE_URL: `http://127.0.0.1:${port}/api/prom/push`,
          SENTINEL_METRICS_REMOTE_WRITE_USERNAME: "sentinel",
          SENTINEL_METRICS_REMOTE_WRITE_PASSWORD: "example-not-real",
        }),
        logger,
        job: "auth",
        metrics: new PipelineMetrics(),
        pushOnInterval: false,
      });
      await reporting.flush();
      assert.equal(reporting.stats?.bufferedSamples, 0);
      assert.equal(
        authorization,
        `Basic ${Buffer.from("sentinel:example-not-real").toString("base64")}`,
      );
      await reporting.stop();
    } finally {
      server.close();
    }
  });
});
