import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseEnvFile } from "./envFile.js";
import { ConfigError, loadConfig } from "./load.js";

const dir = mkdtempSync(join(tmpdir(), "sentinel-env-file-"));

function envFile(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function problemsLoading(path: string): string[] {
  try {
    loadConfig({ env: {}, envFile: path, warn: () => undefined });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => `${p.variable}: ${p.message}`);
  }
  assert.fail("expected a ConfigError");
}

describe("the .env file", () => {
  it("reads the first variable of a file that starts with a UTF-8 byte order mark", () => {
    const path = envFile("bom.env", "\uFEFFANOMALY_THRESHOLD=0.9\nDEDUP_WINDOW_MINUTES=3\n");
    const config = loadConfig({ env: {}, envFile: path });
    assert.equal(config.ANOMALY_THRESHOLD, 0.9);
    assert.equal(config.DEDUP_WINDOW_MINUTES, 3);
  });

  it("rejects an unterminated quote with its line number, and never shows the value", () => {
    const path = envFile(
      "unterminated.env",
      'ANOMALY_THRESHOLD=0.9\n# a comment\nSMTP_PASSWORD="NotARealPassword\nDEDUP_WINDOW_MINUTES=3\n',
    );
    const problems = problemsLoading(path);
    assert.deepEqual(problems, [
      `SENTINEL_ENV_FILE: ${path} line 3: SMTP_PASSWORD: the " that opens its value is never closed`,
    ]);
    assert.ok(!problems.join("").includes("NotARealPassword"));
  });

  it("rejects lines that are not NAME=value, and text after a closing quote, each by line", () => {
    const path = envFile(
      "malformed.env",
      "ANOMALY_THRESHOLD=0.9\nthis is not an assignment\nSMTP_HOST='mail' trailing\n=x\n",
    );
    assert.deepEqual(problemsLoading(path), [
      `SENTINEL_ENV_FILE: ${path} line 2: expected NAME=value`,
      `SENTINEL_ENV_FILE: ${path} line 3: SMTP_HOST: unexpected text after the closing '`,
      `SENTINEL_ENV_FILE: ${path} line 4: expected NAME=value`,
    ]);
  });

  it("reads the dotenv forms: export, comments, quotes, escapes, multi-line values, CRLF", () => {
    const { values, problems } = parseEnvFile(
      [
        "# comment",
        "export A=plain value # comment",
        'B="line1\\nline2 \\"q\\" # not a comment" # comment',
        "C='raw \\n # kept'",
        'D="first',
        'second"',
        "E=",
        "F = spaced ",
        "G=url#fragment",
        "",
      ].join("\r\n"),
      ".env",
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(values, {
      A: "plain value",
      B: 'line1\nline2 "q" # not a comment',
      C: "raw \\n # kept",
      D: "first\nsecond",
      E: "",
      F: "spaced",
      G: "url#fragment",
    });
  });
});

describe("unknown variables in the project's prefixes", () => {
  function warningsFor(env: Record<string, string>, file?: string): string[] {
    const warnings: string[] = [];
    loadConfig({
      env,
      envFile: file === undefined ? false : envFile("unknown.env", file),
      warn: (m) => warnings.push(m),
    });
    return warnings;
  }

  it("warns on a typo with the closest known name, from the environment and the file", () => {
    assert.deepEqual(warningsFor({ KAFKA_BROKER: "b:9092" }, "ALERT_MASK_EMAIL=true\n"), [
      "KAFKA_BROKER (environment) is not a known variable and is ignored; did you mean KAFKA_BROKERS?",
      `ALERT_MASK_EMAIL (${join(dir, "unknown.env")}) is not a known variable and is ignored; did you mean ALERT_MASK_EMAILS?`,
    ]);
  });

  it("says only that it is unknown when nothing is close", () => {
    assert.deepEqual(warningsFor({ SENTINEL_SOMETHING_ELSE_ENTIRELY: "1" }), [
      "SENTINEL_SOMETHING_ELSE_ENTIRELY (environment) is not a known variable and is ignored",
    ]);
  });

  it("leaves alone other software's names and the known ones", () => {
    assert.deepEqual(
      warningsFor({
        AWS_REGION: "eu-west-1",
        AWS_LAMBDA_FUNCTION_NAME: "f",
        AZURE_FEDERATED_TOKEN_FILE: "/var/run/token",
        AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com",
        PATH: "/bin",
        KAFKAJS_NO_PARTITIONER_WARNING: "1",
        KAFKA_BROKERS: "b:9092",
        SENTINEL_ENV_FILE: "",
      }),
      [],
    );
  });
});

describe("numbers in the configuration", () => {
  function problemFor(variable: string, value: string): string | undefined {
    try {
      loadConfig({ env: { [variable]: value }, envFile: false, warn: () => undefined });
      return undefined;
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems[0]?.message;
    }
  }

  for (const [variable, value] of [
    ["ANOMALY_THRESHOLD", "0x1"],
    ["ANOMALY_THRESHOLD", "0b1"],
    ["ANOMALY_THRESHOLD", "1e-1"],
    ["ANOMALY_THRESHOLD", "Infinity"],
    ["DEDUP_WINDOW_MINUTES", "1e3"],
    ["DEDUP_WINDOW_MINUTES", "0x10"],
    ["DEDUP_WINDOW_MINUTES", "10 minutes"],
    ["DEDUP_WINDOW_MINUTES", "Infinity"],
    ["DEDUP_WINDOW_MINUTES", "1_000"],
    ["LOKI_RATE_LIMIT", "0x10"],
  ] as const) {
    it(`refuses ${variable}=${value}`, () => {
      assert.match(problemFor(variable, value) ?? "accepted", /^expected .*\(got /);
    });
  }

  it("accepts decimal numbers, with surrounding spaces trimmed", () => {
    const config = loadConfig({
      env: { ANOMALY_THRESHOLD: " .85 ", DEDUP_WINDOW_MINUTES: " 12 ", LOKI_RATE_LIMIT: "2.5" },
      envFile: false,
    });
    assert.equal(config.ANOMALY_THRESHOLD, 0.85);
    assert.equal(config.DEDUP_WINDOW_MINUTES, 12);
    assert.equal(config.LOKI_RATE_LIMIT, 2.5);
  });
});
