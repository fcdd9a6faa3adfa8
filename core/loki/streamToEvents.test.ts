import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { logEventSchema } from "../events/schema.js";
import { entryToEvent, type LokiStream, streamsToEntries } from "./streamToEvents.js";

const response = JSON.parse(
  readFileSync(new URL("./fixtures/queryRange.json", import.meta.url), "utf8"),
) as { data: { result: LokiStream[] } };
const context = { ingestedAt: "2026-01-05T10:05:00.000Z", maxMessageBytes: 16_384 };

describe("Loki streams to log events", () => {
  const entries = streamsToEntries(response.data.result);

  it("orders entries by their nanosecond timestamp across streams, exactly", () => {
    assert.equal(entries.length, 6);
    assert.deepEqual(
      entries.map((e) => e.ns.toString()),
      [
        "1767607200000000000",
        "1767607200000000000",
        "1767607200000000000",
        "1767607201000000000",
        "1767607201500000001",
        "1767607202000000000",
      ],
    );
    assert.equal(typeof entries[4]?.ns, "bigint", "nanoseconds stay exact (a number would round)");
  });

  it("gives each entry an id from its stream, timestamp and line, the same on every read", () => {
    const again = streamsToEntries(structuredClone(response.data.result));
    assert.deepEqual(
      again.map((e) => e.id),
      entries.map((e) => e.id),
    );
    assert.equal(new Set(entries.map((e) => e.id)).size, 6, "entries sharing a timestamp differ");
  });

  it("turns labels into source labels, and reads service and level from labels or the line", () => {
    const events = entries.map((entry) => entryToEvent(entry, context));
    const refused = events.find(
      (o) => o.ok && o.event.message === "upstream connect error: connection refused",
    );
    assert.ok(refused?.ok);
    assert.equal(refused.event.service, "api");
    assert.equal(refused.event.level, "error");
    assert.equal(refused.event.timestamp, "2026-01-05T10:00:00.000Z");
    assert.deepEqual(refused.event.source, {
      provider: "loki",
      labels: {
        app: "api",
        namespace: "shop",
        pod: "api-7c9d8f6b5-2xkqp",
        container: "api",
        level: "error",
        service_name: "api",
      },
    });
    assert.equal(refused.event.attributes.upstream, "payments:8080");
    assert.ok(logEventSchema.safeParse(refused.event).success);

    const declined = events.find((o) => o.ok && o.event.message === "payment declined");
    assert.ok(declined?.ok, "logfmt lines are parsed");
    assert.equal(declined.event.timestamp, "2026-01-05T10:00:01.500Z");

    const ssh = events.find(
      (o) =>
        o.ok &&
        o.event.source.labels &&
        (o.event.source.labels as Record<string, string>).job === "varlogs",
    );
    assert.ok(ssh?.ok);
    assert.equal(ssh.event.service, "varlogs", "job names the service when no service_name or app");
    assert.match(ssh.event.message, /Failed password for invalid user admin/);
    assert.deepEqual(ssh.event.attributes.structuredMetadata, { trace_id: "00f067aa0ba902b7" });
  });

  it("refuses an empty line with a reason, so the count of entries adds up", () => {
    const outcomes = entries.map((entry) => entryToEvent(entry, context));
    const refused = outcomes.filter((o) => !o.ok);
    assert.equal(refused.length, 1);
    assert.deepEqual(refused[0], { ok: false, reason: "empty line" });
    assert.equal(outcomes.filter((o) => o.ok).length + refused.length, entries.length);
  });

  it("keeps the line breaks of a multi-line entry and cuts an oversized one", () => {
    const [entry] = streamsToEntries([
      {
        stream: { app: "worker" },
        values: [
          [
            "1767607200000000000",
            `Traceback (most recent call last):\n  File "job.py", line 3\n${"x".repeat(50)}`,
          ],
        ],
      },
    ]);
    assert.ok(entry);
    const outcome = entryToEvent(entry, { ...context, maxMessageBytes: 40 });
    assert.ok(outcome.ok);
    assert.equal(outcome.event.message, "Traceback (most recent call last):\n  Fil");
    assert.equal(outcome.event.truncated, true);
  });

  it("refuses a timestamp that is not nanoseconds", () => {
    assert.throws(
      () => streamsToEntries([{ stream: { app: "a" }, values: [["1.5e18", "line"]] }]),
      /not nanoseconds/,
    );
  });
});
