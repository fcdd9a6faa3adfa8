import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compress, uncompress } from "snappyjs";
import { encodeWriteRequest } from "./writeRequest.js";

describe("encodeWriteRequest", () => {
  it("encodes one series as the protobuf the remote-write spec describes", () => {
    const bytes = encodeWriteRequest([
      { labels: [{ name: "__name__", value: "up" }], samples: [{ value: 1, timestampMs: 1000 }] },
    ]);
    // Worked out by hand from prompb/remote.proto and types.proto:
    const expected = [
      "0a1e", // WriteRequest.timeseries (field 1, length 30)
      "0a0e", //   TimeSeries.labels (field 1, length 14)
      "0a08", //     Label.name, 8 bytes
      Buffer.from("__name__").toString("hex"),
      "1202", //     Label.value, 2 bytes
      Buffer.from("up").toString("hex"),
      "120c", //   TimeSeries.samples (field 2, length 12)
      "09000000000000f03f", // Sample.value: 1.0 as little-endian double
      "10e807", //   Sample.timestamp: varint 1000
    ].join("");
    assert.equal(bytes.toString("hex"), expected);
  });

  it("encodes epoch-millisecond timestamps beyond 32 bits as full varints", () => {
    const timestampMs = 1_767_225_600_123; // 2026-01-01T00:00:00.123Z
    const bytes = encodeWriteRequest([
      { labels: [{ name: "__name__", value: "x" }], samples: [{ value: 0.25, timestampMs }] },
    ]);
    const at = bytes.lastIndexOf(0x10);
    let decoded = 0;
    let scale = 1;
    for (let i = at + 1; i < bytes.length; i++) {
      const byte = bytes[i] as number;
      decoded += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) {
        assert.equal(i, bytes.length - 1, "the varint ends the message");
        break;
      }
    }
    assert.equal(decoded, timestampMs);
    assert.equal(bytes.readDoubleLE(at - 8), 0.25);
  });

  it("writes label values as UTF-8 with their byte length", () => {
    const bytes = encodeWriteRequest([
      { labels: [{ name: "service", value: "café" }], samples: [{ value: 2, timestampMs: 1 }] },
    ]);
    const value = Buffer.from("café");
    assert.equal(value.length, 5);
    assert.ok(bytes.includes(Buffer.concat([Buffer.from([0x12, 5]), value])));
  });

  it("survives the snappy block round trip byte for byte", () => {
    const series = Array.from({ length: 200 }, (_, i) => ({
      labels: [
        { name: "__name__", value: "sentinel_events_classified_total" },
        { name: "service", value: `svc-${i % 7}` },
      ],
      samples: [{ value: i, timestampMs: 1_700_000_000_000 + i }],
    }));
    const raw = encodeWriteRequest(series);
    const packed = compress(raw);
    assert.ok(packed.length < raw.length / 2, "repeated label names compress");
    assert.deepEqual(Buffer.from(uncompress(packed)), raw);
  });

  it("refuses timestamps that are not whole non-negative milliseconds", () => {
    for (const timestampMs of [-1, 1.5, Number.NaN])
      assert.throws(
        () => encodeWriteRequest([{ labels: [], samples: [{ value: 1, timestampMs }] }]),
        RangeError,
      );
  });
});
