import {
  ArnFormat,
  type CfnResource,
  CustomResource,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
} from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as msk from "aws-cdk-lib/aws-msk";
import * as cr from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import type { InfraConfig } from "../config.js";
import { acknowledge } from "./nag.js";
import type { Network } from "./network.js";
import { sentinelFunction } from "./sentinelFunction.js";

/** MSK with IAM authentication: SASL/SCRAM and plaintext are never turned on. */
export const MSK_IAM_PORT = 9098;

/** The variables every Kafka client of the deployment gets (core/kafka/config.ts). */
export function kafkaClientEnvironment(kafka: Kafka): Record<string, string> {
  const { topics } = kafka;
  return {
    MSK_CLUSTER_ARN: kafka.clusterArn,
    KAFKA_SASL_MECHANISM: "aws-msk-iam",
    KAFKA_SSL: "true",
    KAFKA_TOPIC_RAW: topics.raw,
    KAFKA_TOPIC_CLASSIFIED: topics.classified,
    KAFKA_TOPIC_ANOMALIES: topics.anomalies,
    KAFKA_TOPIC_DEAD_LETTER: topics.deadLetter,
    KAFKA_TOPIC_PARTITIONS: String(kafka.partitions),
    KAFKA_REPLICATION_FACTOR: String(kafka.replicationFactor),
  };
}

/**
 * The Kafka backbone: MSK Serverless (the default), a provisioned MSK cluster, or an existing
 * cluster by ARN, always with IAM authentication on port 9098; the security group clients use
 * to reach it; the pipeline's topics, created by a custom resource (functions/aws/kafkaTopics.ts)
 * before anything reads them, and kept when the stack is deleted; and IAM grants scoped to the
 * cluster, the topics and the consumer groups each client uses.
 */
export class Kafka extends Construct {
  readonly clusterArn: string;
  /** Attached to every Lambda and task that talks to Kafka. */
  readonly clientSecurityGroup: ec2.SecurityGroup;
  readonly clusterSecurityGroup: ec2.ISecurityGroup;
  readonly topics: InfraConfig["kafka"]["topics"];
  readonly partitions: number;
  /** MSK Serverless always keeps 3 replicas; otherwise kafka.replicationFactor. */
  readonly replicationFactor: number;
  /** The custom resource that creates the topics; consumers depend on it. */
  readonly topicsResource?: CustomResource;
  readonly #clusterName: string;
  readonly #clusterUuid: string;

  constructor(scope: Construct, id: string, config: InfraConfig, network: Network) {
    super(scope, id);
    const { kafka: settings } = config;
    const { vpc, privateSubnets } = network;
    this.topics = settings.topics;
    this.partitions = settings.partitions;
    this.replicationFactor = settings.mode === "serverless" ? 3 : settings.replicationFactor;

    this.clientSecurityGroup = new ec2.SecurityGroup(this, "ClientSecurityGroup", {
      vpc,
      description: "SentinelLLM Kafka clients: the Lambdas and the classifier tasks",
      allowAllOutbound: false,
    });
    // AWS APIs (Kafka, STS, DynamoDB, Secrets Manager, CloudWatch), images and the model.
    this.clientSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), "HTTPS");

    if (settings.mode === "existing") {
      this.clusterArn = settings.clusterArn as string;
      this.clusterSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
        this,
        "ClusterSecurityGroup",
        settings.clusterSecurityGroupId as string,
        { mutable: true },
      );
    } else {
      const clusterSecurityGroup = new ec2.SecurityGroup(this, "ClusterSecurityGroup", {
        vpc,
        description:
          "SentinelLLM MSK cluster (IAM auth on 9098); the MSK event source pollers use it too",
        allowAllOutbound: false,
      });
      // The Lambda event source pollers run with the cluster's security group: they reach the
      // brokers through it, and Lambda and STS over HTTPS.
      clusterSecurityGroup.addIngressRule(
        clusterSecurityGroup,
        ec2.Port.tcp(MSK_IAM_PORT),
        "MSK event source pollers",
      );
      clusterSecurityGroup.addEgressRule(
        clusterSecurityGroup,
        ec2.Port.tcp(MSK_IAM_PORT),
        "MSK event source pollers to the brokers",
      );
      clusterSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), "Lambda and STS");
      this.clusterSecurityGroup = clusterSecurityGroup;
      const subnetIds = vpc.selectSubnets(privateSubnets).subnetIds;
      if (settings.mode === "serverless") {
        const cluster = new msk.CfnServerlessCluster(this, "Cluster", {
          clusterName: config.name,
          clientAuthentication: { sasl: { iam: { enabled: true } } },
          vpcConfigs: [{ subnetIds, securityGroups: [clusterSecurityGroup.securityGroupId] }],
        });
        this.clusterArn = cluster.attrArn;
      } else {
        const brokerLogs = new logs.LogGroup(this, "BrokerLogs", {
          retention: config.logRetentionDays,
          removalPolicy: RemovalPolicy.DESTROY,
        });
        const cluster = new msk.CfnCluster(this, "Cluster", {
          clusterName: config.name,
          kafkaVersion: settings.kafkaVersion,
          numberOfBrokerNodes: settings.brokerNodes,
          brokerNodeGroupInfo: {
            instanceType: settings.brokerInstanceType,
            clientSubnets: subnetIds,
            securityGroups: [clusterSecurityGroup.securityGroupId],
            storageInfo: { ebsStorageInfo: { volumeSize: settings.brokerVolumeGiB } },
          },
          clientAuthentication: {
            sasl: { iam: { enabled: true } },
            unauthenticated: { enabled: false },
          },
          encryptionInfo: { encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
          loggingInfo: {
            brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogs.logGroupName } },
          },
        });
        this.clusterArn = cluster.attrArn;
      }
    }
    this.clusterSecurityGroup.addIngressRule(
      this.clientSecurityGroup,
      ec2.Port.tcp(MSK_IAM_PORT),
      "Kafka clients (IAM)",
    );
    this.clientSecurityGroup.addEgressRule(
      this.clusterSecurityGroup,
      ec2.Port.tcp(MSK_IAM_PORT),
      "MSK brokers (IAM)",
    );

    // arn:aws:kafka:region:account:cluster/<name>/<uuid>: topics and groups are named after it.
    const arnParts = Fn.split("/", this.clusterArn);
    this.#clusterName = Fn.select(1, arnParts);
    this.#clusterUuid = Fn.select(2, arnParts);

    this.topicsResource = this.#createTopics(config, network);
  }

  /** A topic's ARN, for kafka-cluster:ReadData / WriteData / DescribeTopic. */
  topicArn(topic: string): string {
    return this.#kafkaArn("topic", topic);
  }

  /** A consumer group's ARN, for kafka-cluster:DescribeGroup / AlterGroup. */
  groupArn(group: string): string {
    return this.#kafkaArn("group", group);
  }

  #kafkaArn(kind: "topic" | "group", name: string): string {
    return Stack.of(this).formatArn({
      service: "kafka",
      resource: kind,
      resourceName: `${this.#clusterName}/${this.#clusterUuid}/${name}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /** Connecting: the cluster itself, and the bootstrap brokers looked up with client-kafka. */
  grantConnect(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "KafkaConnect",
        actions: ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
        resources: [this.clusterArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "KafkaBootstrapBrokers",
        actions: ["kafka:GetBootstrapBrokers", "kafka:DescribeClusterV2"],
        resources: [this.clusterArn],
      }),
    );
  }

  /** Producing to these topics (idempotent producers need the cluster's WriteDataIdempotently). */
  grantWrite(grantee: iam.IGrantable, topics: readonly string[]): void {
    this.grantConnect(grantee);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "KafkaWrite",
        actions: ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"],
        resources: topics.map((topic) => this.topicArn(topic)),
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "KafkaIdempotentWrite",
        actions: ["kafka-cluster:WriteDataIdempotently"],
        resources: [this.clusterArn],
      }),
    );
  }

  /** Consuming these topics in these consumer groups. */
  grantRead(grantee: iam.IGrantable, topics: readonly string[], groups: readonly string[]): void {
    this.grantConnect(grantee);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "KafkaRead",
        actions: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
        resources: topics.map((topic) => this.topicArn(topic)),
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "KafkaGroups",
        actions: ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
        resources: groups.map((group) => this.groupArn(group)),
      }),
    );
    // The MSK event source pollers read the cluster's settings before they consume.
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "KafkaClusterConfiguration",
        actions: ["kafka-cluster:DescribeClusterDynamicConfiguration"],
        resources: [this.clusterArn],
      }),
    );
  }

  #createTopics(config: InfraConfig, network: Network): CustomResource {
    const onEvent = sentinelFunction(this, "TopicsHandler", {
      handler: "kafkaTopics",
      functionName: `${config.name}-kafka-topics`,
      description: "Creates the SentinelLLM Kafka topics that are missing (custom resource)",
      timeout: Duration.minutes(5),
      memorySize: 256,
      environment: {
        MSK_CLUSTER_ARN: this.clusterArn,
        KAFKA_SASL_MECHANISM: "aws-msk-iam",
        KAFKA_SSL: "true",
        SENTINEL_LOG_LEVEL: config.logLevel,
      },
      vpc: network.vpc,
      vpcSubnets: network.privateSubnets,
      securityGroups: [this.clientSecurityGroup],
      logRetention: config.logRetentionDays,
    });
    const topics = Object.values(this.topics);
    this.grantConnect(onEvent);
    onEvent.addToRolePolicy(
      new iam.PolicyStatement({
        sid: "KafkaCreateTopics",
        // AlterTopic: the handler adds partitions when the configured count grows.
        actions: [
          "kafka-cluster:CreateTopic",
          "kafka-cluster:DescribeTopic",
          "kafka-cluster:AlterTopic",
        ],
        resources: topics.map((topic) => this.topicArn(topic)),
      }),
    );
    const provider = new cr.Provider(this, "TopicsProvider", {
      onEventHandler: onEvent,
      logGroup: new logs.LogGroup(this, "TopicsProviderLogs", {
        retention: config.logRetentionDays,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    acknowledge(provider, [
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason: "The CDK Provider framework's function: AWSLambdaBasicExecutionRole for its logs",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(onEvent.node.defaultChild as CfnResource)}.Arn>:*]`,
        reason: "The CDK Provider framework invokes the onEvent handler's versions (its ARN:*)",
      },
    ]);
    const replicationFactor =
      config.kafka.mode === "serverless"
        ? {}
        : { ReplicationFactor: config.kafka.replicationFactor };
    return new CustomResource(this, "Topics", {
      serviceToken: provider.serviceToken,
      resourceType: "Custom::SentinelKafkaTopics",
      properties: {
        Topics: topics.map((topic) => ({
          Name: topic,
          Partitions: this.partitions,
          ...replicationFactor,
        })),
      },
    });
  }
}
