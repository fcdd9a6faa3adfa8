import * as z from "zod";

/**
 * The building blocks of the configuration: the field types each adapter's part of the schema is
 * made of (core/<adapter>/config.ts), and the shape of the checks across variables that
 * core/config/schema.ts runs once every variable has parsed. Only zod here: every bundle has it.
 */

export const flag = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "expected true or false" })
  .transform((value) => value === "true" || value === "1" || value === "yes");

/** `12`, `-3`, `0.5`, `.5`: decimal digits only, as a person writes a setting. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * A number field read from text in decimal only. `Number()` (and `z.coerce.number`) would also
 * take `0x1`, `0b1`, `1e3`, `Infinity` and an empty string (0); those fail here with the field's
 * message. Surrounding spaces are trimmed by the loader before any field sees the value.
 *
 * @example
 * decimal(z.number({ error: "expected a number" }).min(0)).parse("0x1"); // throws
 */
export const decimal = <T extends z.ZodType<number>>(number: T) =>
  z.preprocess(
    (value) => (typeof value === "string" && DECIMAL.test(value) ? Number(value) : value),
    number,
  );

const wholeNumber = (min: number, max: number) =>
  decimal(
    z
      .number({ error: "expected a whole number" })
      .int({ error: "expected a whole number" })
      .min(min, { error: `expected a number of at least ${min}` })
      .max(max, { error: `expected a number of at most ${max}` }),
  );

export const positiveInt = (max = Number.MAX_SAFE_INTEGER) => wholeNumber(1, max);

/** Like positiveInt, but 0 is allowed (a port of 0 picks a free one; a queue of 0 waits for none). */
export const nonNegativeInt = (max = Number.MAX_SAFE_INTEGER) => wholeNumber(0, max);

export const fraction = decimal(
  z
    .number({ error: "expected a number between 0 and 1" })
    .min(0, { error: "expected a number between 0 and 1" })
    .max(1, { error: "expected a number between 0 and 1" }),
);

export const commaList = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .pipe(z.array(item));

export const email = z.email({ error: "expected an e-mail address" });
export const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
export const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: "expected host:port entries, comma-separated" });

export const positiveNumber = decimal(
  z.number({ error: "expected a number above 0" }).positive({ error: "expected a number above 0" }),
);

const DURATION_UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** "90s", "30m", "2h", "7d" → milliseconds (`sentinel ingest aws --since` takes the same). */
export const durationMs = z
  .string()
  .regex(/^[1-9]\d{0,5}[smhd]$/, { error: "expected a duration such as 30m, 2h or 7d" })
  .transform(
    (value) =>
      Number(value.slice(0, -1)) * DURATION_UNIT_MS[value.at(-1) as keyof typeof DURATION_UNIT_MS],
  );

/** What is wrong with the configuration: the variable to change, and what it expects. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/**
 * A check across variables that have each parsed on their own: values that are fine alone but
 * that a command would refuse together. Each problem names the variable to change. Messages are
 * shown as written (no value is added to them), so they never hold a secret's value.
 */
export interface CrossFieldRule<C> {
  /** Unique, e.g. "loki-basic-auth"; core/config/crossFieldRules.test.ts has cases for each. */
  readonly name: string;
  readonly check: (config: C) => ConfigProblem[];
}

/** `variable` is required when `when` holds: unset, or an empty list, is a problem then. */
export function requiredWhen<C>(
  config: C,
  variable: keyof C & string,
  when: boolean,
  because: string,
): ConfigProblem[] {
  const value = config[variable];
  const missing = value === undefined || (Array.isArray(value) && value.length === 0);
  return when && missing ? [{ variable, message: `required when ${because}` }] : [];
}
