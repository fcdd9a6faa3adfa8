/**
 * The Prometheus remote-write `WriteRequest` protobuf (prompb/remote.proto, version 0.1.0), encoded
 * by hand: only the fields a sender needs, so no protobuf library is bundled into every Lambda.
 *
 * ```proto
 * message WriteRequest { repeated TimeSeries timeseries = 1; }
 * message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 * message Label        { string name = 1; string value = 2; }
 * message Sample       { double value = 1; int64 timestamp = 2; }  // timestamp: ms since epoch
 * ```
 */

export interface Label {
  name: string;
  value: string;
}

export interface Sample {
  value: number;
  /** Milliseconds since the Unix epoch. */
  timestampMs: number;
}

export interface TimeSeries {
  /** Sorted by name, `__name__` among them, as the protocol requires. */
  labels: Label[];
  samples: Sample[];
}

// Field tags: (field number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited).
const TAG_TIMESERIES = 0x0a;
const TAG_LABEL = 0x0a;
const TAG_SAMPLE = 0x12;
const TAG_LABEL_NAME = 0x0a;
const TAG_LABEL_VALUE = 0x12;
const TAG_SAMPLE_VALUE = 0x09;
const TAG_SAMPLE_TIMESTAMP = 0x10;

/** Encodes series into a WriteRequest; the caller snappy-compresses it for the wire. */
export function encodeWriteRequest(series: readonly TimeSeries[]): Buffer {
  const sizes = series.map(seriesSize);
  let total = 0;
  for (const size of sizes) total += 1 + varintLength(size) + size;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  series.forEach((one, index) => {
    at = writeByte(out, at, TAG_TIMESERIES);
    at = writeVarint(out, at, sizes[index] as number);
    for (const label of one.labels) {
      const name = Buffer.byteLength(label.name);
      const value = Buffer.byteLength(label.value);
      at = writeByte(out, at, TAG_LABEL);
      at = writeVarint(out, at, labelSize(name, value));
      at = writeByte(out, at, TAG_LABEL_NAME);
      at = writeVarint(out, at, name);
      at += out.write(label.name, at, "utf8");
      at = writeByte(out, at, TAG_LABEL_VALUE);
      at = writeVarint(out, at, value);
      at += out.write(label.value, at, "utf8");
    }
    for (const sample of one.samples) {
      at = writeByte(out, at, TAG_SAMPLE);
      at = writeVarint(out, at, sampleSize(sample));
      at = writeByte(out, at, TAG_SAMPLE_VALUE);
      at = out.writeDoubleLE(sample.value, at);
      if (sample.timestampMs !== 0) {
        at = writeByte(out, at, TAG_SAMPLE_TIMESTAMP);
        at = writeVarint(out, at, sample.timestampMs);
      }
    }
  });
  return out;
}

function seriesSize(series: TimeSeries): number {
  let size = 0;
  for (const label of series.labels) {
    const inner = labelSize(Buffer.byteLength(label.name), Buffer.byteLength(label.value));
    size += 1 + varintLength(inner) + inner;
  }
  for (const sample of series.samples) {
    const inner = sampleSize(sample);
    size += 1 + varintLength(inner) + inner;
  }
  return size;
}

function labelSize(nameBytes: number, valueBytes: number): number {
  return 1 + varintLength(nameBytes) + nameBytes + 1 + varintLength(valueBytes) + valueBytes;
}

function sampleSize(sample: Sample): number {
  const { timestampMs } = sample;
  if (!Number.isSafeInteger(timestampMs) || timestampMs < 0)
    throw new RangeError(`sample timestamp must be a non-negative integer of ms: ${timestampMs}`);
  return 1 + 8 + (timestampMs === 0 ? 0 : 1 + varintLength(timestampMs));
}

/** Bytes of a varint; arithmetic, not bit operations, since timestamps pass 2^32. */
function varintLength(value: number): number {
  let length = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) length++;
  return length;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  let rest = value;
  let position = at;
  while (rest >= 0x80) {
    out[position++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  out[position++] = rest;
  return position;
}

function writeByte(out: Buffer, at: number, value: number): number {
  out[at] = value;
  return at + 1;
}
