import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import type { InfraConfig } from "../config.js";
import { CLOUDWATCH_METRICS_NAMESPACE, type ClassifierService } from "./classifierService.js";
import type { Lambdas } from "./lambdas.js";

/**
 * The log lines that say records or alerts went to the dead-letter topic (core/kafka/deadLetter.ts
 * and core/alerting/notifier.ts, JSON logs with pino's `msg`), and the field holding how many.
 * Every stage that dead-letters logs one of them; sentinel_dead_letters_total counts the same in
 * VictoriaMetrics.
 */
export const DEAD_LETTER_LOG_LINES = [
  { msg: "undecodable records sent to the dead-letter topic", count: "$.records" },
  { msg: "alert dead-lettered", count: "$.alerts" },
] as const;

export interface AlarmsProps {
  config: InfraConfig;
  lambdas: Lambdas;
  classifier: ClassifierService;
}

/**
 * CloudWatch alarms, to an SNS topic (with an e-mail subscription when configured): dead letters,
 * batches that ran out of retries (the on-failure queue), Lambda errors, consumer lag of the
 * classifier and of the MSK event sources, and the classifier's running tasks.
 */
export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const { config, lambdas, classifier } = props;
    this.topic = new sns.Topic(this, "Topic", {
      topicName: `${config.name}-alarms`,
      enforceSSL: true,
    });
    if (config.alarms.email !== undefined)
      this.topic.addSubscription(new subscriptions.EmailSubscription(config.alarms.email));

    // Dead letters, counted from the log lines of every stage that writes them.
    const deadLetterMetric = new cloudwatch.Metric({
      namespace: CLOUDWATCH_METRICS_NAMESPACE,
      metricName: "DeadLetters",
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
    });
    const logGroups: [string, logs.ILogGroup][] = [
      ...lambdas.functions.map((fn): [string, logs.ILogGroup] => [
        fn.node.id,
        (fn as lambda.Function).logGroup,
      ]),
      ["Classifier", classifier.logGroup],
    ];
    for (const [name, logGroup] of logGroups)
      DEAD_LETTER_LOG_LINES.forEach((line, index) => {
        new logs.MetricFilter(this, `DeadLetters${name}${index}`, {
          logGroup,
          metricNamespace: CLOUDWATCH_METRICS_NAMESPACE,
          metricName: "DeadLetters",
          filterPattern: logs.FilterPattern.stringValue("$.msg", "=", line.msg),
          metricValue: line.count,
        });
      });
    this.#alarm("DeadLetters", deadLetterMetric, {
      threshold: 1,
      description: "Records or alerts went to the dead-letter topic (see the stage's log)",
    });

    this.#alarm(
      "FailedBatches",
      lambdas.failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      {
        threshold: 1,
        description:
          "Batches or forwarder payloads ran out of retries: their offsets are in the failure queue",
      },
    );

    for (const fn of lambdas.functions)
      this.#alarm(`${fn.node.id}Errors`, fn.metricErrors({ period: Duration.minutes(5) }), {
        threshold: 1,
        evaluationPeriods: 2,
        description: `${fn.node.id} invocations failed`,
      });

    this.#alarm("ClassifierLag", classifier.lag.with({ period: Duration.minutes(5) }), {
      threshold: config.alarms.consumerLagThreshold,
      evaluationPeriods: 3,
      description: "The classifier falls behind raw-logs (consumer lag, records)",
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    for (const fn of [lambdas.detector, lambdas.notifier])
      this.#alarm(
        `${fn.node.id}Lag`,
        new cloudwatch.Metric({
          namespace: "AWS/Lambda",
          metricName: "OffsetLag",
          dimensionsMap: { FunctionName: fn.functionName },
          statistic: cloudwatch.Stats.MAXIMUM,
          period: Duration.minutes(5),
        }),
        {
          threshold: config.alarms.consumerLagThreshold,
          evaluationPeriods: 3,
          description: `${fn.node.id}'s MSK event sources fall behind (offset lag, records)`,
        },
      );

    // Container Insights' running task count: below the minimum means tasks keep failing (model
    // download or load, Kafka access) and the service replaces them.
    this.#alarm(
      "ClassifierRunningTasks",
      new cloudwatch.Metric({
        namespace: "ECS/ContainerInsights",
        metricName: "RunningTaskCount",
        dimensionsMap: {
          ClusterName: classifier.service.cluster.clusterName,
          ServiceName: classifier.service.serviceName,
        },
        statistic: cloudwatch.Stats.MINIMUM,
        period: Duration.minutes(5),
      }),
      {
        threshold: config.classifier.minTasks,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        description:
          "Fewer classifier tasks run than the minimum: they fail to start or stay unhealthy",
      },
    );
  }

  #alarm(
    id: string,
    metric: cloudwatch.IMetric,
    options: {
      threshold: number;
      description: string;
      evaluationPeriods?: number;
      comparisonOperator?: cloudwatch.ComparisonOperator;
      treatMissingData?: cloudwatch.TreatMissingData;
    },
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator:
        options.comparisonOperator ??
        cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
