import { App, Validations } from "aws-cdk-lib";
import { InfraConfigError, infraConfigFromContext } from "../config.js";
import { AwsSolutionsChecks } from "../lib/nag.js";
import { SentinelStack } from "../lib/sentinelStack.js";

// The CDK app (`cdk synth`, `cdk deploy`; cdk.json runs it with tsx). Settings: infra/config.ts.
const app = new App();
try {
  const config = infraConfigFromContext((key) => app.node.tryGetContext(key));
  new SentinelStack(app, `${config.name[0]?.toUpperCase()}${config.name.slice(1)}`, {
    config,
    description: "SentinelLLM: real-time log analysis (MSK, Lambda, ECS, DynamoDB)",
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  app.synth();
} catch (error) {
  if (!(error instanceof InfraConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
