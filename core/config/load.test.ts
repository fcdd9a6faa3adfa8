import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigError, loadConfig, redactedConfig } from "./load.js";
import { configSchema } from "./schema.js";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ env, envFile: false });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems.map((p) => `${p.variable}: ${p.message}`);
  }
  assert.fail("expected a ConfigError");
}

describe("loadConfig", () => {
  it("gives the documented defaults", () => {
    const config = loadConfig({ env: {}, envFile: false });
    assert.equal(config.ANOMALY_THRESHOLD, 0.7);
    assert.equal(config.DEDUP_WINDOW_MINUTES, 10);
    assert.equal(config.SEND_PREVENTIVE_EMAILS, false);
    assert.deepEqual(config.EMAIL_RECIPIENTS, []);
  });

  it("types values from the environment", () => {
    const config = loadConfig({
      env: {
        ANOMALY_THRESHOLD: "0.85",
        SEND_PREVENTIVE_EMAILS: "true",
        SMTP_HOST: "smtp.example.com",
        EMAIL_FROM: "sentinel@example.com",
        EMAIL_RECIPIENTS: "oncall@example.com, ops@example.com",
        KAFKA_BROKERS: "b-1.example:9092,b-2.example:9092",
      },
      envFile: false,
    });
    assert.equal(config.ANOMALY_THRESHOLD, 0.85);
    assert.equal(config.SEND_PREVENTIVE_EMAILS, true);
    assert.deepEqual(config.EMAIL_RECIPIENTS, ["oncall@example.com", "ops@example.com"]);
    assert.deepEqual(config.KAFKA_BROKERS, ["b-1.example:9092", "b-2.example:9092"]);
  });

  it("names the variable and what it expects when a value is bad", () => {
    assert.deepEqual(problemsOf({ ANOMALY_THRESHOLD: "high" }), [
      'ANOMALY_THRESHOLD: expected a number between 0 and 1 (got "high")',
    ]);
    assert.deepEqual(
      problemsOf({ DEDUP_WINDOW_MINUTES: "-5", SEND_PREVENTIVE_EMAILS: "sometimes" }),
      [
        'DEDUP_WINDOW_MINUTES: expected a number of at least 1 (got "-5")',
        'SEND_PREVENTIVE_EMAILS: expected true or false (got "sometimes")',
      ],
    );
    assert.deepEqual(problemsOf({ EMAIL_RECIPIENTS: "oncall@example.com,not-an-address" }), [
      'EMAIL_RECIPIENTS: expected an e-mail address (got "oncall@example.com,not-an-address")',
    ]);
  });

  it("names the grouping variable that is wrong", () => {
    assert.deepEqual(
      problemsOf({
        ALERT_GROUP_BY: "service,host",
        ALERT_GROUP_CHANGE_FACTOR: "1",
        ALERT_GROUP_WAIT_SECONDS: "-1",
      }).map((problem) => problem.split(":")[0]),
      ["ALERT_GROUP_BY", "ALERT_GROUP_WAIT_SECONDS", "ALERT_GROUP_CHANGE_FACTOR"],
    );
    const config = loadConfig({ env: { ALERT_GROUP_BY: "service, kind" }, envFile: false });
    assert.deepEqual(config.ALERT_GROUP_BY, ["service", "kind"]);
  });

  it("never echoes a secret's value in an error", () => {
    const problems = problemsOf({ TEAMS_WEBHOOK_URL: "not a url with sekrit-value" });
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? "", /^TEAMS_WEBHOOK_URL: expected an http\(s\) URL$/);
  });

  it("checks variables that only make sense together", () => {
    assert.deepEqual(problemsOf({ SMTP_HOST: "smtp.example.com" }), [
      "EMAIL_RECIPIENTS: required when SMTP_HOST is set",
      "EMAIL_FROM: required when SMTP_HOST is set",
    ]);
  });

  it("reads a .env file below the environment, which wins", () => {
    const dir = mkdtempSync(join(tmpdir(), "sentinel-config-"));
    const file = join(dir, ".env");
    writeFileSync(file, "ANOMALY_THRESHOLD=0.9\nDEDUP_WINDOW_MINUTES=30\n# a comment\n");
    const config = loadConfig({ env: { DEDUP_WINDOW_MINUTES: "5" }, envFile: file });
    assert.equal(config.ANOMALY_THRESHOLD, 0.9);
    assert.equal(config.DEDUP_WINDOW_MINUTES, 5);
  });

  it("fails clearly when the .env file named cannot be read", () => {
    assert.throws(
      () => loadConfig({ env: {}, envFile: "/nonexistent/.env" }),
      /SENTINEL_ENV_FILE: cannot read \/nonexistent\/.env/,
    );
  });

  it("redacts secrets for printing", () => {
    const config = loadConfig({
      env: { SMTP_USERNAME: "u", SMTP_PASSWORD: "pw-value" },
      envFile: false,
    });
    assert.equal(redactedConfig(config).SMTP_PASSWORD, "[redacted]");
  });

  it("gives the classifier service's documented defaults, with the rest alongside", () => {
    const config = loadConfig({ env: {}, envFile: false });
    assert.equal(config.CLASSIFIER_HOST, "0.0.0.0");
    assert.equal(config.CLASSIFIER_PORT, 8080);
    assert.equal(config.CLASSIFIER_API_TOKEN, undefined);
    assert.equal(config.CLASSIFIER_MAX_BODY_BYTES, 1_048_576);
    assert.equal(config.CLASSIFIER_MAX_BATCH_SIZE, 256);
    assert.equal(config.CLASSIFIER_CONCURRENCY, 1);
    assert.equal(config.CLASSIFIER_MAX_QUEUED_BATCHES, 32);
    assert.equal(config.CLASSIFIER_SHUTDOWN_TIMEOUT_SECONDS, 30);
    assert.equal(config.SENTINEL_CACHE_SIZE, 50_000);
  });

  it("reads the classifier service's variables from the .env file too", () => {
    const file = join(mkdtempSync(join(tmpdir(), "sentinel-classifier-config-")), ".env");
    writeFileSync(file, "CLASSIFIER_PORT=9001\nSENTINEL_CACHE_SIZE=10\n");
    const config = loadConfig({ env: { CLASSIFIER_CONCURRENCY: "2" }, envFile: file });
    assert.equal(config.CLASSIFIER_PORT, 9001);
    assert.equal(config.SENTINEL_CACHE_SIZE, 10);
    assert.equal(config.CLASSIFIER_CONCURRENCY, 2);
  });

  it("accepts 0 for CLASSIFIER_PORT and CLASSIFIER_MAX_QUEUED_BATCHES, but not below", () => {
    const config = loadConfig({
      env: { CLASSIFIER_PORT: "0", CLASSIFIER_MAX_QUEUED_BATCHES: "0" },
      envFile: false,
    });
    assert.equal(config.CLASSIFIER_PORT, 0);
    assert.equal(config.CLASSIFIER_MAX_QUEUED_BATCHES, 0);
    assert.deepEqual(problemsOf({ CLASSIFIER_PORT: "-1", CLASSIFIER_MAX_QUEUED_BATCHES: "-1" }), [
      'CLASSIFIER_PORT: expected a number of at least 0 (got "-1")',
      'CLASSIFIER_MAX_QUEUED_BATCHES: expected a number of at least 0 (got "-1")',
    ]);
    assert.deepEqual(problemsOf({ CLASSIFIER_PORT: "65536" }), [
      'CLASSIFIER_PORT: expected a number of at most 65535 (got "65536")',
    ]);
  });

  it("reports problems with the classifier service's variables with the others", () => {
    assert.deepEqual(
      problemsOf({
        ANOMALY_THRESHOLD: "high",
        CLASSIFIER_MAX_BATCH_SIZE: "0",
        CLASSIFIER_CONCURRENCY: "1.5",
      }),
      [
        'ANOMALY_THRESHOLD: expected a number between 0 and 1 (got "high")',
        'CLASSIFIER_MAX_BATCH_SIZE: expected a number of at least 1 (got "0")',
        'CLASSIFIER_CONCURRENCY: expected a whole number (got "1.5")',
      ],
    );
  });

  it("never echoes the classifier's API token, in errors or in the redacted configuration", () => {
    assert.deepEqual(problemsOf({ CLASSIFIER_API_TOKEN: "short token" }), [
      "CLASSIFIER_API_TOKEN: expected a token of at least 16 characters",
      "CLASSIFIER_API_TOKEN: expected printable ASCII without spaces",
    ]);
    const config = loadConfig({
      env: { CLASSIFIER_API_TOKEN: "0123456789abcdef0123" },
      envFile: false,
    });
    assert.equal(config.CLASSIFIER_API_TOKEN, "0123456789abcdef0123");
    assert.equal(redactedConfig(config).CLASSIFIER_API_TOKEN, "[redacted]");
  });

  it("documents every variable in .env.example", () => {
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    for (const variable of Object.keys(configSchema.shape)) {
      assert.match(
        example,
        new RegExp(`^#? ?${variable}=`, "m"),
        `${variable} missing from .env.example`,
      );
    }
  });
});
