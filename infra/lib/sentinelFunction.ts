import { fileURLToPath } from "node:url";
import { type Duration, RemovalPolicy } from "aws-cdk-lib";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { lambdaBundling } from "../../scripts/lambdaBundling.mjs";
import { acknowledge } from "./nag.js";

/** The repository's root: entries and the lock file are found from here, whatever the cwd. */
export const REPOSITORY_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A handler module of functions/aws/ (exporting `handler`). */
export function handlerEntry(name: string): string {
  return `${REPOSITORY_ROOT}functions/aws/${name}.ts`;
}

export interface SentinelFunctionProps {
  /** functions/aws/<handler>.ts */
  handler: string;
  functionName: string;
  description: string;
  timeout: Duration;
  memorySize: number;
  environment: Record<string, string>;
  vpc: ec2.IVpc;
  vpcSubnets: ec2.SubnetSelection;
  securityGroups: ec2.ISecurityGroup[];
  logRetention: logs.RetentionDays;
}

/**
 * A Lambda handler of functions/aws/ as NodejsFunction builds it: esbuild from node_modules on
 * this machine (never Docker) with the same options as `npm run build` (scripts/lambdaBundling.mjs),
 * Node.js 22 on arm64, in the private subnets, with a log group of its own (retention set, JSON).
 */
export function sentinelFunction(
  scope: Construct,
  id: string,
  props: SentinelFunctionProps,
): nodejs.NodejsFunction {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    logGroupName: `/aws/lambda/${props.functionName}`,
    retention: props.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const fn = new nodejs.NodejsFunction(scope, id, {
    entry: handlerEntry(props.handler),
    handler: "handler",
    functionName: props.functionName,
    description: props.description,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    timeout: props.timeout,
    memorySize: props.memorySize,
    projectRoot: REPOSITORY_ROOT,
    depsLockFilePath: `${REPOSITORY_ROOT}package-lock.json`,
    environment: { NODE_OPTIONS: "--enable-source-maps", ...props.environment },
    vpc: props.vpc,
    vpcSubnets: props.vpcSubnets,
    securityGroups: props.securityGroups,
    logGroup,
    loggingFormat: lambda.LoggingFormat.TEXT,
    bundling: {
      forceDockerBundling: false,
      format: nodejs.OutputFormat.ESM,
      target: lambdaBundling.target,
      minify: lambdaBundling.minify,
      sourceMap: lambdaBundling.sourcemap,
      mainFields: [...lambdaBundling.mainFields],
      externalModules: [...lambdaBundling.external],
      banner: lambdaBundling.banner,
      metafile: false,
    },
  });
  acknowledge(fn, [
    {
      id: "AwsSolutions-L1",
      reason: "Node.js 22 is the runtime the handlers are built and tested for (issue 12)",
    },
    ...["AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole"].map(managedPolicy),
  ]);
  return fn;
}

/** An AWS managed policy CDK gives a function: logs, VPC network interfaces, MSK pollers. */
export function managedPolicy(name: string): { id: string; reason: string } {
  return {
    id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`,
    reason: `${name}: the policy CDK attaches for a function's logs and VPC network interfaces, or ManagedKafkaEventSource for its pollers (network interfaces, kafka:DescribeClusterV2, kafka:GetBootstrapBrokers)`,
  };
}
