import { readFileSync } from "node:fs";
import { Duration, IgnoreMode, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecrAssets from "aws-cdk-lib/aws-ecr-assets";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import type { InfraConfig } from "../config.js";
import { type Kafka, kafkaClientEnvironment } from "./kafka.js";
import { acknowledge } from "./nag.js";
import type { Network } from "./network.js";
import { REPOSITORY_ROOT } from "./sentinelFunction.js";

/** Namespace of the metrics the worker writes as CloudWatch EMF (ConsumerLag). */
export const CLOUDWATCH_METRICS_NAMESPACE = "SentinelLLM";
/**
 * The task's command: pull the model into /models (`sentinel model pull` downloads a URL or a
 * Hugging Face reference, resuming), then become the worker, which refuses to start without a
 * model. A failed pull or load stops the task, and ECS starts another (the running-task alarm
 * watches for that).
 */
export const WORKER_COMMAND = [
  "sh",
  "-c",
  'node bin/sentinel.js model pull "$SENTINEL_MODEL" && exec node bin/sentinel.js worker classify',
];
/** The worker's metrics port (SENTINEL_METRICS_PORT), which also answers its /readyz. */
export const WORKER_METRICS_PORT = 9464;

/**
 * The image's build context: the repository, minus what its Dockerfile's own .dockerignore
 * leaves out (BuildKit reads <Dockerfile>.dockerignore; CDK stages the context itself, so the
 * same list is passed here) and the cloud assembly.
 */
function imageExcludes(dockerfile: string): string[] {
  const ignore = readFileSync(`${REPOSITORY_ROOT}${dockerfile}.dockerignore`, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  return [...ignore, "cdk.out", ".git"];
}

export interface ClassifierServiceProps {
  config: InfraConfig;
  network: Network;
  kafka: Kafka;
  cluster: ecs.Cluster;
  metricsUrl?: string;
}

/**
 * The classifier on ECS: the Kafka worker (`sentinel worker classify`: raw-logs → LLM →
 * classified-logs) of the image built from classifier-service/Dockerfile on Fargate, or from
 * Dockerfile.cuda on GPU instances (an EC2 capacity provider on the ECS GPU-optimised AMI) with
 * `classifier.gpu`. The model GGUF comes from the model bucket through the VPC's S3 gateway
 * endpoint (downloaded into /models at start), or from Hugging Face. It scales on the consumer
 * lag the worker publishes, never past the partition count.
 */
export class ClassifierService extends Construct {
  readonly service: ecs.BaseService;
  readonly modelBucket: s3.Bucket;
  readonly modelUrl: string;
  readonly consumerGroup: string;
  readonly logGroup: logs.LogGroup;
  readonly lag: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: ClassifierServiceProps) {
    super(scope, id);
    const { config, network, kafka, cluster } = props;
    const settings = config.classifier;
    const stack = Stack.of(this);
    this.consumerGroup = `${config.name}-classifier`;

    this.modelBucket = new s3.Bucket(this, "Models", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // node-llama-cpp downloads a model by URL without AWS credentials: the bucket lets anyone
    // *inside this VPC* (through its S3 gateway endpoint) read the models, nobody else. S3 does
    // not count a policy fixed to a VPC as public, so Block Public Access stays on.
    this.modelBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "ReadModelsFromTheVpc",
        principals: [new iam.AnyPrincipal()],
        actions: ["s3:GetObject"],
        resources: [this.modelBucket.arnForObjects("models/*")],
        conditions: { StringEquals: { "aws:SourceVpc": network.vpc.vpcId } },
      }),
    );
    acknowledge(this.modelBucket, [
      {
        id: "AwsSolutions-S1",
        reason:
          "Holds the published model files only, read from inside the VPC; no access logs bucket for it",
      },
    ]);
    this.modelUrl =
      settings.huggingFaceModel ??
      `https://${this.modelBucket.bucketName}.s3.${stack.region}.${stack.urlSuffix}/${settings.modelKey}`;

    const dockerfile = settings.gpu
      ? "classifier-service/Dockerfile.cuda"
      : "classifier-service/Dockerfile";
    const image = new ecrAssets.DockerImageAsset(this, "Image", {
      directory: REPOSITORY_ROOT,
      file: dockerfile,
      platform: ecrAssets.Platform.LINUX_AMD64,
      exclude: imageExcludes(dockerfile),
      ignoreMode: IgnoreMode.DOCKER,
    });

    this.logGroup = new logs.LogGroup(this, "Logs", {
      logGroupName: `/ecs/${config.name}-classifier`,
      retention: config.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const container: ecs.ContainerDefinitionOptions = {
      image: ecs.ContainerImage.fromDockerImageAsset(image),
      command: WORKER_COMMAND,
      environment: {
        ...kafkaClientEnvironment(kafka),
        AWS_REGION: stack.region,
        KAFKA_CONSUMER_GROUP: this.consumerGroup,
        SENTINEL_MODEL: this.modelUrl,
        SENTINEL_MODEL_DIR: "/models",
        SENTINEL_GPU: settings.gpu ? "auto" : "off",
        // A Fargate task may see the host's cores; the model gets the task's vCPUs. On a GPU
        // instance the task has the instance to itself and the default (its cores) is right.
        ...(!settings.gpu && { SENTINEL_THREADS: String(settings.cpu / 1024) }),
        SENTINEL_LOG_LEVEL: config.logLevel,
        SENTINEL_LOG_FORMAT: "json",
        SENTINEL_METRICS_PORT: String(WORKER_METRICS_PORT),
        SENTINEL_CLOUDWATCH_METRICS_NAMESPACE: CLOUDWATCH_METRICS_NAMESPACE,
        ...(props.metricsUrl && { VICTORIA_METRICS_URL: props.metricsUrl }),
      },
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: "worker",
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      }),
      // The worker answers /readyz on its metrics port: ready once its consumer runs.
      healthCheck: {
        command: [
          "CMD",
          "node",
          "-e",
          `fetch("http://127.0.0.1:${WORKER_METRICS_PORT}/readyz").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        // Downloading the ~1 GB model and loading it.
        startPeriod: Duration.seconds(300),
      },
      // SIGTERM drains the chunk in flight and commits it (CLASSIFIER_SHUTDOWN_TIMEOUT_SECONDS).
      stopTimeout: Duration.seconds(60),
    };

    const serviceSecurityGroups = [kafka.clientSecurityGroup];
    if (settings.gpu) {
      const taskDefinition = new ecs.Ec2TaskDefinition(this, "GpuTask", {
        networkMode: ecs.NetworkMode.AWS_VPC,
      });
      taskDefinition.addContainer("worker", {
        ...container,
        gpuCount: 1,
        // The instance's memory but what the ECS agent and the OS keep.
        memoryReservationMiB: settings.memoryMiB,
      });
      const instanceSecurityGroup = new ec2.SecurityGroup(this, "GpuInstances", {
        vpc: network.vpc,
        description: "SentinelLLM GPU container instances (ECS agent, image pulls)",
        allowAllOutbound: false,
      });
      instanceSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), "HTTPS");
      const autoScalingGroup = new autoscaling.AutoScalingGroup(this, "GpuInstancesGroup", {
        vpc: network.vpc,
        vpcSubnets: network.privateSubnets,
        instanceType: new ec2.InstanceType(settings.gpuInstanceType),
        machineImage: ecs.EcsOptimizedImage.amazonLinux2023(ecs.AmiHardwareType.GPU),
        minCapacity: 0,
        maxCapacity: settings.maxTasks,
        securityGroup: instanceSecurityGroup,
        requireImdsv2: true,
        blockDevices: [
          {
            deviceName: "/dev/xvda",
            volume: autoscaling.BlockDeviceVolume.ebs(60, { encrypted: true }),
          },
        ],
      });
      acknowledge(autoScalingGroup, [
        {
          id: "AwsSolutions-AS3",
          reason:
            "The ECS capacity provider drives this group; its scaling shows in the ECS service's events",
        },
        {
          id: "AwsSolutions-IAM5[Action::ecs:Submit*]",
          reason:
            "The ECS agent's instance role as CDK writes it: ecs:Submit* reports task and container state",
        },
        {
          id: "AwsSolutions-IAM5[Resource::*]",
          reason:
            "The ECS agent's instance role: ecs:DiscoverPollEndpoint, ECR's GetAuthorizationToken and logs have no resource to scope to",
        },
      ]);
      const capacityProvider = new ecs.AsgCapacityProvider(this, "GpuCapacity", {
        autoScalingGroup,
        enableManagedTerminationProtection: false,
        // ECS managed draining moves tasks off an instance before it goes: no drain hook Lambda.
        enableManagedDraining: true,
      });
      cluster.addAsgCapacityProvider(capacityProvider);
      this.service = new ecs.Ec2Service(this, "Service", {
        cluster,
        taskDefinition,
        desiredCount: settings.minTasks,
        vpcSubnets: network.privateSubnets,
        securityGroups: serviceSecurityGroups,
        capacityProviderStrategies: [
          { capacityProvider: capacityProvider.capacityProviderName, weight: 1 },
        ],
        circuitBreaker: { rollback: true },
        minHealthyPercent: 50,
      });
    } else {
      const taskDefinition = new ecs.FargateTaskDefinition(this, "Task", {
        cpu: settings.cpu,
        memoryLimitMiB: settings.memoryMiB,
        runtimePlatform: {
          cpuArchitecture: ecs.CpuArchitecture.X86_64,
          operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        },
      });
      taskDefinition.addContainer("worker", container);
      this.service = new ecs.FargateService(this, "Service", {
        cluster,
        taskDefinition,
        desiredCount: settings.minTasks,
        vpcSubnets: network.privateSubnets,
        securityGroups: serviceSecurityGroups,
        circuitBreaker: { rollback: true },
        minHealthyPercent: 50,
      });
    }
    const taskDefinition = this.service.taskDefinition;
    kafka.grantRead(taskDefinition.taskRole, [kafka.topics.raw], [this.consumerGroup]);
    kafka.grantWrite(taskDefinition.taskRole, [kafka.topics.classified, kafka.topics.deadLetter]);
    acknowledge(taskDefinition, [
      {
        id: "AwsSolutions-ECS2",
        reason: "The environment holds settings only (names, ARNs, URLs); no secret is in it",
      },
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason: "ECR's GetAuthorizationToken (to pull the image) has no resource to scope it to",
      },
    ]);

    // Scale on the lag the worker writes as EMF (ConsumerLag by group and topic), never past the
    // partitions: beyond them a consumer has nothing to read.
    this.lag = new cloudwatch.Metric({
      namespace: CLOUDWATCH_METRICS_NAMESPACE,
      metricName: "ConsumerLag",
      dimensionsMap: { ConsumerGroup: this.consumerGroup, Topic: kafka.topics.raw },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
    });
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: settings.minTasks,
      maxCapacity: Math.min(settings.maxTasks, kafka.partitions),
    });
    scaling.scaleOnMetric("ConsumerLag", {
      metric: this.lag,
      scalingSteps: [
        { upper: settings.scaleOutLag / 10, change: -1 },
        { lower: settings.scaleOutLag, change: +1 },
        { lower: settings.scaleOutLag * 5, change: +2 },
      ],
      adjustmentType: autoscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.minutes(3),
      evaluationPeriods: 2,
    });
  }
}
