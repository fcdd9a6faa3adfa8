import { existsSync, readFileSync } from "node:fs";
import type * as z from "zod";
import { parseEnvFile } from "./envFile.js";
import type { ConfigProblem } from "./fields.js";
import {
  type Config,
  type ConfigVariable,
  CROSS_FIELD_ISSUE,
  configSchema,
  SECRET_VARIABLES,
} from "./schema.js";
import { describeUnknown, unknownVariables } from "./unknownVariables.js";

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

export interface LoadConfigOptions {
  /** Variables to read; defaults to process.env. They win over the .env file. */
  env?: Record<string, string | undefined>;
  /** A .env file to read below `env`; defaults to ./.env when it exists. `false` reads none. */
  envFile?: string | false;
  /**
   * Told about names in the project's prefixes that nothing reads (`KAFKA_BROKER`), from the
   * environment or the file, with the closest known name. Default: a process warning on stderr.
   */
  warn?: (message: string) => void;
}

/**
 * Reads, validates and types the configuration once, at start.
 * A bad value throws a ConfigError that names each variable and what it expects, and so do
 * values that do not go together (CROSS_FIELD_RULES in ./schema.ts), once each value is valid.
 *
 * @example
 * const config = loadConfig({ env: { ANOMALY_THRESHOLD: "0.8" }, envFile: false });
 * config.ANOMALY_THRESHOLD; // 0.8
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const envFile = options.envFile ?? envFileFromEnvironment(env);
  const fileValues = readEnvFile(envFile);
  const warn = options.warn ?? ((message) => process.emitWarning(message, "ConfigWarning"));
  const known = Object.keys(configSchema.shape);
  for (const unknown of unknownVariables(Object.keys(env), known))
    warn(describeUnknown(unknown, "environment"));
  if (envFile !== false)
    for (const unknown of unknownVariables(Object.keys(fileValues), known))
      if (!(unknown.name in env)) warn(describeUnknown(unknown, envFile));
  const raw: Record<string, string> = {};
  for (const variable of Object.keys(configSchema.shape)) {
    // An empty value means "not set", as it does in docker compose and most shells' .env use.
    const value = env[variable] ?? fileValues[variable];
    if (value !== undefined && value.trim() !== "") raw[variable] = value.trim();
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(describeIssues(result.error, raw));
  return result.data;
}

function envFileFromEnvironment(env: Record<string, string | undefined>): string | false {
  if (env.SENTINEL_ENV_FILE) return env.SENTINEL_ENV_FILE;
  return existsSync(".env") ? ".env" : false;
}

function readEnvFile(path: string | false): Record<string, string> {
  if (path === false) return {};
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError([
      {
        variable: "SENTINEL_ENV_FILE",
        message: `cannot read ${path}: ${(error as Error).message}`,
      },
    ]);
  }
  const { values, problems } = parseEnvFile(text, path);
  if (problems.length > 0) throw new ConfigError(problems);
  return values;
}

function describeIssues(error: z.ZodError, raw: Record<string, string>): ConfigProblem[] {
  return error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? "configuration");
    // A cross-field rule's message says what it needs to; it is shown as written.
    if (issue.code === "custom" && issue.params?.[CROSS_FIELD_ISSUE] !== undefined)
      return { variable, message: issue.message };
    const isSecret = SECRET_VARIABLES.includes(variable as ConfigVariable);
    const got =
      raw[variable] === undefined || isSecret ? "" : ` (got ${JSON.stringify(raw[variable])})`;
    return { variable, message: `${issue.message}${got}` };
  });
}

/** The configuration with secrets replaced, safe to print or log. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...config };
  for (const variable of SECRET_VARIABLES) {
    if (copy[variable] !== undefined) copy[variable] = "[redacted]";
  }
  return copy;
}
