import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  epochDigitsToMs,
  epochNumberToMs,
  fractionToMs,
  isoFromMs,
  msWithoutYear,
  timestampAt,
  timestampFromString,
  timestampFromValue,
} from "./timestamp.js";

const NOW = Date.parse("2024-06-15T00:00:00Z");

/** The ISO time of the timestamp at the start of `text`, and what follows it. */
function leading(text: string, now = NOW): [string, string] | undefined {
  const match = timestampAt(text, 0, now);
  return match === undefined ? undefined : [isoFromMs(match.ms), text.slice(match.end)];
}

describe("timestampAt", () => {
  it("reads ISO-8601 with T, space, fractions, commas and zones", () => {
    assert.deepEqual(leading("2024-03-01T12:00:00Z rest"), ["2024-03-01T12:00:00.000Z", " rest"]);
    assert.deepEqual(leading("2024-03-01T12:00:00.123456Z x"), ["2024-03-01T12:00:00.123Z", " x"]);
    assert.deepEqual(leading("2024-03-01 12:00:00,123 INFO"), [
      "2024-03-01T12:00:00.123Z",
      " INFO",
    ]);
    assert.deepEqual(leading("2024-03-01T14:00:00+02:00"), ["2024-03-01T12:00:00.000Z", ""]);
    assert.deepEqual(leading("2024-03-01T07:00:00-0500"), ["2024-03-01T12:00:00.000Z", ""]);
    assert.deepEqual(leading("2024-03-01 12:00:00.123 UTC [1]"), [
      "2024-03-01T12:00:00.123Z",
      " [1]",
    ]);
    assert.deepEqual(leading("2024/03/01 12:00:00 [error]"), [
      "2024-03-01T12:00:00.000Z",
      " [error]",
    ]);
  });

  it("reads a zone-less time as UTC", () => {
    assert.deepEqual(leading("2024-03-01 12:00:00"), ["2024-03-01T12:00:00.000Z", ""]);
  });

  it("does not take a separator dash for a zone", () => {
    assert.deepEqual(leading("2024-03-01 12:00:00 - app"), ["2024-03-01T12:00:00.000Z", " - app"]);
  });

  it("rejects impossible dates", () => {
    assert.equal(leading("2024-13-01 12:00:00"), undefined);
    assert.equal(leading("2023-02-29 12:00:00"), undefined);
    assert.equal(leading("2024-02-30 12:00:00"), undefined);
    assert.deepEqual(leading("2024-02-29 12:00:00")?.[0], "2024-02-29T12:00:00.000Z");
  });

  it("reads syslog's month-day time with the year inferred", () => {
    assert.deepEqual(leading("Mar  1 12:00:00 host"), ["2024-03-01T12:00:00.000Z", " host"]);
    assert.deepEqual(leading("Oct 11 22:14:15 host"), ["2023-10-11T22:14:15.000Z", " host"]);
    assert.deepEqual(leading("Mar 01 2022 12:00:00.5 x")?.[0], "2022-03-01T12:00:00.500Z");
  });

  it("reads ctime and Apache error-log times", () => {
    assert.deepEqual(leading("Fri Mar 01 12:00:00.123456 2024]"), [
      "2024-03-01T12:00:00.123Z",
      "]",
    ]);
    assert.deepEqual(leading("Fri Mar  1 12:00:00 2024")?.[0], "2024-03-01T12:00:00.000Z");
  });

  it("reads common log format, Tomcat and RFC 2822 day-month-year times", () => {
    assert.deepEqual(leading("01/Mar/2024:12:00:00 +0000]"), ["2024-03-01T12:00:00.000Z", "]"]);
    assert.deepEqual(leading("01/Mar/2024:13:00:00 +0100]")?.[0], "2024-03-01T12:00:00.000Z");
    assert.deepEqual(leading("01-Mar-2024 12:00:00.123 INFO")?.[0], "2024-03-01T12:00:00.123Z");
    assert.deepEqual(leading("Fri, 01 Mar 2024 12:00:00 GMT")?.[0], "2024-03-01T12:00:00.000Z");
    assert.deepEqual(leading("Fri, 01 Mar 2024 07:00:00 EST")?.[0], "2024-03-01T12:00:00.000Z");
  });

  it("reads java.util.logging's 12-hour times", () => {
    assert.deepEqual(
      leading("Mar 01, 2024 12:05:00 AM com.x.Y run")?.[0],
      "2024-03-01T00:05:00.000Z",
    );
    assert.deepEqual(
      leading("Mar 01, 2024 1:05:00 PM com.x.Y run")?.[0],
      "2024-03-01T13:05:00.000Z",
    );
  });

  it("reads epoch seconds and milliseconds at the start of a line", () => {
    assert.deepEqual(leading("1709294400 started"), ["2024-03-01T12:00:00.000Z", " started"]);
    assert.deepEqual(leading("1709294400.25 x")?.[0], "2024-03-01T12:00:00.250Z");
    assert.deepEqual(leading("1709294400123 x")?.[0], "2024-03-01T12:00:00.123Z");
    assert.equal(leading("17092944001 x"), undefined); // 11 digits: not an epoch
    assert.equal(leading("1709294400abc"), undefined);
  });

  it("reads HDFS's yyMMdd HHmmss", () => {
    assert.deepEqual(leading("081109 203615 148 INFO")?.[0], "2008-11-09T20:36:15.000Z");
    assert.equal(leading("081309 203615 x"), undefined);
  });

  it("finds nothing in ordinary text", () => {
    assert.equal(leading("Connection refused"), undefined);
    assert.equal(leading("March is here"), undefined);
    assert.equal(leading("42 items"), undefined);
  });
});

describe("msWithoutYear", () => {
  it("uses this year unless that is more than a day ahead", () => {
    const now = Date.parse("2024-01-01T00:30:00Z");
    assert.equal(
      isoFromMs(msWithoutYear(11, 31, 23, 59, 0, 0, now) ?? 0),
      "2023-12-31T23:59:00.000Z",
    );
    assert.equal(isoFromMs(msWithoutYear(0, 1, 12, 0, 0, 0, now) ?? 0), "2024-01-01T12:00:00.000Z");
    assert.equal(isoFromMs(msWithoutYear(0, 2, 0, 0, 0, 0, now) ?? 0), "2024-01-02T00:00:00.000Z");
    assert.equal(isoFromMs(msWithoutYear(0, 2, 1, 0, 0, 0, now) ?? 0), "2023-01-02T01:00:00.000Z");
  });
});

describe("epoch values", () => {
  it("decides the unit by magnitude", () => {
    const iso = "2024-03-01T12:00:00.123Z";
    assert.equal(isoFromMs(epochNumberToMs(1709294400.123) ?? 0), iso);
    assert.equal(isoFromMs(epochNumberToMs(1709294400123) ?? 0), iso);
    assert.equal(isoFromMs(epochNumberToMs(1709294400123456) ?? 0), iso);
    assert.equal(isoFromMs(epochNumberToMs(Number("1709294400123456789")) ?? 0), iso);
    assert.equal(isoFromMs(epochDigitsToMs("1709294400123456789", undefined) ?? 0), iso);
    assert.equal(isoFromMs(epochDigitsToMs("1709294400", "123") ?? 0), iso);
  });

  it("rejects numbers that are durations or counters, not times", () => {
    assert.equal(epochNumberToMs(12.5), undefined);
    assert.equal(epochNumberToMs(0), undefined);
    assert.equal(epochNumberToMs(-1709294400), undefined);
    assert.equal(epochNumberToMs(Number.NaN), undefined);
    assert.equal(epochDigitsToMs("42", undefined), undefined);
  });

  it("keeps the first three fraction digits", () => {
    assert.equal(fractionToMs("5"), 500);
    assert.equal(fractionToMs("05"), 50);
    assert.equal(fractionToMs("123456789"), 123);
    assert.equal(fractionToMs(undefined), 0);
  });
});

describe("timestampFromValue", () => {
  it("reads whole strings in any known format, and numeric strings", () => {
    const iso = (value: unknown) => {
      const ms = timestampFromValue(value, NOW);
      return ms === undefined ? undefined : isoFromMs(ms);
    };
    assert.equal(iso("2024-03-01T12:00:00.123456789Z"), "2024-03-01T12:00:00.123Z");
    assert.equal(iso("Fri, 01 Mar 2024 12:00:00 +0000"), "2024-03-01T12:00:00.000Z");
    assert.equal(iso("1709294400123"), "2024-03-01T12:00:00.123Z");
    assert.equal(iso("1709294400.5"), "2024-03-01T12:00:00.500Z");
    assert.equal(iso("1709294400123456"), "2024-03-01T12:00:00.123Z"); // journald µs
    assert.equal(iso({ seconds: 1709294400, nanos: 123_000_000 }), "2024-03-01T12:00:00.123Z");
    assert.equal(
      iso({ epochSecond: 1709294400, nanoOfSecond: 5_000_000 }),
      "2024-03-01T12:00:00.005Z",
    );
  });

  it("rejects strings with anything after the time, and non-times", () => {
    assert.equal(timestampFromString("2024-03-01T12:00:00Z and more"), undefined);
    assert.equal(timestampFromString("12ms"), undefined);
    assert.equal(timestampFromString("yesterday"), undefined);
    assert.equal(timestampFromValue(true), undefined);
    assert.equal(timestampFromValue(null), undefined);
    assert.equal(timestampFromValue([1709294400]), undefined);
  });
});

describe("isoFromMs", () => {
  it("matches toISOString exactly", () => {
    const samples = [
      0,
      -1,
      1,
      951_782_400_000, // 2000-02-29
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2100, 2, 1),
      Date.UTC(1900, 1, 28, 12),
      -62_167_219_200_000, // 0000-01-01
      -62_167_219_200_001, // year -1: toISOString's extended form
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1,
      1709294400123.7,
    ];
    let seed = 42;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      samples.push(Math.floor((seed / 2_147_483_648) * 8e12) - 1e12);
    }
    for (const ms of samples) assert.equal(isoFromMs(ms), new Date(ms).toISOString(), String(ms));
  });
});
