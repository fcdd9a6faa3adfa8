import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import type { z } from "zod";
import { type Config, type ConfigVariable, configSchema, SECRET_VARIABLES } from "./schema.js";

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
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
}

/**
 * Reads, validates and types the configuration once, at start.
 * A bad value throws a ConfigError that names each variable and what it expects.
 *
 * @example
 * const config = loadConfig({ env: { ANOMALY_THRESHOLD: "0.8" }, envFile: false });
 * config.ANOMALY_THRESHOLD; // 0.8
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const fileValues = readEnvFile(options.envFile ?? envFileFromEnvironment(env));
  const raw: Record<string, string> = {};
  for (const variable of Object.keys(configSchema.shape)) {
    // An empty value means "not set", as it does in docker compose and most shells' .env use.
    const value = env[variable] ?? fileValues[variable];
    if (value !== undefined && value.trim() !== "") raw[variable] = value.trim();
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(describeIssues(result.error, raw));
  const config = result.data;
  checkCombinations(config);
  return config;
}

function envFileFromEnvironment(env: Record<string, string | undefined>): string | false {
  if (env.SENTINEL_ENV_FILE) return env.SENTINEL_ENV_FILE;
  return existsSync(".env") ? ".env" : false;
}

function readEnvFile(path: string | false): Record<string, string> {
  if (path === false) return {};
  try {
    return parseEnv(readFileSync(path, "utf8")) as Record<string, string>;
  } catch (error) {
    throw new ConfigError([
      {
        variable: "SENTINEL_ENV_FILE",
        message: `cannot read ${path}: ${(error as Error).message}`,
      },
    ]);
  }
}

function describeIssues(error: z.ZodError, raw: Record<string, string>) {
  return error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? "configuration");
    const isSecret = SECRET_VARIABLES.includes(variable as ConfigVariable);
    const got =
      raw[variable] === undefined || isSecret ? "" : ` (got ${JSON.stringify(raw[variable])})`;
    return { variable, message: `${issue.message}${got}` };
  });
}

function checkCombinations(config: Config): void {
  const problems: { variable: string; message: string }[] = [];
  const require = (variable: ConfigVariable, when: boolean, because: string) => {
    const value = config[variable];
    const missing = value === undefined || (Array.isArray(value) && value.length === 0);
    if (when && missing) problems.push({ variable, message: `required when ${because}` });
  };
  require("EMAIL_RECIPIENTS", config.SMTP_HOST !== undefined, "SMTP_HOST is set");
  require("EMAIL_FROM", config.SMTP_HOST !== undefined, "SMTP_HOST is set");
  const ses = config.EMAIL_TRANSPORT === "ses";
  require("EMAIL_RECIPIENTS", ses && config.SMTP_HOST === undefined, "EMAIL_TRANSPORT is ses");
  require("EMAIL_FROM", ses && config.SMTP_HOST === undefined, "EMAIL_TRANSPORT is ses");
  require("AWS_REGION", ses, "EMAIL_TRANSPORT is ses");
  require("SMTP_PASSWORD", config.SMTP_USERNAME !== undefined, "SMTP_USERNAME is set");
  require("SMTP_USERNAME", config.SMTP_PASSWORD !== undefined, "SMTP_PASSWORD is set");
  require("AZURE_TENANT_ID", config.AZURE_CLIENT_SECRET !==
    undefined, "AZURE_CLIENT_SECRET is set");
  require("AZURE_CLIENT_ID", config.AZURE_CLIENT_SECRET !==
    undefined, "AZURE_CLIENT_SECRET is set");
  const sasl = config.KAFKA_SASL_MECHANISM;
  const userPassword = sasl === "plain" || sasl.startsWith("scram");
  require("KAFKA_SASL_USERNAME", userPassword, `KAFKA_SASL_MECHANISM is ${sasl}`);
  require("KAFKA_SASL_PASSWORD", userPassword, `KAFKA_SASL_MECHANISM is ${sasl}`);
  require("AWS_REGION", sasl === "aws-msk-iam", "KAFKA_SASL_MECHANISM is aws-msk-iam");
  if (problems.length > 0) throw new ConfigError(problems);
}

/** The configuration with secrets replaced, safe to print or log. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...config };
  for (const variable of SECRET_VARIABLES) {
    if (copy[variable] !== undefined) copy[variable] = "[redacted]";
  }
  return copy;
}
