import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const CDK = join("node_modules", "aws-cdk", "bin", "cdk");

/**
 * The CDK CLI as CI runs it, with no way out to the network: every proxy points at a closed port,
 * no credentials, no instance metadata. Synth must need none of them (no lookups, no notices,
 * no telemetry).
 */
function offline(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? tmpdir(),
    HTTPS_PROXY: "http://127.0.0.1:9",
    HTTP_PROXY: "http://127.0.0.1:9",
    https_proxy: "http://127.0.0.1:9",
    http_proxy: "http://127.0.0.1:9",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/nonexistent",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
    CDK_DISABLE_VERSION_CHECK: "true",
  };
  return env;
}

const outdirs: string[] = [];
after(async () => {
  for (const dir of outdirs) await rm(dir, { recursive: true, force: true });
});

async function outdir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "sentinel-cdk-out-"));
  outdirs.push(dir);
  return dir;
}

describe("cdk synth (the CLI, offline)", () => {
  it("synthesizes the app from cdk.json with no network, cdk-nag passing", async () => {
    const out = await outdir();
    const started = Date.now();
    await run(process.execPath, [CDK, "synth", "-q", "--lookups=false", "-o", out], {
      env: offline(),
      maxBuffer: 16 * 1024 * 1024,
    });
    console.log(`cdk synth: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const template = JSON.parse(await readFile(join(out, "Sentinel.template.json"), "utf8"));
    assert.ok(Object.keys(template.Resources).length > 100);
    const report = JSON.parse(await readFile(join(out, "validation-report.json"), "utf8"));
    assert.equal(report.title, "Validation Report");
    assert.ok(
      report.pluginReports.every(
        (plugin: { summary: { status: string } }) => plugin.summary.status === "success",
      ),
      JSON.stringify(report.pluginReports.map((p: { summary: unknown }) => p.summary)),
    );
  });

  it("stops with a message naming a bad setting", async () => {
    const out = await outdir();
    const failed = await run(
      process.execPath,
      [
        CDK,
        "synth",
        "-q",
        "-o",
        out,
        "-c",
        'sentinel={"kafka":{"partitions":2},"classifier":{"maxTasks":3}}',
      ],
      { env: offline() },
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    assert.ok(failed, "synth failed");
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /Invalid SentinelLLM deployment settings:/);
    assert.match(
      failed.stderr,
      /classifier\.maxTasks: expected at most kafka\.partitions \(2\), got 3/,
    );
  });
});
