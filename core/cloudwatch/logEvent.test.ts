import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logEventSchema } from "../events/schema.js";
import type { LogEvent } from "../events/types.js";
import { cloudWatchLogEvent } from "./logEvent.js";
import { serviceFromLogGroup } from "./serviceName.js";
import { subscriptionEvents } from "./subscriptionPayload.js";
import { type FixtureName, loadFixture } from "./testing/fixtures.js";

const INGESTED = "2026-03-01T12:00:00.000Z";

function mapped(name: FixtureName): LogEvent[] {
  const payload = loadFixture(name);
  return subscriptionEvents(payload).map((event) =>
    cloudWatchLogEvent(
      event,
      { region: "us-east-1", account: payload.owner, maxMessageBytes: 16_384 },
      INGESTED,
    ),
  );
}

function byMessage(events: LogEvent[], start: string): LogEvent {
  const found = events.find((e) => e.message.startsWith(start));
  assert.ok(found, `no event starting with ${start}`);
  return found;
}

describe("CloudWatch event → log event", () => {
  it("keeps CloudWatch's ids, times and source, and every event matches the shared contract", () => {
    for (const name of [
      "lambda-data-message",
      "ecs-data-message",
      "lambda-json-format-data-message",
    ] as const) {
      const payload = loadFixture(name);
      const events = mapped(name);
      assert.deepEqual(
        events.map((e) => e.id),
        payload.logEvents.map((e) => e.id),
      );
      assert.deepEqual(
        events.map((e) => Date.parse(e.timestamp)),
        payload.logEvents.map((e) => e.timestamp),
      );
      for (const event of events) {
        assert.equal(logEventSchema.safeParse(event).success, true, JSON.stringify(event));
        assert.deepEqual(event.source, {
          provider: "aws",
          account: "123456789012",
          region: "us-east-1",
          logGroup: payload.logGroup,
          logStream: payload.logStream,
        });
        assert.equal(event.ingestedAt, INGESTED);
      }
    }
  });

  it("reads a Lambda log group: platform lines, runtime prefixes, JSON and plain lines", () => {
    const events = mapped("lambda-data-message");
    assert.deepEqual(
      events.map((e) => [e.level ?? "-", e.service]),
      [
        ["debug", "checkout-api"], // INIT_START
        ["debug", "checkout-api"], // START
        ["info", "checkout-api"], // console.log
        ["warn", "checkout"], // pino JSON with its own service
        ["error", "checkout-api"], // console.error: Invoke Error
        ["debug", "checkout-api"], // END
        ["info", "checkout-api"], // REPORT
        ["debug", "checkout-api"],
        ["-", "checkout-api"], // a plain line: no level in it
        ["error", "checkout-api"], // Task timed out
        ["debug", "checkout-api"],
        ["error", "checkout-api"], // REPORT Status: timeout
      ],
    );
    const printed = byMessage(events, "fetching cart");
    assert.equal(printed.message, "fetching cart 8812 for user 42");
    assert.equal(printed.attributes.requestId, "6e5a2f0c-1b7d-4c3e-9f8a-0a1b2c3d4e5f");
    const report = byMessage(events, "REPORT RequestId: 6e5a");
    assert.equal(report.attributes.durationMs, 731.42);
    assert.equal(report.attributes.billedDurationMs, 732);
    assert.equal(report.attributes.memorySizeMB, 512);
    assert.equal(report.attributes.initDurationMs, 412.87);
    const pino = byMessage(events, "payment provider slow");
    assert.equal(pino.attributes.attempt, 2);
  });

  it("reads an ECS log group: service from the group, a JSON line's own service, colours removed", () => {
    const events = mapped("ecs-data-message");
    const spring = byMessage(events, "HikariPool-1 - Connection is not available");
    assert.equal(spring.level, "error");
    assert.equal(spring.service, "orders-service");
    assert.equal(spring.attributes.component, "o.h.engine.jdbc.spi.SqlExceptionHelper");
    const trace = byMessage(events, "java.sql.SQLTransientConnectionException");
    assert.match(trace.message, /\n\tat com\.zaxxer\.hikari\.pool\.HikariPool\.getConnection/);
    const ecsJson = byMessage(events, "queue depth");
    assert.equal(ecsJson.service, "orders-worker");
    assert.equal(ecsJson.level, "warn");
    const coloured = byMessage(events, "retrying SQS receive");
    assert.equal(coloured.level, "warn");
    assert.equal(coloured.attributes["sentinel.repaired"], "control-characters");
    assert.equal(byMessage(events, "health check ok").level, "info");
  });

  it("reads the Lambda JSON log format: platform events and the function's JSON lines", () => {
    const events = mapped("lambda-json-format-data-message");
    assert.deepEqual(
      events.map((e) => [e.level, e.service, e.message.split("\t")[0]]),
      [
        ["debug", "inventory-sync", "INIT_START Runtime Version: python:3.12.v38"],
        [
          "debug",
          "inventory-sync",
          "START RequestId: c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f Version: $LATEST",
        ],
        ["info", "inventory-sync", "synced 120 SKUs"],
        ["error", "inventory-sync", "warehouse API returned 503"],
        ["warn", "inventory-sync", "REPORT RequestId: c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f"],
      ],
    );
    // Python's logger name is no service; it is kept.
    assert.equal(events[2]?.attributes.component, "root");
  });

  it("reads platform lines only in Lambda log groups", () => {
    const event = cloudWatchLogEvent(
      {
        id: "1",
        timestamp: 1_772_359_200_000,
        message: "START RequestId: 6e5a2f0c-1b7d-4c3e-9f8a-0a1b2c3d4e5f Version: $LATEST",
        logGroup: "/ecs/worker",
        logStream: "s",
      },
      { maxMessageBytes: 1000 },
      INGESTED,
    );
    assert.equal(event.attributes.platform, undefined);
    assert.deepEqual(event.source, { provider: "aws", logGroup: "/ecs/worker", logStream: "s" });
  });

  it("bounds the message and says so, and keeps a message that parses as nothing", () => {
    const base = { id: "1", timestamp: 1_772_359_200_000, logGroup: "/ecs/a", logStream: "s" };
    const long = cloudWatchLogEvent(
      { ...base, message: `ERROR ${"é".repeat(600)}` },
      { maxMessageBytes: 100 },
      INGESTED,
    );
    assert.equal(long.truncated, true);
    assert.equal(long.level, "error");
    assert.equal(long.originalBytes, 1200); // the message, once the level word is read off

    assert.ok(Buffer.byteLength(long.message) <= 100);
    const blank = cloudWatchLogEvent(
      { ...base, message: "   \t " },
      { maxMessageBytes: 100 },
      INGESTED,
    );
    assert.equal(blank.message, "   \t ");
    assert.equal(blank.attributes["sentinel.unparsed"], "empty line");
  });

  it("falls back to the line's time, then the ingestion time, for an impossible timestamp", () => {
    const event = cloudWatchLogEvent(
      { id: "1", timestamp: -5, message: "no time here", logGroup: "/ecs/a", logStream: "s" },
      { maxMessageBytes: 100 },
      INGESTED,
    );
    assert.equal(event.timestamp, INGESTED);
  });
});

describe("service names from log groups", () => {
  it("names the function, instance or cluster the group belongs to", () => {
    const cases: [string, string][] = [
      ["/aws/lambda/checkout-api", "checkout-api"],
      ["/aws/lambda/us-east-1.edge-auth", "edge-auth"],
      ["/aws/rds/instance/orders-db/postgresql", "orders-db"],
      ["/aws/rds/cluster/aurora-main/error", "aurora-main"],
      ["/aws/eks/prod-cluster/cluster", "prod-cluster"],
      ["/aws/ecs/containerinsights/prod/performance", "prod"],
      ["/ecs/orders-service", "orders-service"],
      ["API-Gateway-Execution-Logs_a1b2c3/prod", "prod"],
      ["my-app", "my-app"],
      ["/", "/"],
    ];
    for (const [group, service] of cases) assert.equal(serviceFromLogGroup(group), service, group);
  });
});
