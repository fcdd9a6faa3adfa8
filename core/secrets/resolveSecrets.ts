import type { Config } from "../config/schema.js";
import { type ReadSecret, sdkReadSecret } from "./client.js";
import { SecretError } from "./errors.js";

/**
 * Secrets read at run time from AWS Secrets Manager instead of plain environment variables: each
 * `*_SECRET_ARN` variable names a secret whose value stands in for the variables it replaces.
 *
 * | variable                     | secret value                              | stands in for                |
 * | ---------------------------- | ----------------------------------------- | ---------------------------- |
 * | SMTP_CREDENTIALS_SECRET_ARN  | `{"username": "...", "password": "..."}`  | SMTP_USERNAME, SMTP_PASSWORD |
 * | TEAMS_WEBHOOK_URL_SECRET_ARN | the webhook URL                           | TEAMS_WEBHOOK_URL            |
 *
 * The schema refuses a secret ARN together with the variables it stands in for, so there is one
 * source for each value. Both variables it fills are in SECRET_VARIABLES: they are redacted
 * wherever the configuration is printed or logged.
 */

export type SecretSettings = Pick<
  Config,
  "SMTP_CREDENTIALS_SECRET_ARN" | "TEAMS_WEBHOOK_URL_SECRET_ARN"
>;

const reads = new Map<string, Promise<string>>();

/**
 * The configuration with every secret it names read and put in place. Each secret is read once
 * per process (kept across warm Lambda invocations); a failed read is tried again on the next
 * call. Throws a SecretError naming the variable when a secret is missing, unreadable or not the
 * expected shape.
 *
 * @example
 * const config = await resolveSecrets(loadConfig());
 * createChannels(config, logger); // SMTP auth and the Teams webhook from Secrets Manager
 */
export async function resolveSecrets<C extends Config>(
  config: C,
  options: { readSecret?: ReadSecret } = {},
): Promise<C> {
  const read = options.readSecret ?? sdkReadSecret;
  const resolved: C = { ...config };
  const smtpArn = config.SMTP_CREDENTIALS_SECRET_ARN;
  const teamsArn = config.TEAMS_WEBHOOK_URL_SECRET_ARN;
  const [smtp, teams] = await Promise.all([
    smtpArn && secretValue("SMTP_CREDENTIALS_SECRET_ARN", smtpArn, read),
    teamsArn && secretValue("TEAMS_WEBHOOK_URL_SECRET_ARN", teamsArn, read),
  ]);
  if (smtp) {
    const credentials = smtpCredentials(smtp);
    resolved.SMTP_USERNAME = credentials.username;
    resolved.SMTP_PASSWORD = credentials.password;
  }
  if (teams) resolved.TEAMS_WEBHOOK_URL = teamsWebhookUrl(teams);
  return resolved;
}

function secretValue(variable: string, arn: string, read: ReadSecret): Promise<string> {
  let value = reads.get(arn);
  if (!value) {
    value = readOne(variable, arn, read).catch((error: unknown) => {
      reads.delete(arn);
      throw error;
    });
    reads.set(arn, value);
  }
  return value;
}

async function readOne(variable: string, arn: string, read: ReadSecret): Promise<string> {
  let value: string | undefined;
  try {
    value = await read(arn);
  } catch (error) {
    const { name, message } = error as Error;
    throw new SecretError(variable, `cannot read secret ${arn}: ${name}: ${message}`, {
      cause: error,
    });
  }
  if (value === undefined || value.trim() === "")
    throw new SecretError(variable, `secret ${arn} has no string value (SecretString)`);
  return value.trim();
}

const SMTP = "SMTP_CREDENTIALS_SECRET_ARN";

/** `{"username", "password"}`; errors say what is wrong without repeating any of the value. */
export function smtpCredentials(value: string): { username: string; password: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // JSON.parse's own message quotes the text it choked on: never shown.
    throw new SecretError(
      SMTP,
      'the secret is not JSON: expected {"username": ..., "password": ...}',
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new SecretError(
      SMTP,
      'the secret is not a JSON object: expected {"username": ..., "password": ...}',
    );
  const fields = parsed as Record<string, unknown>;
  const missing = ["username", "password"].filter(
    (field) => typeof fields[field] !== "string" || (fields[field] as string).length === 0,
  );
  if (missing.length > 0)
    throw new SecretError(
      SMTP,
      `the secret has no ${missing.join(" or ")} (expected non-empty strings under "username" and "password")`,
    );
  return { username: fields.username as string, password: fields.password as string };
}

/** An http(s) URL; the error names the variable, not the value. */
export function teamsWebhookUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:"))
    throw new SecretError(
      "TEAMS_WEBHOOK_URL_SECRET_ARN",
      "the secret is not an http(s) URL: expected the webhook URL as the secret's plain text value",
    );
  return value;
}

/** Forgets the secrets read so far (tests). */
export function forgetSecrets(): void {
  reads.clear();
}
