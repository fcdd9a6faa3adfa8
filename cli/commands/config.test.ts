import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configSchema } from "../../core/config/schema.js";
import { REFUSED, SECRET } from "../../core/config/testing/crossFieldCases.js";
import { type ProcessRun, runNode } from "../testing/sentinelCli.js";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** The test's environment without any configuration variable, so only each case's count. */
const baseEnv: Record<string, string> = {};
for (const [name, value] of Object.entries(process.env))
  if (value !== undefined && !(name in configSchema.shape)) baseEnv[name] = value;
baseEnv.SENTINEL_ENV_FILE = "";

function sentinel(args: string[], env: Record<string, string>, input = ""): Promise<ProcessRun> {
  return runNode(["--import", "tsx", MAIN, ...args], {
    env: { ...baseEnv, SENTINEL_LOG_LEVEL: "warn", ...env },
    input,
    // A command that did start (a rule not enforced) is stopped rather than left waiting.
    timeoutMs: 30_000,
  });
}

/** Runs `jobs` a few at a time (each is a process start). */
async function inBatches<T, R>(items: readonly T[], job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += 4)
    results.push(...(await Promise.all(items.slice(i, i + 4).map(job))));
  return results;
}

describe("sentinel config", () => {
  it("exits 2 on every combination a cross-field rule refuses, naming the variable", async () => {
    const runs = await inBatches(REFUSED, (c) => sentinel(["config"], c.env));
    REFUSED.forEach(({ rule, env, problems }, i) => {
      const run = runs[i] as ProcessRun;
      const what = `${rule} ${JSON.stringify(env)}: ${run.stderr}`;
      assert.equal(run.status, 2, what);
      assert.equal(run.stdout, "", what);
      assert.match(run.stderr, /^sentinel: Invalid configuration:\n/, what);
      for (const problem of problems) assert.ok(run.stderr.includes(`  ${problem}\n`), what);
      assert.ok(!run.stderr.includes(SECRET), `${rule}: a secret in the message`);
    });
  });

  it("prints the configuration, secrets redacted, for a combination every rule accepts", async () => {
    // One run for all (each rule's accepted combinations are the loader's test, in core/config).
    const env = {
      SMTP_HOST: "smtp.example.com",
      SMTP_USERNAME: "sentinel",
      SMTP_PASSWORD: SECRET,
      EMAIL_FROM: "sentinel@example.com",
      EMAIL_RECIPIENTS: "oncall@example.com",
      AZURE_TENANT_ID: "00000000-0000-4000-8000-000000000001",
      AZURE_CLIENT_ID: "00000000-0000-4000-8000-000000000002",
      AZURE_CLIENT_SECRET: SECRET,
      KAFKA_SASL_MECHANISM: "scram-sha-512",
      KAFKA_SASL_USERNAME: "sentinel",
      KAFKA_SASL_PASSWORD: SECRET,
      SENTINEL_MAX_MESSAGE_BYTES: "1048576",
      KAFKA_MAX_BATCH_BYTES: "1100000",
      ANOMALY_BASELINE_BUCKETS: "20",
      ANOMALY_MIN_BASELINE_BUCKETS: "20",
      VICTORIA_METRICS_URL: "http://victoriametrics:8428",
      SENTINEL_METRICS_REMOTE_WRITE_USERNAME: "sentinel",
      SENTINEL_METRICS_REMOTE_WRITE_PASSWORD: SECRET,
      LOKI_USERNAME: "sentinel",
      LOKI_PASSWORD: SECRET,
    };
    const run = await sentinel(["config"], env);
    assert.equal(run.status, 0, run.stderr);
    const printed = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(printed.ANOMALY_MIN_BASELINE_BUCKETS, 20);
    assert.equal(printed.KAFKA_MAX_BATCH_BYTES, 1_100_000);
    assert.equal(printed.LOKI_USERNAME, "sentinel");
    assert.equal(printed.LOKI_PASSWORD, "[redacted]");
    assert.ok(!run.stdout.includes(SECRET), "a secret printed");
  });
});

describe("other commands", () => {
  it("stop at start, naming the variable, on what `sentinel config` refuses", async () => {
    const byRule = (rule: string) => {
      const found = REFUSED.find((c) => c.rule === rule);
      assert.ok(found, rule);
      return found;
    };
    const cases = [
      { args: ["analyze", "-", "--baseline"], refused: byRule("detection-min-baseline") },
      { args: ["ingest", "loki", "--query", '{app="api"}'], refused: byRule("loki-basic-auth") },
      {
        args: ["run", "--synthetic", "steady", "--baseline"],
        refused: byRule("metrics-url-credentials"),
      },
      { args: ["worker", "classify", "--baseline"], refused: byRule("kafka-sasl-credentials") },
    ];
    const runs = await inBatches(cases, (c) => sentinel(c.args, c.refused.env, "ERROR x\n"));
    cases.forEach(({ args, refused }, i) => {
      const run = runs[i] as ProcessRun;
      const what = `${args.join(" ")} with ${JSON.stringify(refused.env)}: ${run.stderr}`;
      assert.equal(run.status, 2, what);
      assert.equal(run.stdout, "", what);
      for (const problem of refused.problems) assert.ok(run.stderr.includes(problem), what);
    });
  });
});
