import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEPTH_LIMIT_MARKER } from "./attributes.js";
import { elideDeepContainers, jsonObjectOf, parseJsonLine } from "./jsonLine.js";
import type { ParsedLine } from "./types.js";

/** The fastest of three runs: a busy machine slows some runs, a slow algorithm slows them all. */
function fastestMs(run: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

function parsed(text: string): ParsedLine {
  const result = parseJsonLine(text);
  assert.ok(result.ok, result.ok ? "" : result.reason);
  return result.line;
}

describe("JSON lines from common loggers", () => {
  it("reads pino: numeric level, epoch-ms time, msg", () => {
    const line = parsed(
      '{"level":30,"time":1709294400123,"pid":4242,"hostname":"web-1","req":{"id":7,"method":"GET"},"msg":"request completed"}',
    );
    assert.deepEqual(line, {
      message: "request completed",
      timestamp: "2024-03-01T12:00:00.123Z",
      level: "info",
      attributes: { pid: 4242, hostname: "web-1", req: { id: 7, method: "GET" } },
    });
  });

  it("reads bunyan: name is the service, level 50 is error", () => {
    const line = parsed(
      '{"name":"orders","hostname":"web-2","pid":17,"level":50,"msg":"payment declined","time":"2024-03-01T12:00:00.000Z","v":0}',
    );
    assert.equal(line.service, "orders");
    assert.equal(line.level, "error");
    assert.equal(line.message, "payment declined");
    assert.deepEqual(line.attributes, { hostname: "web-2", pid: 17, v: 0 });
  });

  it("reads winston: level word, message, timestamp, service", () => {
    const line = parsed(
      '{"level":"warn","message":"cache miss ratio high","service":"user-service","timestamp":"2024-03-01T12:00:00.000Z","ratio":0.42}',
    );
    assert.deepEqual(line, {
      message: "cache miss ratio high",
      timestamp: "2024-03-01T12:00:00.000Z",
      level: "warn",
      service: "user-service",
      attributes: { ratio: 0.42 },
    });
  });

  it("reads logstash's @timestamp, logger_name and level", () => {
    const line = parsed(
      '{"@timestamp":"2024-03-01T12:00:00.123+00:00","@version":"1","message":"Started Application in 3.2 seconds","logger_name":"com.example.Application","thread_name":"main","level":"INFO","level_value":20000}',
    );
    assert.equal(line.timestamp, "2024-03-01T12:00:00.123Z");
    assert.equal(line.level, "info");
    assert.equal(line.service, "com.example.Application");
    assert.deepEqual(line.attributes, { "@version": "1", thread_name: "main", level_value: 20000 });
  });

  it("reads Docker json-file: the log string trimmed of its newline, not parsed again", () => {
    const line = parsed(
      '{"log":"{\\"level\\":\\"error\\",\\"msg\\":\\"inner\\"}\\n","stream":"stderr","time":"2024-03-01T12:00:00.123456789Z"}',
    );
    assert.deepEqual(line, {
      message: '{"level":"error","msg":"inner"}',
      timestamp: "2024-03-01T12:00:00.123Z",
      attributes: { stream: "stderr" },
    });
  });

  it("reads ECS: flat log.level and service.name, nested log.logger", () => {
    const line = parsed(
      '{"@timestamp":"2024-03-01T12:00:00.123Z","log.level":"error","message":"upstream timed out","ecs.version":"1.6.0","service.name":"gateway","log":{"logger":"proxy","origin":{"file":{"line":42}}},"event":{"dataset":"gateway.log"}}',
    );
    assert.equal(line.level, "error");
    assert.equal(line.service, "gateway");
    assert.equal(line.message, "upstream timed out");
    assert.deepEqual(line.attributes, {
      "ecs.version": "1.6.0",
      log: { logger: "proxy", origin: { file: { line: 42 } } },
      event: { dataset: "gateway.log" },
    });
  });

  it("reads nested log.level and service.name and leaves their siblings", () => {
    const line = parsed(
      '{"message":"ready","log":{"level":"warn"},"service":{"name":"billing","version":"2.1.0"}}',
    );
    assert.equal(line.level, "warn");
    assert.equal(line.service, "billing");
    assert.deepEqual(line.attributes, { service: { version: "2.1.0" } });
  });

  it("reads Kubernetes klog JSON: ts in fractional ms, caller and err kept", () => {
    const line = parsed(
      '{"ts":1709294400123.456,"caller":"controller/node.go:218","msg":"Failed to update node status","node":"worker-3","err":"context deadline exceeded"}',
    );
    assert.equal(line.timestamp, "2024-03-01T12:00:00.123Z");
    assert.equal(line.message, "Failed to update node status");
    assert.deepEqual(line.attributes, {
      caller: "controller/node.go:218",
      node: "worker-3",
      err: "context deadline exceeded",
    });
  });

  it("reads Serilog compact JSON (@t, @m, @l)", () => {
    const line = parsed(
      '{"@t":"2024-03-01T12:00:00.1234567Z","@m":"Order 42 shipped","@mt":"Order {Id} shipped","@l":"Warning","Id":42}',
    );
    assert.equal(line.message, "Order 42 shipped");
    assert.equal(line.level, "warn");
    assert.equal(line.timestamp, "2024-03-01T12:00:00.123Z");
    assert.deepEqual(line.attributes, { "@mt": "Order {Id} shipped", Id: 42 });
  });

  it("reads journald's JSON export", () => {
    const line = parsed(
      '{"__REALTIME_TIMESTAMP":"1709294400123456","PRIORITY":"3","SYSLOG_IDENTIFIER":"sshd","_PID":"812","MESSAGE":"error: kex_exchange_identification: Connection closed","_HOSTNAME":"web-1"}',
    );
    assert.equal(line.timestamp, "2024-03-01T12:00:00.123Z");
    assert.equal(line.level, "error");
    assert.equal(line.service, "sshd");
    assert.equal(line.message, "error: kex_exchange_identification: Connection closed");
  });

  it("reads OpenTelemetry's severityNumber when there is no level name", () => {
    const line = parsed(
      '{"body":"disk almost full","severityNumber":13,"timeUnixNano":"1709294400123456789"}',
    );
    assert.equal(line.level, "warn");
    assert.equal(line.timestamp, "2024-03-01T12:00:00.123Z");
    assert.equal(line.message, "disk almost full");
  });

  it("reads Google Cloud's severity and {seconds, nanos} timestamp", () => {
    const line = parsed(
      '{"severity":"ERROR","message":"quota exceeded","timestamp":{"seconds":1709294400,"nanos":5000000}}',
    );
    assert.equal(line.level, "error");
    assert.equal(line.timestamp, "2024-03-01T12:00:00.005Z");
  });

  it("takes the source's event id when it is a string or number", () => {
    assert.equal(parsed('{"msg":"a","id":"evt-1"}').id, "evt-1");
    assert.equal(parsed('{"msg":"a","eventId":12345}').id, "12345");
    assert.equal(parsed('{"msg":"a","event":{"id":"ecs-9"}}').id, "ecs-9");
    const objectId = parsed('{"msg":"a","_id":{"$oid":"65e1"}}');
    assert.equal(objectId.id, undefined);
    assert.deepEqual(objectId.attributes, { _id: { $oid: "65e1" } });
  });
});

describe("JSON field rules", () => {
  it("prefers message over msg over log, and skips values that are not strings", () => {
    assert.equal(parsed('{"msg":"b","message":"a"}').message, "a");
    const line = parsed('{"message":{"text":"nested"},"msg":"flat"}');
    assert.equal(line.message, "flat");
    assert.deepEqual(line.attributes, { message: { text: "nested" } });
  });

  it("uses the compact JSON of the other fields when there is no message", () => {
    const line = parsed('{"level":"info","user":"u-1","action":"login"}');
    assert.equal(line.message, '{"user":"u-1","action":"login"}');
    assert.equal(line.level, "info");
  });

  it("uses the whole object as message when every field was consumed", () => {
    assert.equal(parsed('{"level":"error"}').message, '{"level":"error"}');
    assert.equal(parsed("{}").message, "{}");
  });

  it("leaves fields whose values do not fit their role in attributes", () => {
    const line = parsed('{"msg":"m","time":"12ms","level":"custom","service":""}');
    assert.equal(line.timestamp, undefined);
    assert.equal(line.level, undefined);
    assert.equal(line.service, undefined);
    assert.deepEqual(line.attributes, { time: "12ms", level: "custom", service: "" });
  });

  it("prefers service over name, name being the weakest", () => {
    assert.equal(parsed('{"msg":"m","name":"x","app":"y"}').service, "y");
    assert.equal(parsed('{"msg":"m","name":"x"}').service, "x");
  });

  it("keeps a __proto__ key as data without touching prototypes", () => {
    const line = parsed('{"msg":"m","__proto__":{"polluted":true}}');
    assert.deepEqual(Object.keys(line.attributes), ["__proto__"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("removes consumed fields in place from very wide objects", () => {
    const fields = Array.from({ length: 100 }, (_, i) => `"k${i}":${i}`).join(",");
    const line = parsed(`{"msg":"wide","level":"info",${fields}}`);
    assert.equal(line.message, "wide");
    assert.equal(Object.keys(line.attributes).length, 100);
    assert.equal(line.attributes.msg, undefined);
  });
});

describe("nesting", () => {
  it("cuts attributes nested deeper than 8 levels", () => {
    const deep = `${'{"a":'.repeat(20)}1${"}".repeat(20)}`;
    const line = parsed(`{"msg":"deep","payload":${deep}}`);
    let node: unknown = line.attributes.payload;
    let depth = 0;
    while (typeof node === "object" && node !== null) {
      depth++;
      node = (node as Record<string, unknown>).a;
    }
    assert.equal(depth, 8);
    assert.equal(node, DEPTH_LIMIT_MARKER);
  });

  it("parses a 1 MB line of nested objects without throwing, quickly", () => {
    const levels = 200_000;
    const text = `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
    assert.ok(text.length > 1_000_000);
    const line = parsed(text);
    assert.ok(line.message.includes(DEPTH_LIMIT_MARKER));
    assert.ok(line.message.length < 200);
    const elapsed = fastestMs(() => parseJsonLine(text));
    assert.ok(elapsed < 50, `took ${elapsed.toFixed(1)} ms`);
  });

  it("rejects a 1 MB line of unclosed brackets quickly", () => {
    const text = "[".repeat(1_000_000);
    assert.equal(parseJsonLine(text).ok, false);
    assert.ok(fastestMs(() => parseJsonLine(text)) < 50);
  });

  it("elides only what the depth limit would cut, and checks brackets", () => {
    const shallow = `{"a":${"[".repeat(8)}${"]".repeat(8)}}`;
    assert.equal(elideDeepContainers(shallow), shallow);
    assert.equal(
      elideDeepContainers(`{"a":${"[".repeat(9)}"]}"${"]".repeat(9)}}`),
      `{"a":${"[".repeat(8)}"[depth limit]"${"]".repeat(8)}}`,
    );
    assert.deepEqual(elideDeepContainers('{"a":[}'), {
      ok: false,
      error: "Unexpected token '}' at position 6",
    });
    assert.deepEqual(elideDeepContainers('{"a":"}'), {
      ok: false,
      error: "Unterminated string in JSON",
    });
  });
});

describe("parseJsonLine rejections", () => {
  it("rejects text that is not JSON, saying why", () => {
    const result = parseJsonLine("{not json");
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.reason, /^invalid JSON: /);
  });

  it("rejects JSON values that are not objects", () => {
    const reason = (text: string) => {
      const result = parseJsonLine(text);
      return result.ok ? "" : result.reason;
    };
    assert.equal(reason("[1,2]"), "JSON value is an array, expected an object");
    assert.equal(reason("42"), "JSON value is a number, expected an object");
    assert.equal(reason('"text"'), "JSON value is a string, expected an object");
    assert.equal(reason("null"), "JSON value is null, expected an object");
    assert.equal(reason("true"), "JSON value is a boolean, expected an object");
    assert.equal(
      reason(`[${"1,".repeat(100_000)}1]`),
      "JSON value is an array, expected an object",
    );
  });

  it("bounds the reason's length", () => {
    const result = parseJsonLine(`{"a":"${"x".repeat(100_000)}`);
    assert.ok(!result.ok && result.reason.length <= 200);
  });

  it("jsonObjectOf returns undefined instead of a reason", () => {
    assert.equal(jsonObjectOf("{bad"), undefined);
    assert.equal(jsonObjectOf("[]"), undefined);
    assert.deepEqual(jsonObjectOf('{"a":1}'), { a: 1 });
  });
});
