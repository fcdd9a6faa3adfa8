import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "./load.js";
import { CROSS_FIELD_RULES, configSchema } from "./schema.js";
import { ACCEPTED, REFUSED, SECRET } from "./testing/crossFieldCases.js";

const load = (env: Record<string, string>) => loadConfig({ env, envFile: false });

function problemsOf(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe("cross-field rules", () => {
  it("have unique names, and each has combinations it refuses and accepts", () => {
    const names = CROSS_FIELD_RULES.map((rule) => rule.name);
    assert.equal(new Set(names).size, names.length, "duplicate rule names");
    for (const name of names) {
      assert.ok(
        REFUSED.some((c) => c.rule === name),
        `${name}: no refused combination in core/config/testing/crossFieldCases.ts`,
      );
      assert.ok(
        ACCEPTED.some((c) => c.rule === name),
        `${name}: no accepted combination in core/config/testing/crossFieldCases.ts`,
      );
    }
    for (const { rule } of [...REFUSED, ...ACCEPTED])
      assert.ok(names.includes(rule), `${rule}: no such rule in CROSS_FIELD_RULES`);
  });

  for (const { rule, env, problems } of REFUSED) {
    it(`${rule}: refuses ${JSON.stringify(env)}, naming ${problems.map((p) => p.split(":")[0]).join(", ")}`, () => {
      const error = problemsOf(env);
      assert.deepEqual(
        error.problems.map((p) => `${p.variable}: ${p.message}`),
        problems,
      );
      assert.ok(!error.message.includes(SECRET), "a secret in the message");
      // The schema itself refuses it too, for callers that parse without the loader.
      assert.equal(configSchema.safeParse(env).success, false);
    });
  }

  for (const { rule, env } of ACCEPTED) {
    it(`${rule}: accepts ${JSON.stringify(env)}`, () => {
      assert.doesNotThrow(() => load(env));
    });
  }

  it("accept the defaults", () => {
    assert.doesNotThrow(() => load({}));
  });

  it("report every refused combination at once", () => {
    const error = problemsOf({
      LOKI_PASSWORD: SECRET,
      ANOMALY_MIN_BASELINE_BUCKETS: "61",
      KAFKA_SASL_MECHANISM: "aws-msk-iam",
    });
    assert.deepEqual(
      error.problems.map((p) => p.variable),
      ["AWS_REGION", "ANOMALY_MIN_BASELINE_BUCKETS", "LOKI_USERNAME"],
    );
  });

  it("wait for every value to be valid: a refused value is reported alone", () => {
    // ANOMALY_BASELINE_BUCKETS=0 is below the minimum; comparing it with the minimum baseline
    // would only add noise.
    assert.deepEqual(
      problemsOf({ ANOMALY_BASELINE_BUCKETS: "0", LOKI_PASSWORD: SECRET }).problems,
      [
        {
          variable: "ANOMALY_BASELINE_BUCKETS",
          message: 'expected a number of at least 1 (got "0")',
        },
      ],
    );
  });
});
