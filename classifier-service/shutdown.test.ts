import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { describe, it } from "node:test";
import {
  classify,
  EMPTY_ENV_FILE,
  logEvent,
  SlowModel,
  send,
  sleep,
  startTestService,
} from "./testSupport.js";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

/** Reads a raw HTTP/1.1 response until the server closes the connection. */
async function rawResponse(socket: Socket): Promise<{ status: number; body: string }> {
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  await once(socket, "close");
  const text = Buffer.concat(chunks).toString("utf8");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
  return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
}

describe("graceful shutdown", () => {
  it("lets batches in flight answer, refuses new connections, and is unready while draining", async () => {
    const model = new SlowModel();
    const { service, url, port } = await startTestService({ loadModel: async () => model });
    await service.modelSettled();

    // A connection opened before the shutdown, with a /readyz request begun on it, to ask
    // readiness during the drain (new connections are refused by then).
    const probe = connect(port, "127.0.0.1");
    await once(probe, "connect");
    probe.write("GET /readyz HTTP/1.1\r\nHost: test\r\n");

    const inModel = classify(url, [logEvent("payment declined for order 1", { level: "error" })]);
    await model.started.promise;
    const waiting = classify(url, [logEvent("disk at 91% on /var", { level: "warn" })]);
    await sleep(50);
    assert.equal(model.calls, 1, "the second batch waits for the first");

    const stopping = service.shutdown("test");
    assert.equal(service.readiness().ready, false);

    await assert.rejects(send(url, { path: "/healthz" }), { code: "ECONNREFUSED" });

    const readyz = rawResponse(probe);
    probe.write("\r\n");
    const duringDrain = await readyz;
    assert.equal(duringDrain.status, 503);
    assert.deepEqual(JSON.parse(duringDrain.body), {
      status: "draining",
      reason: "the service is shutting down",
    });

    model.release();
    const [first, second] = await Promise.all([inModel, waiting]);
    assert.equal(first.status, 200);
    assert.equal(first.json.events[0].classification.label, "incident");
    assert.equal(first.headers.connection, "close");
    assert.equal(second.status, 200);
    assert.equal(second.json.events[0].classification.label, "preventive_action");

    assert.deepEqual(await stopping, { drained: true });
    assert.equal(model.disposed, true);
    assert.equal(service.state, "stopped");
    assert.equal(await service.shutdown(), await stopping, "a second call gives the same result");
  });

  it("cuts a batch that outlasts CLASSIFIER_SHUTDOWN_TIMEOUT_SECONDS and leaves the model alone", async () => {
    const model = new SlowModel();
    const { service, url } = await startTestService({
      env: { CLASSIFIER_SHUTDOWN_TIMEOUT_SECONDS: "1" },
      loadModel: async () => model,
    });
    await service.modelSettled();
    const stuck = classify(url, [logEvent("never answered")]);
    await model.started.promise;

    const started = performance.now();
    const result = await service.shutdown("test");
    const elapsed = performance.now() - started;
    assert.deepEqual(result, { drained: false });
    assert.ok(elapsed >= 950 && elapsed < 3000, `took ${Math.round(elapsed)} ms`);
    await assert.rejects(stuck, { code: "ECONNRESET" });
    assert.equal(model.disposed, false, "a batch is still inside the model");
    model.release();
  });
});

/** The environment main.ts runs in: this one's, no token, a free port on 127.0.0.1, no .env. */
function mainEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    SENTINEL_ENV_FILE: EMPTY_ENV_FILE,
    CLASSIFIER_HOST: "127.0.0.1",
    CLASSIFIER_PORT: "0",
    ...extra,
  };
  delete env.CLASSIFIER_API_TOKEN;
  return env;
}

describe("main", () => {
  it("starts unready without SENTINEL_MODEL, says why, and exits 0 on SIGTERM", async () => {
    const env = mainEnv({
      SENTINEL_LOG_FORMAT: "json",
      SENTINEL_LOG_LEVEL: "info",
      CLASSIFIER_AUTH: "none",
    });
    delete env.SENTINEL_MODEL;
    const child = spawn(process.execPath, ["--import", "tsx", MAIN], { env });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      let url: string | undefined;
      for (let i = 0; i < 200 && url === undefined; i++) {
        await sleep(50);
        url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stderr)?.[1];
      }
      assert.ok(url, `the service logs where it listens:\n${stderr}`);

      let readyz = await send(url, { path: "/readyz" });
      for (let i = 0; i < 100 && readyz.json.status === "loading"; i++) {
        await sleep(50);
        readyz = await send(url, { path: "/readyz" });
      }
      assert.equal(readyz.status, 503);
      assert.deepEqual(readyz.json, {
        status: "failed",
        reason:
          "the model failed to load: SENTINEL_MODEL is not set: the classifier service needs a model",
      });
      const healthz = await send(url, { path: "/healthz" });
      assert.equal(healthz.status, 200);
      assert.match(
        healthz.json.warning,
        /^CLASSIFIER_AUTH=none: the classifier service is unauthenticated/,
      );
      const warning = stderr
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line))
        .find((entry) => entry.level === 40);
      assert.match(warning?.msg ?? "", /unauthenticated/, "warned at start, at warn level");
      const metrics = await send(url, { path: "/metrics" });
      assert.match(metrics.text, /^sentinel_classifier_process_resident_memory_bytes \d+/m);

      child.kill("SIGTERM");
      assert.equal(await exited, 0);
      assert.match(stderr, /classifier service stopped/);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("refuses to start without a token unless CLASSIFIER_AUTH=none, exit 2 naming the variable", async () => {
    const env = mainEnv();
    delete env.CLASSIFIER_AUTH;
    const child = spawn(process.execPath, ["--import", "tsx", MAIN], { env });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, "close")) as [number | null];
    assert.equal(code, 2, stderr);
    assert.match(stderr, /CLASSIFIER_API_TOKEN: required by the classifier service/);
    assert.match(stderr, /set CLASSIFIER_AUTH=none to serve without authentication/);
    assert.doesNotMatch(stderr, /listening/);
  });

  it("exits 2 naming the variable when the configuration is invalid", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
      env: {
        ...process.env,
        SENTINEL_ENV_FILE: EMPTY_ENV_FILE,
        CLASSIFIER_PORT: "eighty",
        CLASSIFIER_API_TOKEN: "short",
      },
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, "close")) as [number | null];
    assert.equal(code, 2);
    assert.match(stderr, /CLASSIFIER_PORT: expected a whole number \(got "eighty"\)/);
    assert.match(stderr, /CLASSIFIER_API_TOKEN: expected a token of at least 16 characters\n/);
    assert.ok(!stderr.includes('"short"'), "the token is never echoed");
  });
});
