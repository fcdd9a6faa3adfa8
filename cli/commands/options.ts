import { type Command, InvalidArgumentError, Option } from "commander";
import { durationMs } from "../../core/config/fields.js";
import type { InputFormat } from "../../core/normalize/index.js";

function oneOf<T extends string>(allowed: readonly T[]) {
  return (value: string): T => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`expected one of ${allowed.join(", ")}`);
  };
}

const parseFormat = oneOf<InputFormat>(["auto", "json", "text", "syslog"]);
export const parseOutput = oneOf(["summary", "json", "jsonl"] as const);
export const parseSuggestions = oneOf(["background", "wait", "off"] as const);

export function parsePositiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError("expected a whole number of at least 1");
  return parsed;
}

export function parsePositiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new InvalidArgumentError("expected a number above 0");
  return parsed;
}

/** `-f, --format`, shared by every command that reads log lines. */
export function formatOption(): Option {
  return new Option("-f, --format <format>", "input format: auto, json, text or syslog")
    .argParser(parseFormat)
    .default("auto");
}

/** "90s", "30m", "2h", "7d" → milliseconds. */
export function parseDuration(value: string): number {
  const parsed = durationMs.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError("expected a duration such as 30m, 2h or 7d");
  return parsed.data;
}

/** `--since`: how far back a source without a checkpoint starts (default 1h). */
export function sinceOption(): Option {
  return new Option(
    "--since <duration>",
    "without a checkpoint, start this long ago: 90s, 30m, 2h, 7d",
  )
    .argParser(parseDuration)
    .default(3_600_000, "1h");
}

/** `--brokers`; its own module's, so a command that may not use Kafka does not load the client. */
export function addKafkaOptions(command: Command): Command {
  return command.option(
    "--brokers <list>",
    "Kafka bootstrap brokers, host:port,... (default: KAFKA_BROKERS)",
  );
}
