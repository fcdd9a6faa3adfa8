import type { Level } from "../events/types.js";

/**
 * Level words and numbers, as the many logging libraries write them, mapped to our seven levels.
 *
 * Two readers share one table: `levelFromValue` reads a value that a field already says is a level
 * (JSON `level`, logfmt `lvl=`), so it accepts any case and single letters; `textLevelWord` reads a
 * word inside free text, where the word itself must look like a level (see its doc).
 */

const RANK: Readonly<Record<Level, number>> = {
  trace: 0,
  debug: 1,
  info: 2,
  notice: 3,
  warn: 4,
  error: 5,
  fatal: 6,
};

/** The more severe of two levels; `b` when `a` is missing. */
export function moreSevere(a: Level | undefined, b: Level): Level {
  return a !== undefined && RANK[a] >= RANK[b] ? a : b;
}

// Lower-cased names. "strong" names are level words wherever they stand in the header of a text
// line; "weak" ones are also ordinary words, so in text they count only upper-case and bracketed
// or followed by ":" (`LOG:` from Postgres, `FINE:` from java.util.logging).
const STRONG_NAMES: ReadonlyArray<readonly [string, Level]> = [
  ["trace", "trace"],
  ["trc", "trace"],
  ["trce", "trace"], // .NET console
  ["trac", "trace"], // logrus text
  ["debug", "debug"],
  ["dbg", "debug"],
  ["dbug", "debug"], // .NET console
  ["debu", "debug"], // logrus text
  ["verbose", "debug"],
  ["vrb", "debug"],
  ["info", "info"],
  ["inf", "info"],
  ["notice", "notice"],
  ["warn", "warn"],
  ["warning", "warn"],
  ["wrn", "warn"],
  ["error", "error"],
  ["err", "error"],
  ["erro", "error"], // logrus text
  ["eror", "error"],
  ["severe", "error"], // java.util.logging
  ["fail", "error"], // .NET console
  ["fatal", "fatal"],
  ["fata", "fatal"], // logrus text
  ["ftl", "fatal"],
  ["critical", "fatal"],
  ["crit", "fatal"],
  ["emerg", "fatal"],
  ["emergency", "fatal"],
  ["alert", "fatal"],
  ["panic", "fatal"],
  ["pani", "fatal"], // logrus text
];

const WEAK_NAMES: ReadonlyArray<readonly [string, Level]> = [
  ["finest", "trace"],
  ["finer", "trace"],
  ["silly", "trace"], // winston
  ["fine", "debug"],
  ["config", "debug"],
  ["debug1", "debug"], // Postgres DEBUG1..DEBUG5
  ["debug2", "debug"],
  ["debug3", "debug"],
  ["debug4", "debug"],
  ["debug5", "debug"],
  ["log", "info"], // Postgres
  ["http", "info"], // winston
  ["information", "info"], // Serilog, .NET
  ["informational", "info"],
  ["dpanic", "error"], // zap
];

// Single letters: klog/glog, logcat, Serilog short forms. Only read from fields that are levels.
const LETTER_NAMES: ReadonlyArray<readonly [string, Level]> = [
  ["t", "trace"],
  ["v", "debug"],
  ["d", "debug"],
  ["i", "info"],
  ["n", "notice"],
  ["w", "warn"],
  ["e", "error"],
  ["f", "fatal"],
];

const STRONG = new Map<string, Level>(STRONG_NAMES);
const ANY_NAME = new Map<string, Level>([...STRONG_NAMES, ...WEAK_NAMES, ...LETTER_NAMES]);
const TEXT_NAME = new Map<string, Level>([...STRONG_NAMES, ...WEAK_NAMES]);

const LONGEST_TEXT_NAME = 13;

/** Level for a level name in any case (`"ERROR"`, `"Warning"`, `"e"`); undefined if unknown. */
export function levelFromName(name: string): Level | undefined {
  if (name.length > LONGEST_TEXT_NAME) return undefined;
  const exact = ANY_NAME.get(name);
  return exact ?? ANY_NAME.get(name.trim().toLowerCase());
}

/**
 * Level for a word found in free text.
 * - `marked`: the word is bracketed (`[error]`, `<warn>`) or followed by ":" (`Error:`). Strong
 *   names count in any case, weak names only upper-case.
 * - not marked (bare): only upper-case strong names count (`ERROR`, not `Error` or `error`).
 */
export function textLevelWord(word: string, marked: boolean): Level | undefined {
  if (word.length < 3 || word.length > LONGEST_TEXT_NAME) return undefined;
  const upper = isUpperCase(word);
  if (!marked) return upper ? STRONG.get(word.toLowerCase()) : undefined;
  const lower = word.toLowerCase();
  return STRONG.get(lower) ?? (upper ? TEXT_NAME.get(lower) : undefined);
}

function isUpperCase(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 97 && c <= 122) return false;
  }
  return true;
}

/** Syslog severity 0..7 (RFC 5424 table 2): 0-2 fatal, 3 error, 4 warn, 5 notice, 6 info, 7 debug. */
export function levelFromSyslogSeverity(severity: number): Level | undefined {
  return SYSLOG_SEVERITY[severity];
}

const SYSLOG_SEVERITY: readonly Level[] = [
  "fatal",
  "fatal",
  "fatal",
  "error",
  "warn",
  "notice",
  "info",
  "debug",
];

/**
 * Level for a number found in a level field. Three scales are in common use and do not overlap:
 * - 0..7: syslog severity (journald `PRIORITY`, GELF `level`);
 * - 10..99: pino/bunyan (10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal);
 * - 100 and up: Monolog (100 debug, 200 info, 250 notice, 300 warning, 400 error, 500+ fatal).
 */
export function levelFromNumber(n: number): Level | undefined {
  if (!Number.isInteger(n) || n < 0) return undefined;
  if (n <= 7) return SYSLOG_SEVERITY[n];
  if (n < 10) return undefined;
  if (n < 100) {
    if (n < 20) return "trace";
    if (n < 30) return "debug";
    if (n < 40) return "info";
    if (n < 50) return "warn";
    if (n < 60) return "error";
    return "fatal";
  }
  if (n < 200) return "debug";
  if (n < 250) return "info";
  if (n < 300) return "notice";
  if (n < 400) return "warn";
  if (n < 500) return "error";
  return "fatal";
}

/** OpenTelemetry SeverityNumber 1..24: four steps each for trace, debug, info, warn, error, fatal. */
export function levelFromOtelSeverityNumber(n: number): Level | undefined {
  if (!Number.isInteger(n) || n < 1 || n > 24) return undefined;
  return OTEL_SEVERITY[(n - 1) >> 2];
}

const OTEL_SEVERITY: readonly Level[] = ["trace", "debug", "info", "warn", "error", "fatal"];

const DIGITS = /^\d{1,4}$/;

/** Level from a level field's value: a name, a number, or a number as a string. */
export function levelFromValue(value: unknown): Level | undefined {
  if (typeof value === "string") {
    return (
      levelFromName(value) ?? (DIGITS.test(value) ? levelFromNumber(Number(value)) : undefined)
    );
  }
  if (typeof value === "number") return levelFromNumber(value);
  return undefined;
}
