import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecrAssets from "aws-cdk-lib/aws-ecr-assets";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as efs from "aws-cdk-lib/aws-efs";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as servicediscovery from "aws-cdk-lib/aws-servicediscovery";
import { Construct } from "constructs";
import type { InfraConfig } from "../config.js";
import { acknowledge } from "./nag.js";
import type { Network } from "./network.js";
import { REPOSITORY_ROOT } from "./sentinelFunction.js";

/** The same VictoriaMetrics as docker-compose.local.yml. */
export const VICTORIA_METRICS_IMAGE = "victoriametrics/victoria-metrics:v1.106.1";
const VICTORIA_METRICS_PORT = 8428;
const GRAFANA_PORT = 3000;

export interface ObservabilityProps {
  config: InfraConfig;
  network: Network;
  cluster: ecs.Cluster;
  /** Who pushes metrics: the Lambdas' and the tasks' security group. */
  writers: ec2.ISecurityGroup;
}

/**
 * Metrics and dashboards, private to the VPC: VictoriaMetrics (one Fargate task, its data on
 * encrypted EFS), the remote-write target of every stage (our remote-write client speaks basic
 * and bearer auth, not the SigV4 Amazon Managed Prometheus needs); and Grafana (Fargate, the
 * image of infra/grafana/Dockerfile with its provisioning and dashboards) behind an internal load
 * balancer, its admin password generated in Secrets Manager.
 */
export class Observability extends Construct {
  /** Base URL the pipeline pushes to (VICTORIA_METRICS_URL). */
  readonly metricsUrl: string;
  readonly grafanaUrl: string;
  readonly grafanaAdminPassword: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { config, network, cluster, writers } = props;
    const { vpc, privateSubnets } = network;
    const namespace = new servicediscovery.PrivateDnsNamespace(this, "Namespace", {
      name: `${config.name}.internal`,
      vpc,
    });

    // --- VictoriaMetrics ------------------------------------------------------------------
    const storage = new efs.FileSystem(this, "MetricsStorage", {
      vpc,
      vpcSubnets: privateSubnets,
      encrypted: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecyclePolicy: efs.LifecyclePolicy.AFTER_30_DAYS,
    });
    const accessPoint = storage.addAccessPoint("VictoriaMetrics", {
      path: "/victoria-metrics",
      posixUser: { uid: "1000", gid: "1000" },
      createAcl: { ownerUid: "1000", ownerGid: "1000", permissions: "750" },
    });
    const metricsTask = new ecs.FargateTaskDefinition(this, "VictoriaMetricsTask", {
      cpu: 512,
      memoryLimitMiB: 1024,
    });
    metricsTask.addVolume({
      name: "storage",
      efsVolumeConfiguration: {
        fileSystemId: storage.fileSystemId,
        transitEncryption: "ENABLED",
        authorizationConfig: { accessPointId: accessPoint.accessPointId, iam: "ENABLED" },
      },
    });
    storage.grantReadWrite(metricsTask.taskRole);
    const metricsContainer = metricsTask.addContainer("victoriametrics", {
      image: ecs.ContainerImage.fromRegistry(VICTORIA_METRICS_IMAGE),
      command: [
        `-retentionPeriod=${config.observability.retentionMonths}`,
        "-storageDataPath=/storage",
        `-httpListenAddr=:${VICTORIA_METRICS_PORT}`,
      ],
      portMappings: [{ containerPort: VICTORIA_METRICS_PORT }],
      logging: containerLogs(this, "VictoriaMetricsLogs", "victoriametrics", config),
    });
    metricsContainer.addMountPoints({
      containerPath: "/storage",
      sourceVolume: "storage",
      readOnly: false,
    });
    const metricsSecurityGroup = new ec2.SecurityGroup(this, "VictoriaMetricsSecurityGroup", {
      vpc,
      description: "SentinelLLM VictoriaMetrics: remote write and queries on 8428",
      allowAllOutbound: false,
    });
    metricsSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), "Image pulls, logs");
    storage.connections.allowDefaultPortFrom(metricsSecurityGroup, "VictoriaMetrics (NFS)");
    metricsSecurityGroup.addIngressRule(
      writers,
      ec2.Port.tcp(VICTORIA_METRICS_PORT),
      "Remote write from the pipeline",
    );
    writers.connections.allowTo(
      metricsSecurityGroup,
      ec2.Port.tcp(VICTORIA_METRICS_PORT),
      "Remote write to VictoriaMetrics",
    );
    // One writer on the storage at a time: a deployment stops the old task before the new one.
    new ecs.FargateService(this, "VictoriaMetrics", {
      cluster,
      taskDefinition: metricsTask,
      desiredCount: 1,
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      vpcSubnets: privateSubnets,
      securityGroups: [metricsSecurityGroup],
      cloudMapOptions: { name: "victoriametrics", cloudMapNamespace: namespace },
      circuitBreaker: { rollback: true },
    });
    this.metricsUrl = `http://victoriametrics.${namespace.namespaceName}:${VICTORIA_METRICS_PORT}`;

    // --- Grafana ----------------------------------------------------------------------------
    this.grafanaAdminPassword = new secretsmanager.Secret(this, "GrafanaAdminPassword", {
      description: "SentinelLLM Grafana admin password (user admin)",
      generateSecretString: { excludePunctuation: true, passwordLength: 32 },
    });
    acknowledge(this.grafanaAdminPassword, [
      {
        id: "AwsSolutions-SMG4",
        reason:
          "Grafana reads its admin password at start only; rotate by putting a new value and redeploying",
      },
    ]);
    const grafanaTask = new ecs.FargateTaskDefinition(this, "GrafanaTask", {
      cpu: 256,
      memoryLimitMiB: 512,
    });
    grafanaTask.addContainer("grafana", {
      image: ecs.ContainerImage.fromDockerImageAsset(
        new ecrAssets.DockerImageAsset(this, "GrafanaImage", {
          directory: `${REPOSITORY_ROOT}infra/grafana`,
          platform: ecrAssets.Platform.LINUX_AMD64,
        }),
      ),
      environment: {
        VICTORIA_METRICS_URL: this.metricsUrl,
        GF_AUTH_ANONYMOUS_ENABLED: "false",
        GF_SECURITY_ADMIN_USER: "admin",
        GF_ANALYTICS_REPORTING_ENABLED: "false",
        GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
      },
      secrets: {
        GF_SECURITY_ADMIN_PASSWORD: ecs.Secret.fromSecretsManager(this.grafanaAdminPassword),
      },
      portMappings: [{ containerPort: GRAFANA_PORT }],
      logging: containerLogs(this, "GrafanaLogs", "grafana", config),
    });
    const grafanaSecurityGroup = new ec2.SecurityGroup(this, "GrafanaSecurityGroup", {
      vpc,
      description: "SentinelLLM Grafana",
      allowAllOutbound: false,
    });
    grafanaSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), "Image pulls, logs");
    grafanaSecurityGroup.connections.allowTo(
      metricsSecurityGroup,
      ec2.Port.tcp(VICTORIA_METRICS_PORT),
      "Queries to VictoriaMetrics",
    );
    const grafana = new ecs.FargateService(this, "Grafana", {
      cluster,
      taskDefinition: grafanaTask,
      desiredCount: 1,
      minHealthyPercent: 100,
      vpcSubnets: privateSubnets,
      securityGroups: [grafanaSecurityGroup],
      circuitBreaker: { rollback: true },
    });

    const balancerSecurityGroup = new ec2.SecurityGroup(this, "GrafanaBalancerSecurityGroup", {
      vpc,
      description: "SentinelLLM Grafana internal load balancer",
      allowAllOutbound: false,
    });
    const allowed = config.observability.grafanaAllowedCidr ?? network.cidr;
    balancerSecurityGroup.addIngressRule(ec2.Peer.ipv4(allowed), ec2.Port.tcp(80), "Grafana users");
    const balancer = new elbv2.ApplicationLoadBalancer(this, "GrafanaBalancer", {
      vpc,
      vpcSubnets: privateSubnets,
      internetFacing: false,
      securityGroup: balancerSecurityGroup,
      dropInvalidHeaderFields: true,
    });
    balancer.addListener("Http", { port: 80, open: false }).addTargets("Grafana", {
      port: GRAFANA_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [grafana],
      healthCheck: { path: "/api/health", interval: Duration.seconds(30) },
    });
    this.grafanaUrl = `http://${balancer.loadBalancerDnsName}`;
    acknowledge(balancer, [
      {
        id: "AwsSolutions-ELB2",
        reason: "An internal dashboard's load balancer; Grafana logs its own requests",
      },
    ]);
    acknowledge(grafanaTask, [
      {
        id: "AwsSolutions-ECS2",
        reason:
          "The environment holds settings only; the admin password comes from Secrets Manager",
      },
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason: "ECR's GetAuthorizationToken (to pull the image) has no resource to scope it to",
      },
    ]);
  }
}

/** A container's logs in a log group of its own, kept logRetentionDays, deleted with the stack. */
function containerLogs(
  scope: Construct,
  id: string,
  streamPrefix: string,
  config: InfraConfig,
): ecs.LogDriver {
  const logGroup = new logs.LogGroup(scope, id, {
    retention: config.logRetentionDays,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return ecs.LogDrivers.awsLogs({ logGroup, streamPrefix });
}
