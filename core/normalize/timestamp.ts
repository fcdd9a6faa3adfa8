/**
 * Timestamps as log lines write them, turned into epoch milliseconds (UTC).
 *
 * A timestamp without a zone is read as UTC. A timestamp without a year (`Mar  1 12:00:00`, glog's
 * `I0301`) gets the current UTC year, or the previous one if that would put it more than a day in
 * the future. Fractions finer than a millisecond are cut, not rounded.
 *
 * All patterns are sticky (`y`): they are tried at one position only, never searched for, and none
 * has nested quantifiers, so a hostile line costs at most one linear scan per pattern.
 */

export interface TimestampMatch {
  /** Epoch milliseconds, UTC. */
  ms: number;
  /** Index just past the timestamp in the scanned text. */
  end: number;
}

const DAY_MS = 86_400_000;
/** Epoch numbers outside these bounds are durations or counters, not timestamps. */
const MIN_EPOCH_MS = Date.UTC(1980, 0, 1);
const MAX_EPOCH_MS = Date.UTC(2200, 0, 1);

const MONTHS = new Map<string, number>(
  ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map(
    (name, index) => [name, index],
  ),
);
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const NAMED_ZONE_MINUTES = new Map<string, number>([
  ["UTC", 0],
  ["GMT", 0],
  ["UT", 0],
  ["Z", 0],
  ["z", 0],
  ["EST", -300],
  ["EDT", -240],
  ["CST", -360],
  ["CDT", -300],
  ["MST", -420],
  ["MDT", -360],
  ["PST", -480],
  ["PDT", -420],
]);

// Mar  1 12:00:00, Mar 01 2024 12:00:00.123 (syslog, no year unless given)
const MONTH_DAY =
  /([A-Z][a-z]{2}) {1,2}(\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?![\d:])/y;
// Mar 01, 2024 12:00:00 PM (java.util.logging SimpleFormatter)
const MONTH_DAY_YEAR_AMPM = /([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([AP]M)/y;
// Fri Mar 01 12:00:00.123456 2024 (ctime, Apache error log)
const CTIME =
  /(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (\d{4})/y;
// "Fri, " before an RFC 2822 date
const DAY_NAME_COMMA = /(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), /y;
// 01/Mar/2024:12:00:00 +0000 (common log format), 01-Mar-2024 12:00:00.123 (Tomcat),
// 01 Mar 2024 12:00:00 GMT (RFC 2822), 1 Mar 2024 12:00 +0100
const DAY_MONTH_YEAR =
  /(\d{1,2})([-/ ])([A-Z][a-z]{2})\2(\d{4})[ :](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?: (?:([+-])(\d{2}):?(\d{2})|(UTC|GMT|UT|Z|[ECMP][SD]T))(?![A-Za-z0-9]))?/y;
// 1709294400, 1709294400.123, 1709294400123 (s, ms, µs or ns by digit count), then a boundary
const EPOCH = /(\d{10}|\d{13}|\d{16}|\d{19})(?:\.(\d{1,9}))?(?![\w.])/y;
// 081109 203615 (HDFS: yyMMdd HHmmss)
const YYMMDD_HHMMSS = /(\d{2})(\d{2})(\d{2}) (\d{2})(\d{2})(\d{2})(?!\S)/y;
const DIGITS_TIMESTAMP = /^(\d{1,19})(?:\.(\d+))?$/;

/** Milliseconds from a fraction's digits: "1" is 100, "123456" is 123. */
export function fractionToMs(fraction: string | undefined): number {
  if (fraction === undefined || fraction.length === 0) return 0;
  if (fraction.length >= 3) return Number(fraction.slice(0, 3));
  return Number(fraction) * (fraction.length === 1 ? 100 : 10);
}

/** Epoch ms for the given UTC fields minus a zone offset, or undefined if a field is out of range. */
function utcMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  offsetMinutes = 0,
): number | undefined {
  if (month < 0 || month > 11 || day < 1 || day > (DAYS_IN_MONTH[month] as number))
    return undefined;
  if (hour > 24 || minute > 59 || second > 60) return undefined;
  if (month === 1 && day === 29 && !isLeapYear(year)) return undefined;
  return Date.UTC(year, month, day, hour, minute, second, ms) - offsetMinutes * 60_000;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Epoch ms for a date written without a year, given the current time. */
export function msWithoutYear(
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  now: number = Date.now(),
): number | undefined {
  const year = utcYearOf(now);
  const thisYear = utcMs(year, month, day, hour, minute, second, ms);
  if (thisYear !== undefined && thisYear <= now + DAY_MS) return thisYear;
  return utcMs(year - 1, month, day, hour, minute, second, ms);
}

// The UTC year of the last `now` seen, and the span of time it covers.
let yearCache = { year: 0, from: 0, to: -1 };

function utcYearOf(now: number): number {
  if (now >= yearCache.from && now < yearCache.to) return yearCache.year;
  const year = new Date(now).getUTCFullYear();
  yearCache = { year, from: Date.UTC(year, 0, 1), to: Date.UTC(year + 1, 0, 1) };
  return year;
}

function zoneOffset(
  sign: string | undefined,
  hours: string | undefined,
  minutes: string | undefined,
  name: string | undefined,
): number | undefined {
  if (sign !== undefined) {
    const offset = Number(hours) * 60 + (minutes === undefined ? 0 : Number(minutes));
    return sign === "-" ? -offset : offset;
  }
  if (name === undefined) return 0;
  return NAMED_ZONE_MINUTES.get(name);
}

/**
 * The timestamp that starts at `pos` in `text`, in any of the formats this module knows, or
 * undefined. Does not look past the timestamp except for a one-character boundary check.
 */
export function timestampAt(text: string, pos: number, now?: number): TimestampMatch | undefined {
  const c = text.charCodeAt(pos);
  if (c >= 48 && c <= 57) return digitLedTimestampAt(text, pos);
  if (c >= 65 && c <= 90) return letterLedTimestampAt(text, pos, now);
  return undefined;
}

/**
 * ISO-8601 and its log-file cousins, scanned by hand (the most common format, so the hot path):
 * `2024-03-01T12:00:00.123Z`, `2024-03-01 12:00:00,123 +02:00`, `2024/03/01 12:00:00`,
 * `2024-03-01 12:00:00.123 UTC`, `2024-03-01T12:00+0100`. Seconds and zone are optional.
 */
function isoAt(text: string, pos: number): TimestampMatch | undefined {
  const year = digits4(text, pos);
  const sep = text.charCodeAt(pos + 4);
  if (year < 0 || (sep !== 45 && sep !== 47) || text.charCodeAt(pos + 7) !== sep) return undefined;
  const month = digits2(text, pos + 5);
  const day = digits2(text, pos + 8);
  let p = pos + 10;
  const t = text.charCodeAt(p);
  if (t === 84 || t === 116)
    p++; // T t
  else if (t === 32) p += text.charCodeAt(p + 1) === 32 ? 2 : 1;
  else return undefined;
  const hour = digits2(text, p);
  const minute = digits2(text, p + 3);
  if (month < 0 || day < 0 || hour < 0 || minute < 0 || text.charCodeAt(p + 2) !== 58) {
    return undefined;
  }
  p += 5;
  let second = 0;
  let ms = 0;
  if (text.charCodeAt(p) === 58) {
    second = digits2(text, p + 1);
    if (second < 0) return undefined;
    p += 3;
    const dot = text.charCodeAt(p);
    if ((dot === 46 || dot === 44) && isDigit(text.charCodeAt(p + 1))) {
      p++;
      const fractionStart = p;
      while (p - fractionStart < 9 && isDigit(text.charCodeAt(p))) p++; // nanoseconds at most
      ms = fractionDigitsToMs(text, fractionStart, p);
    }
  }
  let offset = 0;
  const zone = zoneAt(text, p);
  if (zone !== undefined) {
    offset = zone.offset;
    p = zone.end;
  }
  const result = utcMs(year, month - 1, day, hour, minute, second, ms, offset);
  return result === undefined ? undefined : { ms: result, end: p };
}

/** A zone after an ISO time, with an optional space before it: Z, +02:00, +0200, +02, UTC, GMT. */
function zoneAt(text: string, pos: number): { offset: number; end: number } | undefined {
  let p = text.charCodeAt(pos) === 32 ? pos + 1 : pos;
  const c = text.charCodeAt(p);
  let offset = 0;
  if (c === 90 || c === 122) {
    p++; // Z z
  } else if (c === 43 || c === 45) {
    const hours = digits2(text, p + 1);
    if (hours < 0) return undefined;
    p += 3;
    if (text.charCodeAt(p) === 58) p++;
    const minutes = digits2(text, p);
    if (minutes >= 0) p += 2;
    else if (text.charCodeAt(p - 1) === 58) return undefined;
    offset = hours * 60 + Math.max(minutes, 0);
    if (c === 45) offset = -offset;
  } else if (text.startsWith("UTC", p) || text.startsWith("GMT", p)) {
    p += 3;
  } else {
    return undefined;
  }
  return isAlphanumeric(text.charCodeAt(p)) ? undefined : { offset, end: p };
}

/** The two decimal digits at `p` as a number, or -1. */
function digits2(text: string, p: number): number {
  const a = text.charCodeAt(p) - 48;
  const b = text.charCodeAt(p + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function digits4(text: string, p: number): number {
  const high = digits2(text, p);
  const low = digits2(text, p + 2);
  return high >= 0 && low >= 0 ? high * 100 + low : -1;
}

function fractionDigitsToMs(text: string, start: number, end: number): number {
  let ms = 0;
  for (let i = 0; i < 3; i++)
    ms = ms * 10 + (start + i < end ? text.charCodeAt(start + i) - 48 : 0);
  return ms;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlphanumeric(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function digitLedTimestampAt(text: string, pos: number): TimestampMatch | undefined {
  const iso = isoAt(text, pos);
  if (iso !== undefined) return iso;
  let m: RegExpExecArray | null;
  DAY_MONTH_YEAR.lastIndex = pos;
  m = DAY_MONTH_YEAR.exec(text);
  if (m !== null) return dayMonthYear(m, DAY_MONTH_YEAR.lastIndex);
  EPOCH.lastIndex = pos;
  m = EPOCH.exec(text);
  if (m !== null) {
    const ms = epochDigitsToMs(m[1] as string, m[2]);
    return ms === undefined ? undefined : { ms, end: EPOCH.lastIndex };
  }
  YYMMDD_HHMMSS.lastIndex = pos;
  m = YYMMDD_HHMMSS.exec(text);
  if (m !== null) {
    const ms = utcMs(
      2000 + Number(m[1]),
      Number(m[2]) - 1,
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
      0,
    );
    return ms === undefined ? undefined : { ms, end: YYMMDD_HHMMSS.lastIndex };
  }
  return undefined;
}

function dayMonthYear(m: RegExpExecArray, end: number): TimestampMatch | undefined {
  const month = MONTHS.get(m[3] as string);
  const offset = zoneOffset(m[9], m[10], m[11], m[12]);
  if (month === undefined || offset === undefined) return undefined;
  const ms = utcMs(
    Number(m[4]),
    month,
    Number(m[1]),
    Number(m[5]),
    Number(m[6]),
    m[7] === undefined ? 0 : Number(m[7]),
    fractionToMs(m[8]),
    offset,
  );
  return ms === undefined ? undefined : { ms, end };
}

function letterLedTimestampAt(
  text: string,
  pos: number,
  now: number | undefined,
): TimestampMatch | undefined {
  MONTH_DAY.lastIndex = pos;
  let m = MONTH_DAY.exec(text);
  if (m !== null) {
    const month = MONTHS.get(m[1] as string);
    if (month === undefined) return undefined;
    const fields = [Number(m[4]), Number(m[5]), Number(m[6]), fractionToMs(m[7])] as const;
    const ms =
      m[3] === undefined
        ? msWithoutYear(month, Number(m[2]), ...fields, now)
        : utcMs(Number(m[3]), month, Number(m[2]), ...fields);
    return ms === undefined ? undefined : { ms, end: MONTH_DAY.lastIndex };
  }
  MONTH_DAY_YEAR_AMPM.lastIndex = pos;
  m = MONTH_DAY_YEAR_AMPM.exec(text);
  if (m !== null) {
    const month = MONTHS.get(m[1] as string);
    const hour12 = Number(m[4]);
    if (month === undefined || hour12 < 1 || hour12 > 12) return undefined;
    const hour = (hour12 % 12) + (m[7] === "PM" ? 12 : 0);
    const ms = utcMs(Number(m[3]), month, Number(m[2]), hour, Number(m[5]), Number(m[6]), 0);
    return ms === undefined ? undefined : { ms, end: MONTH_DAY_YEAR_AMPM.lastIndex };
  }
  CTIME.lastIndex = pos;
  m = CTIME.exec(text);
  if (m !== null) {
    const month = MONTHS.get(m[1] as string);
    if (month === undefined) return undefined;
    const ms = utcMs(
      Number(m[7]),
      month,
      Number(m[2]),
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      fractionToMs(m[6]),
    );
    return ms === undefined ? undefined : { ms, end: CTIME.lastIndex };
  }
  DAY_NAME_COMMA.lastIndex = pos;
  if (DAY_NAME_COMMA.test(text)) {
    DAY_MONTH_YEAR.lastIndex = DAY_NAME_COMMA.lastIndex;
    m = DAY_MONTH_YEAR.exec(text);
    if (m !== null) return dayMonthYear(m, DAY_MONTH_YEAR.lastIndex);
  }
  return undefined;
}

/**
 * Epoch milliseconds from an epoch written in digits, its unit decided by the number of integer
 * digits: up to 11 seconds, up to 14 milliseconds, up to 17 microseconds, else nanoseconds.
 * Works on the digits so nanosecond values keep their millisecond precision.
 */
export function epochDigitsToMs(integer: string, fraction: string | undefined): number | undefined {
  const n = integer.length;
  let ms: number;
  if (n <= 11) ms = Number(integer) * 1000 + fractionToMs(fraction);
  else if (n <= 14) ms = Number(integer);
  else if (n <= 17) ms = Number(integer.slice(0, n - 3));
  else if (n <= 20) ms = Number(integer.slice(0, n - 6));
  else return undefined;
  return ms >= MIN_EPOCH_MS && ms < MAX_EPOCH_MS ? ms : undefined;
}

/** Epoch milliseconds from an epoch number, its unit decided by magnitude as in `epochDigitsToMs`. */
export function epochNumberToMs(n: number): number | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  let ms: number;
  if (n < 1e11) ms = n * 1000;
  else if (n < 1e14) ms = n;
  else if (n < 1e17) ms = n / 1e3;
  else ms = n / 1e6;
  ms = Math.floor(ms);
  return ms >= MIN_EPOCH_MS && ms < MAX_EPOCH_MS ? ms : undefined;
}

/** A whole string that is a timestamp (any known format, or epoch digits), as epoch ms. */
export function timestampFromString(text: string, now?: number): number | undefined {
  if (text.length === 0 || text.length > 64) return undefined;
  const digits = DIGITS_TIMESTAMP.exec(text);
  if (digits !== null) return epochDigitsToMs(digits[1] as string, digits[2]);
  const match = timestampAt(text, 0, now);
  return match !== undefined && match.end === text.length ? match.ms : undefined;
}

/**
 * A timestamp from a structured field's value: a string (see `timestampFromString`), an epoch
 * number, or `{seconds|epochSecond, nanos|nanoOfSecond}` (Google Cloud, log4j2 `instant`).
 */
export function timestampFromValue(value: unknown, now?: number): number | undefined {
  if (typeof value === "string") return timestampFromString(value, now);
  if (typeof value === "number") return epochNumberToMs(value);
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const seconds = record.seconds ?? record.epochSecond;
    const nanos = record.nanos ?? record.nanoOfSecond ?? 0;
    const s = typeof seconds === "string" ? Number(seconds) : seconds;
    if (typeof s !== "number" || typeof nanos !== "number" || !Number.isInteger(s))
      return undefined;
    const ms = s * 1000 + Math.floor(nanos / 1e6);
    return ms >= MIN_EPOCH_MS && ms < MAX_EPOCH_MS ? ms : undefined;
  }
  return undefined;
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
const MIN_FAST_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_FAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The ISO-8601 form callers get, exactly `new Date(ms).toISOString()`, built by arithmetic
 * (civil-from-days) since toISOString costs several times more and runs once per line.
 */
export function isoFromMs(ms: number): string {
  if (!(ms >= MIN_FAST_MS && ms <= MAX_FAST_MS) || !Number.isInteger(ms)) {
    return new Date(ms).toISOString();
  }
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const millis = rest - second * 1000;
  // Howard Hinnant's civil_from_days
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${TWO_DIGITS[Math.floor(year / 100)]}${TWO_DIGITS[year % 100]}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[second]}.${THREE_DIGITS[millis]}Z`;
}
