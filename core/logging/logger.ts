import { type DestinationStream, type Logger, pino } from "pino";
import pretty from "pino-pretty";
import { SECRET_VARIABLES } from "../config/schema.js";

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** `auto` is human-readable on a terminal and JSON otherwise. */
  format?: "auto" | "json" | "pretty";
  /** Defaults to stderr: stdout is kept for data. */
  destination?: DestinationStream;
}

/** Field paths whose values are never written, wherever they appear in a log call. */
const REDACT_PATHS = [
  "password",
  "*.password",
  "secret",
  "*.secret",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  ...SECRET_VARIABLES.flatMap((name) => [name, `*.${name}`]),
];

/** Structured JSON logs on stderr, or a readable rendering of the same on a terminal. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? "auto";
  const usePretty = format === "pretty" || (format === "auto" && process.stderr.isTTY === true);
  const destination =
    options.destination ??
    (usePretty
      ? pretty({ destination: 2, sync: true, colorize: true, ignore: "pid,hostname" })
      : pino.destination({ dest: 2, sync: true }));
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "sentinel" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
