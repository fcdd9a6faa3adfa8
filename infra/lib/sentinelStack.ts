import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import * as ecs from "aws-cdk-lib/aws-ecs";
import type { Construct } from "constructs";
import type { InfraConfig } from "../config.js";
import { Alarms } from "./alarms.js";
import { ClassifierService } from "./classifierService.js";
import { Kafka } from "./kafka.js";
import { Lambdas } from "./lambdas.js";
import { Network } from "./network.js";
import { Observability } from "./observability.js";
import { State } from "./state.js";

export interface SentinelStackProps extends StackProps {
  config: InfraConfig;
}

/** The whole AWS side of SentinelLLM, one construct per concern. */
export class SentinelStack extends Stack {
  readonly network: Network;
  readonly kafka: Kafka;
  readonly state: State;
  readonly lambdas: Lambdas;
  readonly classifier: ClassifierService;
  readonly observability?: Observability;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: SentinelStackProps) {
    super(scope, id, props);
    // Launch templates: new accounts can no longer create launch configurations (GPU instances).
    this.node.setContext(
      "@aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig",
      true,
    );
    const { config } = props;
    this.network = new Network(this, "Network", config);
    this.kafka = new Kafka(this, "Kafka", config, this.network);
    this.state = new State(this, "State", config);
    const cluster = new ecs.Cluster(this, "Cluster", {
      clusterName: config.name,
      vpc: this.network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    if (config.observability.enabled)
      this.observability = new Observability(this, "Observability", {
        config,
        network: this.network,
        cluster,
        writers: this.kafka.clientSecurityGroup,
      });
    const metricsUrl = this.observability?.metricsUrl;
    this.lambdas = new Lambdas(this, "Lambdas", {
      config,
      network: this.network,
      kafka: this.kafka,
      state: this.state,
      ...(metricsUrl && { metricsUrl }),
      ...(this.observability && { grafanaUrl: this.observability.grafanaUrl }),
    });
    this.classifier = new ClassifierService(this, "Classifier", {
      config,
      network: this.network,
      kafka: this.kafka,
      cluster,
      ...(metricsUrl && { metricsUrl }),
    });
    this.alarms = new Alarms(this, "Alarms", {
      config,
      lambdas: this.lambdas,
      classifier: this.classifier,
    });

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    if (this.observability) {
      output(
        "GrafanaUrl",
        this.observability.grafanaUrl,
        "Grafana (internal: from the VPC or a VPN)",
      );
      output(
        "GrafanaAdminPasswordSecret",
        this.observability.grafanaAdminPassword.secretArn,
        "Grafana's admin password (user admin)",
      );
    }
    output("KafkaClusterArn", this.kafka.clusterArn, "The MSK cluster");
    output(
      "Topics",
      Object.values(this.kafka.topics).join(","),
      "raw, classified, anomalies, dead letters",
    );
    output("StateTable", this.state.table.tableName, "The DynamoDB state table");
    output("ModelBucket", this.classifier.modelBucket.bucketName, "Upload the model GGUF here");
    output(
      "ModelUrl",
      this.classifier.modelUrl,
      "Where the classifier reads its model (SENTINEL_MODEL)",
    );
    output(
      "TeamsWebhookUrlSecret",
      this.state.teamsWebhookUrl.secretArn,
      "Put the Teams webhook URL here",
    );
    if (this.state.smtpCredentials)
      output(
        "SmtpCredentialsSecret",
        this.state.smtpCredentials.secretArn,
        'Put {"username","password"} here',
      );
    output("FailureQueue", this.lambdas.failures.queueUrl, "Batches that ran out of retries");
    output("AlarmTopic", this.alarms.topic.topicArn, "CloudWatch alarms are sent here");
  }
}
