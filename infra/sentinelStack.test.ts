import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { build } from "esbuild";
import { LAMBDA_BUDGET_BYTES, lambdaEsbuildOptions } from "../scripts/lambdaBundling.mjs";
import { DEAD_LETTER_LOG_LINES } from "./lib/alarms.js";
import { handlerEntry, REPOSITORY_ROOT } from "./lib/sentinelFunction.js";
import {
  functionBundle,
  imageDockerfiles,
  type SynthesizedStack,
  synthStack,
} from "./testing/synthStack.js";

// One synthesized stack per configuration (synth is slow), every assertion on it.
const SUBSCRIBED = ["/aws/lambda/checkout", "/ecs/api"];
const POLLED = ["/aws/lambda/legacy"];
const FULL = {
  ingestion: { subscribedLogGroups: SUBSCRIBED, polledLogGroups: POLLED },
  alerting: {
    smtpHost: "smtp.example.com",
    emailFrom: "sentinel@example.com",
    emailRecipients: ["oncall@example.com"],
  },
  alarms: { email: "ops@example.com" },
};
const GPU_PROVISIONED = {
  classifier: { gpu: true },
  kafka: { mode: "provisioned" },
  alerting: {
    emailTransport: "ses",
    emailFrom: "sentinel@example.com",
    emailRecipients: ["oncall@example.com"],
    sesIdentity: "example.com",
  },
};
const EXISTING_CLUSTER_ARN =
  "arn:aws:kafka:eu-west-1:123456789012:cluster/shared/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9-s1";
const EXISTING = {
  vpc: {
    vpcId: "vpc-0123456789abcdef0",
    vpcCidr: "10.1.0.0/16",
    availabilityZones: ["eu-west-1a", "eu-west-1b"],
    privateSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"],
    privateSubnetRouteTableIds: ["rtb-0aaaaaaaaaaaaaaa1", "rtb-0bbbbbbbbbbbbbbb2"],
  },
  kafka: {
    mode: "existing",
    clusterArn: EXISTING_CLUSTER_ARN,
    clusterSecurityGroupId: "sg-0123456789abcdef0",
  },
  observability: { enabled: false },
};
type Resource = { Type: string; Properties: Record<string, unknown>; [key: string]: unknown };

function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

function only(template: Template, type: string, idPrefix: string): [string, Resource] {
  const found = resources(template, type).filter(([id]) => id.startsWith(idPrefix));
  assert.equal(found.length, 1, `one ${type} ${idPrefix}*`);
  return found[0] as [string, Resource];
}

/** The pipeline's own functions (not the CDK framework's). */
function sentinelFunctions(template: Template): [string, Resource][] {
  return resources(template, "AWS::Lambda::Function").filter(([, fn]) =>
    String(fn.Properties.FunctionName ?? "").startsWith("sentinel-"),
  );
}

function environmentOf(fn: Resource): Record<string, unknown> {
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

/** Every statement of the stack's IAM policies, with the policy's logical id. */
function statements(template: Template): { policy: string; statement: Record<string, unknown> }[] {
  return resources(template, "AWS::IAM::Policy").flatMap(([policy, resource]) =>
    (resource.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement.map(
      (statement) => ({ policy, statement }),
    ),
  );
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** A logical id without its hash suffix, for a resource list that survives small edits. */
function logicalIdPrefix(id: string): string {
  return id.replace(/[0-9A-F]{8}$/, "");
}

describe("SentinelStack, default settings with log groups and SMTP", () => {
  let synthesized: SynthesizedStack;
  let template: Template;
  before(() => {
    synthesized = synthStack(FULL, { bundle: true });
    template = synthesized.template;
  });

  it("passes cdk-nag's AWS Solutions checks: every finding acknowledged with a reason", () => {
    assert.deepEqual(synthesized.nagErrors, []);
  });

  it("keeps the snapshot of its resource list (type and logical id)", () => {
    const list = Object.entries(template.toJSON().Resources as Record<string, Resource>)
      .map(([id, resource]) => `${resource.Type} ${logicalIdPrefix(id)}`)
      .sort();
    const snapshot = join(REPOSITORY_ROOT, "infra", "sentinelStack.resources.txt");
    if (process.env.UPDATE_SNAPSHOTS === "1") writeFileSync(snapshot, `${list.join("\n")}\n`);
    assert.deepEqual(list, readFileSync(snapshot, "utf8").trimEnd().split("\n"));
  });

  it("runs every Lambda on Node.js 22, arm64, its ESM bundle's handler, in the private subnets", () => {
    const functions = sentinelFunctions(template);
    assert.deepEqual(
      functions.map(([, fn]) => fn.Properties.FunctionName).sort(),
      [
        "sentinel-anomaly-detector",
        "sentinel-cloudwatch-forwarder",
        "sentinel-cloudwatch-poller",
        "sentinel-kafka-topics",
        "sentinel-notifier",
      ].sort(),
    );
    for (const [id, fn] of functions) {
      assert.equal(fn.Properties.Runtime, "nodejs22.x", id);
      assert.deepEqual(fn.Properties.Architectures, ["arm64"], id);
      assert.equal(fn.Properties.Handler, "index.handler", id);
      assert.ok(fn.Properties.VpcConfig, `${id} is in the VPC`);
      assert.equal(environmentOf(fn).NODE_OPTIONS, "--enable-source-maps", id);
    }
  });

  it("bundles each Lambda as npm run build does, each at most 1 MB", async () => {
    const out = mkdtempSync(join(tmpdir(), "sentinel-bundle-"));
    const sizes: string[] = [];
    for (const [id, fn] of sentinelFunctions(template)) {
      const deployed = functionBundle(synthesized, fn as { Metadata?: Record<string, string> });
      assert.ok(deployed.length <= LAMBDA_BUDGET_BYTES, `${id}: ${deployed.length} bytes`);
      sizes.push(`${fn.Properties.FunctionName} ${(deployed.length / 1000).toFixed(0)} kB`);
      const handler = String(fn.Properties.FunctionName).replace(/^sentinel-/, "");
      const name = handler.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
      // The same entry built with the options scripts/bundle.mjs builds it with.
      await build({
        ...lambdaEsbuildOptions,
        entryPoints: [handlerEntry(name)],
        outfile: join(out, "index.mjs"),
        logLevel: "silent",
      });
      const code = (bytes: Buffer) =>
        bytes.toString("utf8").replace(/\/\/# sourceMappingURL=.*\s*$/, "");
      assert.equal(code(deployed), code(readFileSync(join(out, "index.mjs"))), id);
    }
    console.log(`Lambda bundles: ${sizes.join(", ")}`);
  });

  it("maps classified-logs to the detector and classified-logs and anomalies to the notifier", () => {
    const mappings = resources(template, "AWS::Lambda::EventSourceMapping");
    const byGroup = Object.fromEntries(
      mappings.map(([, m]) => [
        (m.Properties.AmazonManagedKafkaEventSourceConfig as { ConsumerGroupId: string })
          .ConsumerGroupId,
        m.Properties,
      ]),
    );
    assert.deepEqual(Object.keys(byGroup).sort(), [
      "sentinel-anomaly-detector",
      "sentinel-notifier-anomalies",
      "sentinel-notifier-classified",
    ]);
    assert.deepEqual(byGroup["sentinel-anomaly-detector"]?.Topics, ["classified-logs"]);
    assert.deepEqual(byGroup["sentinel-notifier-classified"]?.Topics, ["classified-logs"]);
    assert.deepEqual(byGroup["sentinel-notifier-anomalies"]?.Topics, ["anomalies"]);
    const [failureQueue] = only(template, "AWS::SQS::Queue", "LambdasFailures");
    for (const [id, mapping] of mappings) {
      assert.deepEqual(
        {
          BatchSize: mapping.Properties.BatchSize,
          MaximumBatchingWindowInSeconds: mapping.Properties.MaximumBatchingWindowInSeconds,
          StartingPosition: mapping.Properties.StartingPosition,
          MaximumRetryAttempts: mapping.Properties.MaximumRetryAttempts,
          FunctionResponseTypes: mapping.Properties.FunctionResponseTypes,
          ProvisionedPollerConfig: mapping.Properties.ProvisionedPollerConfig,
          DestinationConfig: mapping.Properties.DestinationConfig,
        },
        {
          BatchSize: 100,
          MaximumBatchingWindowInSeconds: 1,
          StartingPosition: "TRIM_HORIZON",
          MaximumRetryAttempts: 2,
          FunctionResponseTypes: ["ReportBatchItemFailures"],
          ProvisionedPollerConfig: {
            MinimumPollers: 1,
            MaximumPollers: 2,
            PollerGroupName: "sentinel-pollers",
          },
          DestinationConfig: {
            OnFailure: { Destination: { "Fn::GetAtt": [failureQueue, "Arn"] } },
          },
        },
        id,
      );
    }
  });

  it("invokes the notifier every minute to send the groups that are due, allowed to by EventBridge only", () => {
    const [notifier] = only(template, "AWS::Lambda::Function", "LambdasNotifier");
    const [rule, flush] = only(template, "AWS::Events::Rule", "LambdasNotifierFlushSchedule");
    assert.equal(flush.Properties.Name, "sentinel-notifier-flush");
    assert.equal(flush.Properties.ScheduleExpression, "rate(1 minute)");
    assert.equal(flush.Properties.State, "ENABLED");
    const ruleTargets = flush.Properties.Targets as Record<string, unknown>[];
    assert.equal(ruleTargets.length, 1);
    assert.deepEqual(ruleTargets[0]?.Arn, { "Fn::GetAtt": [notifier, "Arn"] });
    assert.deepEqual(ruleTargets[0]?.RetryPolicy, { MaximumRetryAttempts: 0 });
    const invokers = resources(template, "AWS::Lambda::Permission").filter(
      ([, permission]) =>
        JSON.stringify(permission.Properties.FunctionName) ===
        JSON.stringify({ "Fn::GetAtt": [notifier, "Arn"] }),
    );
    assert.deepEqual(
      invokers.map(([, permission]) => [
        permission.Properties.Principal,
        permission.Properties.SourceArn,
      ]),
      [["events.amazonaws.com", { "Fn::GetAtt": [rule, "Arn"] }]],
    );
  });

  it("grants Kafka access on the cluster, the topics and the groups each function uses, no wildcard actions", () => {
    const all = statements(template);
    for (const { policy, statement } of all)
      for (const action of asArray(statement.Action as string | string[]))
        assert.ok(!action.endsWith(":*") && action !== "*", `${policy}: ${action}`);
    const kafkaResources = (policyPrefix: string, action: string) =>
      all
        .filter(
          ({ policy, statement }) =>
            policy.startsWith(policyPrefix) &&
            asArray(statement.Action as string | string[]).includes(action),
        )
        .flatMap(({ statement }) => asArray(statement.Resource))
        .map((resource) => JSON.stringify(resource));
    const named = (kind: string, name: string) =>
      new RegExp(
        `:${kind}/",\\{"Fn::Select":\\[1,.*"/",\\{"Fn::Select":\\[2,.*"/${name}"\\]\\]\\}$`,
      );
    const notifierRead = kafkaResources("LambdasNotifier", "kafka-cluster:ReadData");
    assert.equal(notifierRead.length, 2);
    assert.match(notifierRead[0] as string, named("topic", "classified-logs"));
    assert.match(notifierRead[1] as string, named("topic", "anomalies"));
    const notifierWrite = kafkaResources("LambdasNotifier", "kafka-cluster:WriteData");
    assert.deepEqual(notifierWrite.length, 1);
    assert.match(notifierWrite[0] as string, named("topic", "sentinel-dead-letter"));
    const notifierGroups = kafkaResources("LambdasNotifier", "kafka-cluster:AlterGroup");
    assert.match(notifierGroups[0] as string, named("group", "sentinel-notifier-classified"));
    assert.match(notifierGroups[1] as string, named("group", "sentinel-notifier-anomalies"));
    const forwarderWrite = kafkaResources("LambdasCloudWatchForwarder", "kafka-cluster:WriteData");
    assert.equal(forwarderWrite.length, 1);
    assert.match(forwarderWrite[0] as string, named("topic", "raw-logs"));
    assert.deepEqual(kafkaResources("LambdasCloudWatchForwarder", "kafka-cluster:ReadData"), []);
    const [cluster] = only(template, "AWS::MSK::ServerlessCluster", "KafkaCluster");
    assert.deepEqual(kafkaResources("LambdasAnomalyDetector", "kafka-cluster:Connect"), [
      JSON.stringify({ "Fn::GetAtt": [cluster, "Arn"] }),
    ]);
    const classifierRead = kafkaResources("ClassifierTaskTaskRole", "kafka-cluster:ReadData");
    assert.equal(classifierRead.length, 1);
    assert.match(classifierRead[0] as string, named("topic", "raw-logs"));
  });

  it("gives each function only its state-table actions, on the table", () => {
    const [table] = only(template, "AWS::DynamoDB::Table", "StateTable");
    const tableActions = (policyPrefix: string) =>
      statements(template)
        .filter(
          ({ policy, statement }) =>
            policy.startsWith(policyPrefix) && statement.Sid === "StateTable",
        )
        .map(({ statement }) => {
          assert.deepEqual(statement.Resource, { "Fn::GetAtt": [table, "Arn"] });
          return asArray(statement.Action as string | string[]).sort();
        });
    assert.deepEqual(tableActions("LambdasNotifier"), [
      ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
    ]);
    assert.deepEqual(tableActions("LambdasCloudWatchPoller"), [
      ["dynamodb:GetItem", "dynamodb:PutItem"],
    ]);
    assert.equal(tableActions("LambdasAnomalyDetector")[0]?.length, 6);
    assert.deepEqual(tableActions("LambdasCloudWatchForwarder"), []);
  });

  it("passes the alert secrets by ARN, readable by the notifier only, their values never in the template", () => {
    const [, notifier] = only(template, "AWS::Lambda::Function", "LambdasNotifier");
    const [teams] = only(template, "AWS::SecretsManager::Secret", "StateTeamsWebhookUrl");
    const [smtp] = only(template, "AWS::SecretsManager::Secret", "StateSmtpCredentials");
    const env = environmentOf(notifier);
    assert.deepEqual(env.TEAMS_WEBHOOK_URL_SECRET_ARN, { Ref: teams });
    assert.deepEqual(env.SMTP_CREDENTIALS_SECRET_ARN, { Ref: smtp });
    for (const [id, fn] of resources(template, "AWS::Lambda::Function"))
      for (const variable of Object.keys(fn.Properties.Environment ? environmentOf(fn) : {}))
        assert.ok(
          !/PASSWORD|TOKEN|^TEAMS_WEBHOOK_URL$|^SMTP_USERNAME$/.test(variable),
          `${id}: ${variable}`,
        );
    for (const [id, secret] of resources(template, "AWS::SecretsManager::Secret"))
      assert.equal(secret.Properties.SecretString, undefined, id);
    const readers = statements(template).filter(({ statement }) =>
      asArray(statement.Action as string | string[]).includes("secretsmanager:GetSecretValue"),
    );
    assert.deepEqual(readers.map(({ policy }) => logicalIdPrefix(policy)).sort(), [
      "LambdasNotifierServiceRoleDefaultPolicy",
      // ECS reads Grafana's admin password into the container, by reference.
      "ObservabilityGrafanaTaskExecutionRoleDefaultPolicy",
    ]);
    const notifierReads = readers.find(({ policy }) => policy.startsWith("LambdasNotifier"));
    assert.deepEqual(notifierReads?.statement.Resource, [{ Ref: teams }, { Ref: smtp }]);
  });

  it("encrypts and keeps the state: the table (pk/sk, TTL, PITR, retained), queue, buckets, storage", () => {
    template.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      Properties: {
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    });
    template.hasResourceProperties("AWS::SQS::Queue", { SqsManagedSseEnabled: true });
    template.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: Match.objectLike({}),
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties("AWS::EFS::FileSystem", { Encrypted: true });
    template.hasResourceProperties("AWS::MSK::ServerlessCluster", {
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
    });
  });

  it("subscribes the forwarder to each configured log group, with CloudWatch Logs allowed to invoke it", () => {
    const [forwarder] = only(template, "AWS::Lambda::Function", "LambdasCloudWatchForwarder");
    const filters = resources(template, "AWS::Logs::SubscriptionFilter");
    assert.deepEqual(
      filters.map(([, f]) => f.Properties.LogGroupName).sort(),
      [...SUBSCRIBED].sort(),
    );
    for (const [, filter] of filters)
      assert.deepEqual(filter.Properties.DestinationArn, { "Fn::GetAtt": [forwarder, "Arn"] });
    const permissions = resources(template, "AWS::Lambda::Permission").filter(
      ([, p]) => p.Properties.Principal === "logs.amazonaws.com",
    );
    assert.equal(permissions.length, SUBSCRIBED.length);
    for (const [, permission] of permissions)
      assert.deepEqual(permission.Properties.FunctionName, { "Fn::GetAtt": [forwarder, "Arn"] });
    const sourceArns = JSON.stringify(permissions.map(([, p]) => p.Properties.SourceArn));
    for (const group of SUBSCRIBED) assert.ok(sourceArns.includes(`:log-group:${group}:*`), group);
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it("polls the other log groups on a schedule, with FilterLogEvents on those groups only", () => {
    const [poller, fn] = only(template, "AWS::Lambda::Function", "LambdasCloudWatchPoller");
    assert.equal(environmentOf(fn).AWS_LOG_GROUPS, POLLED.join(","));
    assert.ok((fn.Properties.Timeout as number) >= 120);
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [poller, "Arn"] } })],
    });
    const filterLogEvents = statements(template).filter(({ statement }) =>
      asArray(statement.Action as string | string[]).includes("logs:FilterLogEvents"),
    );
    assert.equal(filterLogEvents.length, 1);
    assert.match(
      JSON.stringify(filterLogEvents[0]?.statement.Resource),
      /:logs:eu-west-1:123456789012:log-group:\/aws\/lambda\/legacy:\*"\]\]\}$/,
    );
  });

  it("runs the classifier worker on Fargate from the CPU image, the model from the bucket, scaling on lag up to the partitions", () => {
    template.resourceCountIs("AWS::ECS::CapacityProvider", 0);
    const [, task] = only(template, "AWS::ECS::TaskDefinition", "ClassifierTask");
    assert.deepEqual(task.Properties.RequiresCompatibilities, ["FARGATE"]);
    assert.equal(task.Properties.Cpu, "2048");
    const [container] = task.Properties.ContainerDefinitions as Record<string, unknown>[];
    assert.ok(container);
    // The model is pulled first, by URL or Hugging Face reference, then the worker loads it.
    const [shell, flag, script] = container.Command as string[];
    assert.deepEqual([shell, flag], ["sh", "-c"]);
    assert.match(
      script as string,
      /^node bin\/sentinel\.js model pull "\$SENTINEL_MODEL" && exec node bin\/sentinel\.js worker classify$/,
    );
    assert.match(JSON.stringify(container.HealthCheck), /127\.0\.0\.1:9464\/readyz/);
    const env = Object.fromEntries(
      (container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
    );
    assert.equal(env.KAFKA_SASL_MECHANISM, "aws-msk-iam");
    assert.equal(env.SENTINEL_GPU, "off");
    assert.equal(env.SENTINEL_THREADS, "2");
    assert.equal(env.SENTINEL_CLOUDWATCH_METRICS_NAMESPACE, "SentinelLLM");
    const [bucket] = only(template, "AWS::S3::Bucket", "ClassifierModels");
    assert.match(JSON.stringify(env.SENTINEL_MODEL), new RegExp(`"Ref":"${bucket}"`));
    assert.match(JSON.stringify(env.SENTINEL_MODEL), /qwen2-1\.5b-log-classifier-Q4_K_M\.gguf/);
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
      MinCapacity: 1,
      MaxCapacity: 3,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "SentinelLLM",
      MetricName: "ConsumerLag",
      Dimensions: [
        { Name: "ConsumerGroup", Value: "sentinel-classifier" },
        { Name: "Topic", Value: "raw-logs" },
      ],
    });
    const dockerfiles = imageDockerfiles(synthesized);
    assert.ok(dockerfiles.includes("classifier-service/Dockerfile"), String(dockerfiles));
  });

  it("counts dead letters from every stage's log lines and alarms on them, on errors, lag and tasks", () => {
    const filters = resources(template, "AWS::Logs::MetricFilter");
    for (const line of DEAD_LETTER_LOG_LINES)
      assert.equal(
        filters.filter(([, f]) => String(f.Properties.FilterPattern).includes(line.msg)).length,
        sentinelFunctions(template).filter(
          ([, fn]) => fn.Properties.FunctionName !== "sentinel-kafka-topics",
        ).length + 1,
        line.msg,
      );
    const alarms = resources(template, "AWS::CloudWatch::Alarm").map(([id]) => logicalIdPrefix(id));
    for (const expected of [
      "AlarmsDeadLetters",
      "AlarmsFailedBatches",
      "AlarmsNotifierErrors",
      "AlarmsCloudWatchForwarderErrors",
      "AlarmsClassifierLag",
      "AlarmsNotifierLag",
      "AlarmsClassifierRunningTasks",
    ])
      assert.ok(alarms.includes(expected), `${expected} in ${alarms.join(", ")}`);
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@example.com",
    });
  });

  it("keeps Grafana and VictoriaMetrics private: an internal load balancer open to the VPC only", () => {
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
      Scheme: "internal",
    });
    const ingress = resources(template, "AWS::EC2::SecurityGroup")
      .flatMap(([, sg]) => (sg.Properties.SecurityGroupIngress as Record<string, unknown>[]) ?? [])
      .map((rule) => rule.CidrIp);
    assert.deepEqual(ingress, ["10.40.0.0/16"]);
    const outputs = Object.keys(template.toJSON().Outputs);
    for (const output of ["GrafanaUrl", "Topics", "StateTable", "ModelBucket"])
      assert.ok(outputs.includes(output), output);
  });

  it("creates the topics before any mapping reads them, and keeps them", () => {
    const [topics, resource] = only(template, "Custom::SentinelKafkaTopics", "KafkaTopics");
    assert.deepEqual(resource.Properties.Topics, [
      { Name: "raw-logs", Partitions: 6 },
      { Name: "classified-logs", Partitions: 6 },
      { Name: "anomalies", Partitions: 6 },
      { Name: "sentinel-dead-letter", Partitions: 6 },
    ]);
    for (const [id, mapping] of resources(template, "AWS::Lambda::EventSourceMapping"))
      assert.ok(asArray(mapping.DependsOn as string[]).includes(topics), id);
    const [, handler] = only(template, "AWS::Lambda::Function", "KafkaTopicsHandler");
    assert.equal(environmentOf(handler).KAFKA_SASL_MECHANISM, "aws-msk-iam");
    const grant = statements(template).find(
      ({ policy, statement }) =>
        policy.startsWith("KafkaTopicsHandler") && statement.Sid === "KafkaCreateTopics",
    )?.statement;
    assert.deepEqual(grant?.Action, [
      "kafka-cluster:CreateTopic",
      "kafka-cluster:DescribeTopic",
      "kafka-cluster:AlterTopic",
    ]);
    assert.equal(asArray(grant?.Resource as unknown[]).length, 4);
  });
});

describe("SentinelStack on GPU instances and a provisioned MSK cluster", () => {
  let synthesized: SynthesizedStack;
  before(() => {
    synthesized = synthStack(GPU_PROVISIONED);
  });

  it("passes cdk-nag's AWS Solutions checks", () => {
    assert.deepEqual(synthesized.nagErrors, []);
  });

  it("runs the classifier on an EC2 capacity provider of GPU instances, the CUDA image, one GPU a task", () => {
    const { template } = synthesized;
    template.resourceCountIs("AWS::ECS::CapacityProvider", 1);
    template.hasResourceProperties("AWS::ECS::Service", {
      CapacityProviderStrategy: [Match.objectLike({ Weight: 1 })],
    });
    const [, task] = only(template, "AWS::ECS::TaskDefinition", "ClassifierGpuTask");
    assert.deepEqual(task.Properties.RequiresCompatibilities, ["EC2"]);
    const [container] = task.Properties.ContainerDefinitions as Record<string, unknown>[];
    assert.deepEqual(container?.ResourceRequirements, [{ Type: "GPU", Value: "1" }]);
    const env = JSON.stringify(container?.Environment);
    assert.match(env, /\{"Name":"SENTINEL_GPU","Value":"auto"\}/);
    assert.doesNotMatch(env, /SENTINEL_THREADS/);
    template.hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: Match.objectLike({
        InstanceType: "g4dn.xlarge",
        ImageId: {
          Ref: Match.stringLikeRegexp("amazonlinux2023gpurecommendedimageid"),
        },
      }),
    });
    const parameters = JSON.stringify(template.toJSON().Parameters);
    assert.match(
      parameters,
      /\/aws\/service\/ecs\/optimized-ami\/amazon-linux-2023\/gpu\/recommended\/image_id/,
    );
    const dockerfiles = imageDockerfiles(synthesized);
    assert.ok(dockerfiles.includes("classifier-service/Dockerfile.cuda"), String(dockerfiles));
    assert.ok(!dockerfiles.includes("classifier-service/Dockerfile"), String(dockerfiles));
  });

  it("sends e-mail through SES from the configured sender only, with its identity, and no SMTP secret", () => {
    const { template } = synthesized;
    template.hasResourceProperties("AWS::SES::EmailIdentity", { EmailIdentity: "example.com" });
    const send = statements(template).filter(({ statement }) =>
      asArray(statement.Action as string | string[]).includes("ses:SendEmail"),
    );
    assert.equal(send.length, 1);
    assert.ok(send[0]?.policy.startsWith("LambdasNotifier"));
    assert.match(
      JSON.stringify(send[0]?.statement.Resource),
      /:ses:eu-west-1:123456789012:identity\/sentinel@example\.com".*:identity\/example\.com"/,
    );
    assert.deepEqual(send[0]?.statement.Condition, {
      StringEquals: { "ses:FromAddress": "sentinel@example.com" },
    });
    template.resourceCountIs("AWS::SecretsManager::Secret", 2); // Teams, Grafana's admin
    const [, notifier] = only(template, "AWS::Lambda::Function", "LambdasNotifier");
    assert.equal(environmentOf(notifier).EMAIL_TRANSPORT, "ses");
    assert.equal(environmentOf(notifier).SMTP_CREDENTIALS_SECRET_ARN, undefined);
  });

  it("makes the provisioned cluster IAM-only with TLS, and its topics replicated as configured", () => {
    const { template } = synthesized;
    template.hasResourceProperties("AWS::MSK::Cluster", {
      ClientAuthentication: {
        Sasl: { Iam: { Enabled: true } },
        Unauthenticated: { Enabled: false },
      },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: "TLS", InCluster: true } },
      NumberOfBrokerNodes: 2,
    });
    template.hasResourceProperties("Custom::SentinelKafkaTopics", {
      Topics: Match.arrayWith([{ Name: "raw-logs", Partitions: 6, ReplicationFactor: 2 }]),
    });
  });
});

describe("SentinelStack in an existing VPC on an existing cluster", () => {
  let synthesized: SynthesizedStack;
  before(() => {
    synthesized = synthStack(EXISTING);
  });

  it("creates no VPC, cluster or metrics stack, and maps the given cluster", () => {
    const { template } = synthesized;
    template.resourceCountIs("AWS::EC2::VPC", 0);
    template.resourceCountIs("AWS::MSK::ServerlessCluster", 0);
    template.resourceCountIs("AWS::MSK::Cluster", 0);
    template.resourceCountIs("AWS::EFS::FileSystem", 0);
    for (const [, mapping] of resources(template, "AWS::Lambda::EventSourceMapping"))
      assert.equal(mapping.Properties.EventSourceArn, EXISTING_CLUSTER_ARN);
    template.hasResourceProperties("AWS::EC2::VPCEndpoint", {
      VpcId: "vpc-0123456789abcdef0",
      RouteTableIds: ["rtb-0aaaaaaaaaaaaaaa1", "rtb-0bbbbbbbbbbbbbbb2"],
    });
    template.hasResourceProperties("AWS::EC2::SecurityGroupIngress", {
      GroupId: "sg-0123456789abcdef0",
      FromPort: 9098,
      ToPort: 9098,
    });
  });

  it("pushes no metrics anywhere when metrics are off", () => {
    for (const [id, fn] of sentinelFunctions(synthesized.template))
      assert.equal(environmentOf(fn).VICTORIA_METRICS_URL, undefined, id);
    const [, task] = only(synthesized.template, "AWS::ECS::TaskDefinition", "ClassifierTask");
    assert.doesNotMatch(
      JSON.stringify(task.Properties.ContainerDefinitions),
      /VICTORIA_METRICS_URL/,
    );
    assert.equal(synthesized.template.toJSON().Outputs.GrafanaUrl, undefined);
  });

  it("scopes topic and group grants to the given cluster's name and id", () => {
    const resourcesOf = (action: string) =>
      statements(synthesized.template)
        .filter(({ statement }) => asArray(statement.Action as string | string[]).includes(action))
        .flatMap(({ statement }) => asArray(statement.Resource))
        .map((resource) => JSON.stringify(resource));
    const prefix = 'arn:",{"Ref":"AWS::Partition"},":kafka:eu-west-1:123456789012:';
    const id = "shared/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9-s1";
    assert.ok(
      resourcesOf("kafka-cluster:ReadData").includes(
        `{"Fn::Join":["",["${prefix}topic/${id}/raw-logs"]]}`,
      ),
    );
    assert.ok(
      resourcesOf("kafka-cluster:AlterGroup").includes(
        `{"Fn::Join":["",["${prefix}group/${id}/sentinel-anomaly-detector"]]}`,
      ),
    );
    assert.deepEqual(
      [...new Set(resourcesOf("kafka-cluster:Connect"))],
      [JSON.stringify(EXISTING_CLUSTER_ARN)],
    );
  });
});
