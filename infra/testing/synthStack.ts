import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { parseInfraConfig } from "../config.js";
import { AwsSolutionsChecks } from "../lib/nag.js";
import { SentinelStack } from "../lib/sentinelStack.js";

export interface SynthesizedStack {
  stack: SentinelStack;
  template: Template;
  /** The cloud assembly's directory (assets staged there). */
  outdir: string;
  /** cdk-nag's AWS Solutions findings that no acknowledgment covers. */
  nagErrors: { rule: string; paths: string[] }[];
}

/**
 * One SentinelStack synthesized from raw settings, as `cdk synth` does it (bundling included
 * when `bundle` is set; skipped otherwise, which is much faster), checked by cdk-nag. Synth is
 * slow: a test file makes one per configuration and asserts everything on it.
 */
export function synthStack(
  settings: unknown,
  options: { bundle?: boolean } = {},
): SynthesizedStack {
  const app = new App({
    context: {
      "aws:cdk:enable-asset-metadata": true,
      ...(!options.bundle && { "aws:cdk:bundling-stacks": [] }),
    },
  });
  const stack = new SentinelStack(app, "Sentinel", {
    config: parseInfraConfig(settings),
    env: { account: "123456789012", region: "eu-west-1" },
  });
  const assembly = app.synth();
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return {
    stack,
    template: Template.fromJSON(assembly.getStackByName(stack.stackName).template),
    outdir: assembly.directory,
    nagErrors: report.violations
      .filter((violation) => violation.severity === "error")
      .map((violation) => ({
        rule: violation.ruleName,
        paths: violation.violatingResources.map(
          (resource) => resource.constructPath ?? "(no path)",
        ),
      })),
  };
}

/** The synthesized bundle (index.mjs) of a Lambda function resource, from its asset metadata. */
export function functionBundle(
  synthesized: SynthesizedStack,
  resource: { Metadata?: Record<string, string> },
): Buffer {
  const assetPath = resource.Metadata?.["aws:asset:path"];
  if (assetPath === undefined) throw new Error("the function has no asset metadata");
  return readFileSync(join(synthesized.outdir, assetPath, "index.mjs"));
}

/** The Dockerfile of each container image asset the stack builds (Grafana's is the default). */
export function imageDockerfiles(synthesized: SynthesizedStack): (string | undefined)[] {
  const assets = JSON.parse(
    readFileSync(join(synthesized.outdir, `${synthesized.stack.stackName}.assets.json`), "utf8"),
  ) as { dockerImages: Record<string, { source: { dockerFile?: string } }> };
  return Object.values(assets.dockerImages).map((image) => image.source.dockerFile);
}
