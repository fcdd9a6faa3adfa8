import { ArnFormat, Duration, Stack, Token } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as destinations from "aws-cdk-lib/aws-lambda-destinations";
import * as sources from "aws-cdk-lib/aws-lambda-event-sources";
import type * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import * as logsDestinations from "aws-cdk-lib/aws-logs-destinations";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { InfraConfig } from "../config.js";
import { type Kafka, kafkaClientEnvironment } from "./kafka.js";
import { acknowledge } from "./nag.js";
import type { Network } from "./network.js";
import { managedPolicy, sentinelFunction } from "./sentinelFunction.js";
import { STATE_TABLE_ACCESS, type State } from "./state.js";

export interface LambdasProps {
  config: InfraConfig;
  network: Network;
  kafka: Kafka;
  state: State;
  /** VictoriaMetrics' base URL, when metrics are deployed. */
  metricsUrl?: string;
  grafanaUrl?: string;
}

/**
 * The four Lambda handlers of functions/aws/ and what triggers them: subscription filters on the
 * configured log groups (forwarder), EventBridge schedules (poller; the notifier's minute tick),
 * and MSK event source mappings on classified-logs (detector) and classified-logs + anomalies
 * (notifier), each mapping in a consumer group of its own, with partial batch responses, retries
 * from the first failed record, then the on-failure queue.
 */
export class Lambdas extends Construct {
  readonly forwarder: nodejs.NodejsFunction;
  readonly poller?: nodejs.NodejsFunction;
  readonly detector: nodejs.NodejsFunction;
  readonly notifier: nodejs.NodejsFunction;
  /** Where batches that ran out of retries (and failed forwarder invocations) are recorded. */
  readonly failures: sqs.Queue;
  /** Consumer groups of the event source mappings, by function. */
  readonly consumerGroups: {
    detector: string;
    notifierClassified: string;
    notifierAnomalies: string;
  };

  constructor(scope: Construct, id: string, props: LambdasProps) {
    super(scope, id);
    const { config, network, kafka, state } = props;
    const { topics } = kafka;
    const common = {
      vpc: network.vpc,
      vpcSubnets: network.privateSubnets,
      securityGroups: [kafka.clientSecurityGroup],
      logRetention: config.logRetentionDays,
    };
    const environment: Record<string, string> = {
      ...kafkaClientEnvironment(kafka),
      SENTINEL_LOG_LEVEL: config.logLevel,
      SENTINEL_LOG_FORMAT: "json",
      SENTINEL_STATE_BACKEND: "dynamodb",
      SENTINEL_STATE_TABLE: state.table.tableName,
      ...(props.metricsUrl && { VICTORIA_METRICS_URL: props.metricsUrl }),
      ...(props.grafanaUrl && { GRAFANA_URL: props.grafanaUrl }),
    };

    this.failures = new sqs.Queue(this, "Failures", {
      queueName: `${config.name}-lambda-failures`,
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    acknowledge(this.failures, [
      {
        id: "AwsSolutions-SQS3",
        reason: "This queue is itself the dead-letter destination",
      },
    ]);

    this.forwarder = sentinelFunction(this, "CloudWatchForwarder", {
      ...common,
      handler: "cloudwatchForwarder",
      functionName: `${config.name}-cloudwatch-forwarder`,
      description: "CloudWatch Logs subscription filter target: log events to Kafka raw-logs",
      timeout: Duration.minutes(1),
      memorySize: 512,
      environment,
    });
    kafka.grantWrite(this.forwarder, [topics.raw]);
    // Subscription filters invoke asynchronously: two retries, then the failure queue.
    this.forwarder.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new destinations.SqsDestination(this.failures),
    });
    const filterPattern =
      config.ingestion.filterPattern === ""
        ? logs.FilterPattern.allEvents()
        : logs.FilterPattern.literal(config.ingestion.filterPattern);
    config.ingestion.subscribedLogGroups.forEach((name, index) => {
      logs.LogGroup.fromLogGroupName(this, `Subscribed${index}`, name).addSubscriptionFilter(
        "SentinelForwarder",
        {
          destination: new logsDestinations.LambdaDestination(this.forwarder),
          filterPattern,
          filterName: `${config.name}-forwarder`,
        },
      );
    });

    if (config.ingestion.polledLogGroups.length > 0) {
      const poller = sentinelFunction(this, "CloudWatchPoller", {
        ...common,
        handler: "cloudwatchPoller",
        functionName: `${config.name}-cloudwatch-poller`,
        description: "Scheduled FilterLogEvents poller: log groups to Kafka raw-logs",
        timeout: Duration.minutes(5),
        memorySize: 512,
        environment: {
          ...environment,
          AWS_LOG_GROUPS: config.ingestion.polledLogGroups.join(","),
          ...(config.ingestion.filterPattern !== "" && {
            AWS_FILTER_PATTERN: config.ingestion.filterPattern,
          }),
        },
      });
      kafka.grantWrite(poller, [topics.raw]);
      state.grantTable(poller, STATE_TABLE_ACCESS.checkpoints);
      poller.addToRolePolicy(
        new iam.PolicyStatement({
          sid: "FilterLogEvents",
          actions: ["logs:FilterLogEvents"],
          resources: config.ingestion.polledLogGroups.map((name) =>
            Stack.of(this).formatArn({
              service: "logs",
              resource: "log-group",
              resourceName: `${name}:*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ),
        }),
      );
      acknowledge(poller, [
        ...config.ingestion.polledLogGroups.map((name) => ({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${nagName(Stack.of(this).region, "Region")}:${nagName(Stack.of(this).account, "AccountId")}:log-group:${name}:*]`,
          reason: "FilterLogEvents on this polled log group's streams (the log group ARN's :*)",
        })),
      ]);
      new events.Rule(this, "PollSchedule", {
        description: "Runs the SentinelLLM CloudWatch poller",
        schedule: events.Schedule.rate(Duration.minutes(config.ingestion.pollIntervalMinutes)),
        targets: [new targets.LambdaFunction(poller, { retryAttempts: 0 })],
      });
      this.poller = poller;
    }

    this.consumerGroups = {
      detector: `${config.name}-anomaly-detector`,
      notifierClassified: `${config.name}-notifier-classified`,
      notifierAnomalies: `${config.name}-notifier-anomalies`,
    };

    this.detector = sentinelFunction(this, "AnomalyDetector", {
      ...common,
      handler: "anomalyDetector",
      functionName: `${config.name}-anomaly-detector`,
      description: "MSK classified-logs to anomalies: spike and new-template detection",
      timeout: Duration.minutes(2),
      memorySize: 1024,
      environment,
    });
    kafka.grantRead(this.detector, [topics.classified], [this.consumerGroups.detector]);
    kafka.grantWrite(this.detector, [topics.anomalies, topics.deadLetter]);
    state.grantTable(this.detector, STATE_TABLE_ACCESS.detector);
    this.#consume(this.detector, kafka, topics.classified, this.consumerGroups.detector, config);

    const notifierSecurityGroup = new ec2.SecurityGroup(this, "NotifierSmtp", {
      vpc: network.vpc,
      description: "SentinelLLM notifier: SMTP to the mail server",
      allowAllOutbound: false,
    });
    notifierSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(config.alerting.smtpPort),
      "SMTP",
    );
    const { alerting } = config;
    this.notifier = sentinelFunction(this, "Notifier", {
      ...common,
      handler: "notifier",
      functionName: `${config.name}-notifier`,
      description: "MSK classified-logs and anomalies to e-mail and Microsoft Teams alerts",
      timeout: Duration.minutes(5),
      memorySize: 512,
      environment: {
        ...environment,
        EMAIL_TRANSPORT: alerting.emailTransport,
        DEDUP_WINDOW_MINUTES: String(alerting.dedupWindowMinutes),
        SEND_PREVENTIVE_EMAILS: String(alerting.sendPreventiveEmails),
        ALERT_GROUP_BY: alerting.groupBy.join(","),
        ALERT_GROUP_WAIT_SECONDS: String(alerting.groupWaitSeconds),
        ALERT_GROUP_INTERVAL_MINUTES: String(alerting.groupIntervalMinutes),
        ALERT_REPEAT_INTERVAL_HOURS: String(alerting.repeatIntervalHours),
        ALERT_RESOLVE_AFTER_MINUTES: String(alerting.resolveAfterMinutes),
        ALERT_SEND_RESOLVED: String(alerting.sendResolved),
        TEAMS_WEBHOOK_URL_SECRET_ARN: state.teamsWebhookUrl.secretArn,
        ...(alerting.emailFrom && { EMAIL_FROM: alerting.emailFrom }),
        ...(alerting.emailRecipients.length > 0 && {
          EMAIL_RECIPIENTS: alerting.emailRecipients.join(","),
        }),
        ...(alerting.smtpHost && {
          SMTP_HOST: alerting.smtpHost,
          SMTP_PORT: String(alerting.smtpPort),
        }),
        ...(state.smtpCredentials && {
          SMTP_CREDENTIALS_SECRET_ARN: state.smtpCredentials.secretArn,
        }),
      },
      securityGroups: [kafka.clientSecurityGroup, notifierSecurityGroup],
    });
    kafka.grantRead(
      this.notifier,
      [topics.classified, topics.anomalies],
      [this.consumerGroups.notifierClassified, this.consumerGroups.notifierAnomalies],
    );
    kafka.grantWrite(this.notifier, [topics.deadLetter]);
    state.grantTable(this.notifier, STATE_TABLE_ACCESS.alertGroups);
    // Group timers (wait, interval, repeat, resolve) end while no record comes: a minute's tick
    // sends what is due. A missed tick is made up by the next one, so no retries.
    new events.Rule(this, "NotifierFlushSchedule", {
      ruleName: `${config.name}-notifier-flush`,
      description: "Sends the SentinelLLM notification groups that are due",
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.notifier, { retryAttempts: 0 })],
    });
    this.notifier.addToRolePolicy(
      new iam.PolicyStatement({
        sid: "AlertSecrets",
        actions: ["secretsmanager:GetSecretValue"],
        resources: [state.teamsWebhookUrl, state.smtpCredentials]
          .filter((secret) => secret !== undefined)
          .map((secret) => secret.secretArn),
      }),
    );
    if (alerting.emailTransport === "ses") {
      // SES authorizes a send against the identity verified: the address, or its domain.
      const from = alerting.emailFrom as string;
      this.notifier.addToRolePolicy(
        new iam.PolicyStatement({
          sid: "SesSend",
          actions: ["ses:SendEmail"],
          resources: [from, from.split("@")[1] as string].map((identity) =>
            Stack.of(this).formatArn({
              service: "ses",
              resource: "identity",
              resourceName: identity,
            }),
          ),
          conditions: { StringEquals: { "ses:FromAddress": from } },
        }),
      );
    }
    this.#consume(
      this.notifier,
      kafka,
      topics.classified,
      this.consumerGroups.notifierClassified,
      config,
    );
    this.#consume(
      this.notifier,
      kafka,
      topics.anomalies,
      this.consumerGroups.notifierAnomalies,
      config,
    );

    // The event source mappings start once the topics exist.
    if (kafka.topicsResource)
      for (const fn of this.functions) fn.node.addDependency(kafka.topicsResource);
    for (const fn of [this.detector, this.notifier])
      acknowledge(fn, [managedPolicy("AWSLambdaMSKExecutionRole")]);
  }

  get functions(): nodejs.NodejsFunction[] {
    return [this.forwarder, this.poller, this.detector, this.notifier].filter(
      (fn) => fn !== undefined,
    );
  }

  #consume(
    fn: nodejs.NodejsFunction,
    kafka: Kafka,
    topic: string,
    consumerGroupId: string,
    config: InfraConfig,
  ): void {
    const settings = config.eventSource;
    fn.addEventSource(
      new sources.ManagedKafkaEventSource({
        clusterArn: kafka.clusterArn,
        topic,
        consumerGroupId,
        batchSize: settings.batchSize,
        maxBatchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds),
        startingPosition: lambda.StartingPosition[settings.startingPosition],
        // Retries, partial batch responses and bisecting need provisioned pollers on MSK.
        // One poller group for the three mappings: they share the pollers (and their cost).
        provisionedPollerConfig: {
          minimumPollers: 1,
          maximumPollers: settings.maxPollers,
          pollerGroupName: `${config.name}-pollers`,
        },
        retryAttempts: settings.retryAttempts,
        reportBatchItemFailures: true,
        bisectBatchOnError: false,
        onFailure: new sources.SqsDlq(this.failures),
      }),
    );
  }
}

/** A region or account as cdk-nag names it in a finding: itself, or the pseudo parameter. */
function nagName(value: string, pseudo: "Region" | "AccountId"): string {
  return Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
}
