import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLambdaLine } from "./lambdaLine.js";

const ID = "6e5a2f0c-1b7d-4c3e-9f8a-0a1b2c3d4e5f";

describe("Lambda platform lines", () => {
  it("reads START, END and INIT_START as routine debug lines", () => {
    assert.deepEqual(parseLambdaLine(`START RequestId: ${ID} Version: $LATEST\n`), {
      kind: "platform",
      message: `START RequestId: ${ID} Version: $LATEST`,
      level: "debug",
      attributes: { platform: "start", requestId: ID, version: "$LATEST" },
    });
    assert.deepEqual(parseLambdaLine(`END RequestId: ${ID}\n`)?.kind, "platform");
    const init = parseLambdaLine(
      "INIT_START Runtime Version: nodejs:22.v45\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:abc\n",
    );
    assert.equal(init?.kind === "platform" && init.level, "debug");
    assert.deepEqual(init?.kind === "platform" && init.attributes, {
      platform: "initStart",
      runtimeVersion: "nodejs:22.v45",
      runtimeVersionArn: "arn:aws:lambda:us-east-1::runtime:abc",
    });
  });

  it("takes duration, billed duration, memory and init duration out of REPORT", () => {
    const line = parseLambdaLine(
      `REPORT RequestId: ${ID}\tDuration: 731.42 ms\tBilled Duration: 732 ms\tMemory Size: 512 MB\tMax Memory Used: 98 MB\tInit Duration: 412.87 ms\t\nXRAY TraceId: 1-67c2d9a0-0123456789abcdef01234567\tSegmentId: 0123456789abcdef\tSampled: true\t\n`,
    );
    assert.equal(line?.kind, "platform");
    if (line?.kind !== "platform") return;
    assert.equal(line.level, "info");
    assert.deepEqual(line.attributes, {
      platform: "report",
      requestId: ID,
      durationMs: 731.42,
      billedDurationMs: 732,
      memorySizeMB: 512,
      maxMemoryUsedMB: 98,
      initDurationMs: 412.87,
      xrayTraceId: "1-67c2d9a0-0123456789abcdef01234567",
    });
  });

  it("makes a failed invocation an error and one near its memory limit a warning", () => {
    const timeout = parseLambdaLine(
      `REPORT RequestId: ${ID}\tDuration: 30028.51 ms\tBilled Duration: 30000 ms\tMemory Size: 512 MB\tMax Memory Used: 120 MB\tStatus: timeout\n`,
    );
    assert.equal(timeout?.kind === "platform" && timeout.level, "error");
    assert.equal(timeout?.kind === "platform" && timeout.attributes.status, "timeout");
    const crashed = parseLambdaLine(
      `REPORT RequestId: ${ID}\tDuration: 2.1 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tStatus: error\tError Type: Runtime.ExitError\n`,
    );
    assert.equal(crashed?.kind === "platform" && crashed.attributes.errorType, "Runtime.ExitError");
    assert.equal(crashed?.kind === "platform" && crashed.level, "error");
    const nearLimit = parseLambdaLine(
      `REPORT RequestId: ${ID}\tDuration: 5 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 121 MB\t\n`,
    );
    assert.equal(nearLimit?.kind === "platform" && nearLimit.level, "warn");
    const initFailed = parseLambdaLine(
      "INIT_REPORT Init Duration: 10003.56 ms\tPhase: init\tStatus: timeout\n",
    );
    assert.equal(initFailed?.kind === "platform" && initFailed.level, "error");
    assert.equal(initFailed?.kind === "platform" && initFailed.attributes.initDurationMs, 10003.56);
  });

  it("recognises the runtime's timeout line as an error", () => {
    const line = parseLambdaLine(
      `2026-03-01T10:00:33.050Z ${ID} Task timed out after 30.03 seconds\n\n`,
    );
    assert.equal(line?.kind, "platform");
    if (line?.kind !== "platform") return;
    assert.equal(line.level, "error");
    assert.equal(line.timestamp, "2026-03-01T10:00:33.050Z");
    assert.deepEqual(line.attributes, {
      platform: "timeout",
      requestId: ID,
      timeoutSeconds: 30.03,
    });
  });

  it("gives the JSON log format's platform events the text format's message and attributes", () => {
    const text = parseLambdaLine(
      `REPORT RequestId: ${ID}\tDuration: 912.35 ms\tBilled Duration: 913 ms\tMemory Size: 256 MB\tMax Memory Used: 241 MB\tInit Duration: 622.18 ms\t\n`,
    );
    const json = parseLambdaLine(
      JSON.stringify({
        time: "2026-03-01T11:00:00.913Z",
        type: "platform.report",
        record: {
          requestId: ID,
          metrics: {
            durationMs: 912.35,
            billedDurationMs: 913,
            memorySizeMB: 256,
            maxMemoryUsedMB: 241,
            initDurationMs: 622.18,
          },
          status: "success",
        },
      }),
    );
    assert.ok(text?.kind === "platform" && json?.kind === "platform");
    assert.equal(json.message, text.message);
    assert.deepEqual(json.attributes, text.attributes);
    assert.equal(json.level, "warn"); // 241 of 256 MB
    assert.equal(json.timestamp, "2026-03-01T11:00:00.913Z");
    const start = parseLambdaLine(
      JSON.stringify({
        time: "2026-03-01T11:00:00.000Z",
        type: "platform.start",
        record: { requestId: ID, version: "$LATEST" },
      }),
    );
    assert.equal(
      start?.kind === "platform" && start.message,
      `START RequestId: ${ID} Version: $LATEST`,
    );
  });

  it("keeps an unknown platform event, typed, with its record", () => {
    const line = parseLambdaLine(
      '{"time":"2026-03-01T11:00:00Z","type":"platform.logsDropped","record":{"droppedRecords":12}}',
    );
    assert.equal(
      line?.kind === "platform" && line.message,
      'platform.logsDropped {"droppedRecords":12}',
    );
  });

  it("takes the Node and Python runtime prefixes off what the function printed", () => {
    assert.deepEqual(parseLambdaLine(`2026-03-01T10:00:00.731Z\t${ID}\tERROR\tpayment failed\n`), {
      kind: "runtime",
      body: "payment failed\n",
      level: "error",
      requestId: ID,
      timestamp: "2026-03-01T10:00:00.731Z",
    });
    assert.deepEqual(parseLambdaLine(`[WARNING]\t2026-03-01T10:00:00.731Z\t${ID}\tslow query\n`), {
      kind: "runtime",
      body: "slow query\n",
      level: "warn",
      requestId: ID,
      timestamp: "2026-03-01T10:00:00.731Z",
    });
    const outsideInvocation = parseLambdaLine(
      "2026-03-01T10:00:00.001Z\tundefined\tINFO\tloading config\n",
    );
    assert.equal(outsideInvocation?.kind === "runtime" && outsideInvocation.requestId, undefined);
  });

  it("leaves every other line to the ordinary parser", () => {
    for (const text of [
      "cache warm: 128 entries loaded",
      '{"level":"info","msg":"type is not platform","type":"request"}',
      "STARTING server on :8080",
      "REPORTING is disabled",
    ])
      assert.equal(parseLambdaLine(text), undefined, text);
  });
});
