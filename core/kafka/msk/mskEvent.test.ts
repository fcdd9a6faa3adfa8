import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { logEventSchema } from "../../events/schema.js";
import type { LogEvent } from "../../events/types.js";
import { MskEventError } from "./errors.js";
import { compareOffsets, decodeMskEvent, encodeMskEvent } from "./mskEvent.js";
import type { KafkaRecord, MskEvent } from "./types.js";

function fixture(name: string): MskEvent {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8"));
}

/** The log event a record carries, checked against the `raw-logs` contract. */
function logEventOf(record: KafkaRecord): LogEvent {
  assert.ok(record.value, "a raw-logs record has a value");
  return logEventSchema.parse(JSON.parse(record.value.toString("utf8")));
}

function headerText(record: KafkaRecord): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(record.headers).map(([name, values]) => [
      name,
      values.map((v) => v.toString("utf8")),
    ]),
  );
}

/** The message of what `fn` throws, which must be an MskEventError. */
function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof MskEventError, `expected an MskEventError, got ${error}`);
    return error.message;
  }
  assert.fail("expected the event to be rejected");
}

function record(overrides: Partial<KafkaRecord> = {}): KafkaRecord {
  return {
    topic: "raw-logs",
    partition: 0,
    offset: "0",
    timestamp: 1772460312107,
    timestampType: "CREATE_TIME",
    key: Buffer.from("checkout"),
    value: Buffer.from('{"id":"e-1"}'),
    headers: {},
    ...overrides,
  };
}

describe("decodeMskEvent", () => {
  it("decodes an MSK batch of a dash-named topic in topic, partition, offset order", () => {
    const records = decodeMskEvent(fixture("msk-raw-logs"));
    // The map lists raw-logs-10, raw-logs-2, raw-logs-0: neither its order nor a string sort is used.
    assert.deepEqual(
      records.map((r) => [r.topic, r.partition, r.offset]),
      [
        ["raw-logs", 0, "15"],
        ["raw-logs", 0, "16"],
        ["raw-logs", 2, "99"],
        ["raw-logs", 2, "100"],
        ["raw-logs", 10, "4"],
      ],
    );
    assert.deepEqual(
      records.map((r) => logEventOf(r).service),
      ["checkout", "ingress-nginx", "orders-api", "orders-api", "auth"],
    );
    const first = records[0] as KafkaRecord;
    assert.equal(first.timestamp, 1772460312107);
    assert.equal(first.timestampType, "CREATE_TIME");
    assert.equal(logEventOf(first).id, "37993284401183470523416239741855829367820813513291366400");
  });

  it("keys records by service, and gives an absent key as null", () => {
    const records = decodeMskEvent(fixture("msk-raw-logs"));
    assert.deepEqual(
      records.map((r) => r.key?.toString("utf8") ?? null),
      ["checkout", null, "orders-api", "orders-api", "auth"],
    );
  });

  it("decodes headers by name, repeated names in order and Java's signed bytes as UTF-8", () => {
    const records = decodeMskEvent(fixture("msk-raw-logs"));
    const auth = records[4] as KafkaRecord;
    assert.deepEqual(headerText(auth), {
      "content-type": ["application/json"],
      "sentinel-hop": ["cloudwatch-forwarder", "redrive"],
      "x-origin-label": ["São Paulo"],
    });
    assert.deepEqual(records[1]?.headers, {});
  });

  it("decodes a self-managed Kafka batch, with an explicit null key", () => {
    const records = decodeMskEvent(fixture("self-managed-kafka"));
    assert.deepEqual(
      records.map((r) => [r.partition, r.offset, r.timestampType, r.key?.toString() ?? null]),
      [
        [3, "90832516", "LOG_APPEND_TIME", "billing-worker"],
        [3, "90832517", "LOG_APPEND_TIME", null],
      ],
    );
    assert.deepEqual(
      records.map((r) => logEventOf(r).source),
      [
        { provider: "azure", workspace: "law-sentinel-prod", table: "ContainerLogV2" },
        { provider: "azure", workspace: "law-sentinel-prod", table: "AppTraces" },
      ],
    );
  });

  it("tells topics apart by the records' own fields, not by splitting the map key", () => {
    const records = decodeMskEvent(
      encodeMskEvent([
        record({ topic: "raw-logs-1", partition: 2 }),
        record({ topic: "raw-logs", partition: 12 }),
        record({ topic: "raw", partition: 0 }),
      ]),
    );
    assert.deepEqual(
      records.map((r) => [r.topic, r.partition]),
      [
        ["raw", 0],
        ["raw-logs", 12],
        ["raw-logs-1", 2],
      ],
    );
  });

  it("rejects the malformed fixture, naming the path of each problem", () => {
    const message = rejection(() => decodeMskEvent(fixture("malformed-msk")));
    assert.match(message, /records\["raw-logs-1"\]\[0\]\.headers\[0\]\["content-type"\]\[3\]: /);
    assert.match(message, /records\["raw-logs-1"\]\[1\]\.value: Invalid base64/);
  });

  it("rejects what is not a Kafka event", () => {
    assert.match(
      rejection(() => decodeMskEvent(null)),
      /\(event\): /,
    );
    assert.match(
      rejection(() => decodeMskEvent({ Records: [] })),
      /eventSource: /,
    );
    assert.match(
      rejection(() => decodeMskEvent({ eventSource: "aws:sqs", records: {} })),
      /eventSource: /,
    );
    assert.match(
      rejection(() => decodeMskEvent({ eventSource: "aws:kafka" })),
      /records: /,
    );
  });

  it("rejects a record filed under another partition's key", () => {
    const event = encodeMskEvent([record({ partition: 1 })]);
    event.records = { "raw-logs-0": event.records["raw-logs-1"] ?? [] };
    assert.match(
      rejection(() => decodeMskEvent(event)),
      /records\["raw-logs-0"\]\[0\]: a record of raw-logs-1 filed under raw-logs-0/,
    );
  });

  it("refuses an offset a JSON number has already rounded, and takes one sent as a string", () => {
    const event = encodeMskEvent([record()]);
    const raw = event.records["raw-logs-0"]?.[0];
    assert.ok(raw);
    raw.offset = 2 ** 53;
    assert.match(
      rejection(() => decodeMskEvent(event)),
      /records\["raw-logs-0"\]\[0\]\.offset: .*2\^53/,
    );
    raw.offset = "9223372036854775807";
    assert.equal(decodeMskEvent(event)[0]?.offset, "9223372036854775807");
    raw.offset = "9223372036854775808";
    assert.match(
      rejection(() => decodeMskEvent(event)),
      /\.offset: /,
    );
  });

  it("accepts a partition sent as a string, as older self-managed examples show", () => {
    const event = encodeMskEvent([record()]);
    const raw = event.records["raw-logs-0"]?.[0];
    assert.ok(raw);
    raw.partition = "0";
    assert.equal(decodeMskEvent(event)[0]?.partition, 0);
  });

  it("keeps a header named __proto__ as a header", () => {
    const event = JSON.parse(
      JSON.stringify(encodeMskEvent([record()])).replace(
        '"headers":[]',
        '"headers":[{"__proto__":[49]}]',
      ),
    );
    const [decoded] = decodeMskEvent(event);
    assert.deepEqual(Object.keys(decoded?.headers ?? {}), ["__proto__"]);
    assert.equal(Object.getPrototypeOf(decoded?.headers), Object.prototype);
  });

  it("orders a partition delivered out of offset order", () => {
    const event = encodeMskEvent([
      record({ offset: "100" }),
      record({ offset: "99" }),
      record({ offset: "9" }),
    ]);
    assert.deepEqual(
      decodeMskEvent(event).map((r) => r.offset),
      ["9", "99", "100"],
    );
  });

  it("decodes a 10,000-record batch in one pass", (t) => {
    const value = Buffer.from(
      readFileSync(new URL("./fixtures/msk-raw-logs.json", import.meta.url)),
    );
    const batch = Array.from({ length: 10_000 }, (_, i) =>
      record({
        partition: i % 12,
        offset: String(1_000_000 + Math.floor(i / 12)),
        value: value.subarray(0, 600),
        headers: { "content-type": [Buffer.from("application/json")] },
      }),
    );
    const event = JSON.parse(JSON.stringify(encodeMskEvent(batch)));
    const started = performance.now();
    const records = decodeMskEvent(event);
    t.diagnostic(`decoded 10,000 records in ${(performance.now() - started).toFixed(1)} ms`);
    assert.equal(records.length, 10_000);
    for (let i = 1; i < records.length; i++) {
      const a = records[i - 1] as KafkaRecord;
      const b = records[i] as KafkaRecord;
      assert.ok(a.partition < b.partition || compareOffsets(a.offset, b.offset) < 0);
    }
  });
});

describe("encodeMskEvent", () => {
  it("writes the event an MSK event source mapping delivers", () => {
    const event = encodeMskEvent(
      [
        record({
          offset: "15",
          key: null,
          value: Buffer.from("hi"),
          headers: { h: [Buffer.from("ë")] },
        }),
      ],
      {
        eventSourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/demo/abc-2",
        bootstrapServers: "b-1.demo:9092",
      },
    );
    assert.deepEqual(JSON.parse(JSON.stringify(event)), {
      eventSource: "aws:kafka",
      eventSourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/demo/abc-2",
      bootstrapServers: "b-1.demo:9092",
      records: {
        "raw-logs-0": [
          {
            topic: "raw-logs",
            partition: 0,
            offset: 15,
            timestamp: 1772460312107,
            timestampType: "CREATE_TIME",
            value: "aGk=",
            headers: [{ h: [-61, -85] }],
          },
        ],
      },
    });
  });

  it("writes a self-managed event without an ARN", () => {
    const event = encodeMskEvent([], { eventSource: "SelfManagedKafka" });
    assert.deepEqual(event, { eventSource: "SelfManagedKafka", records: {} });
  });

  it("re-encodes the recorded fixtures to the same records", () => {
    for (const name of ["msk-raw-logs", "self-managed-kafka"]) {
      const records = decodeMskEvent(fixture(name));
      assert.deepEqual(decodeMskEvent(encodeMskEvent(records)), records);
    }
  });

  it("round-trips: decode(encode(records)) deep-equals records", () => {
    const records: KafkaRecord[] = [
      record({ topic: "anomalies", partition: 1, offset: "0", key: null, value: null }),
      record({ topic: "raw-logs", partition: 0, offset: "7", value: Buffer.alloc(0) }),
      record({
        topic: "raw-logs",
        partition: 0,
        offset: "9007199254740993",
        timestamp: -1,
        timestampType: "NO_TIMESTAMP_TYPE",
        key: Buffer.from([0, 255, 128, 127]),
        headers: { a: [Buffer.from([200, 1]), Buffer.alloc(0)], "b-c": [Buffer.from("x")] },
      }),
      record({ topic: "raw-logs-2", partition: 0, offset: "1" }),
    ];
    const event = encodeMskEvent(records, { eventSource: "SelfManagedKafka" });
    assert.deepEqual(decodeMskEvent(JSON.parse(JSON.stringify(event))), records);
  });

  it("writes an offset past 2^53 as a decimal string rather than round it", () => {
    const event = encodeMskEvent([record({ offset: "9007199254740993" })]);
    assert.equal(event.records["raw-logs-0"]?.[0]?.offset, "9007199254740993");
  });

  it("refuses an offset that is not a canonical decimal", () => {
    assert.throws(() => encodeMskEvent([record({ offset: "007" })]), RangeError);
    assert.throws(() => encodeMskEvent([record({ offset: "-1" })]), RangeError);
  });
});
