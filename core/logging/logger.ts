import { createRequire } from "node:module";
import { type DestinationStream, type Logger, pino } from "pino";
import type { PrettyStream } from "pino-pretty";
import { SECRET_VARIABLES } from "../config/schema.js";
import { jsonLogLineForTerminal } from "./terminalText.js";

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
    options.destination ?? (usePretty ? prettyStream() : pino.destination({ dest: 2, sync: true }));
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

/**
 * pino-pretty is loaded only when a person reads the logs on a terminal. The Lambda and Azure
 * bundles leave it out (scripts/bundle.mjs marks it external): they never run on a terminal.
 */
function prettyStream(): DestinationStream {
  const require = createRequire(import.meta.url);
  const pretty = require("pino-pretty") as typeof import("pino-pretty");
  return terminalSafe(
    pretty.build({ destination: 2, sync: true, colorize: true, ignore: "pid,hostname" }),
  );
}

/**
 * pino-pretty decodes each JSON line for the terminal, escapes included: a logged input line with
 * `\u001b[2J` would clear the screen. Those escapes become visible text before it decodes them.
 */
function terminalSafe(pretty: PrettyStream): DestinationStream {
  return { write: (line: string) => pretty.write(jsonLogLineForTerminal(line)) };
}
