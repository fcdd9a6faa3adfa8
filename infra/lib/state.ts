import { RemovalPolicy } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as ses from "aws-cdk-lib/aws-ses";
import { Construct } from "constructs";
import type { InfraConfig } from "../config.js";
import { acknowledge } from "./nag.js";

/** What a state-table user may do; each store's commands (core/dynamodb/). */
export const STATE_TABLE_ACCESS = {
  checkpoints: ["dynamodb:GetItem", "dynamodb:PutItem"],
  alertGroups: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query"],
  detector: [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
  ],
} as const;

/**
 * State and secrets: the one DynamoDB table (pk/sk strings, TTL on expiresAt, point-in-time
 * recovery, encrypted, retained when the stack goes), the SMTP credentials and the Teams webhook
 * URL in Secrets Manager (created with a generated placeholder, or imported by ARN: their values
 * are never in the template, and the notifier reads them at run time), and optionally an SES
 * identity for the sender.
 */
export class State extends Construct {
  readonly table: dynamodb.Table;
  readonly smtpCredentials?: secretsmanager.ISecret;
  readonly teamsWebhookUrl: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, config: InfraConfig) {
    super(scope, id);
    const { alerting } = config;
    this.table = new dynamodb.Table(this, "Table", {
      tableName: `${config.name}-state`,
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
      sortKey: { name: "sk", type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: "expiresAt",
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    if (alerting.smtpHost !== undefined) {
      this.smtpCredentials =
        alerting.smtpCredentialsSecretArn !== undefined
          ? secretsmanager.Secret.fromSecretCompleteArn(
              this,
              "SmtpCredentials",
              alerting.smtpCredentialsSecretArn,
            )
          : new secretsmanager.Secret(this, "SmtpCredentials", {
              secretName: `${config.name}/smtp-credentials`,
              description:
                'SMTP credentials of the SentinelLLM notifier, JSON {"username","password"}: put the real ones here',
              generateSecretString: {
                secretStringTemplate: JSON.stringify({ username: "replace-me" }),
                generateStringKey: "password",
              },
              removalPolicy: RemovalPolicy.RETAIN,
            });
    }
    this.teamsWebhookUrl =
      alerting.teamsWebhookUrlSecretArn !== undefined
        ? secretsmanager.Secret.fromSecretCompleteArn(
            this,
            "TeamsWebhookUrl",
            alerting.teamsWebhookUrlSecretArn,
          )
        : new secretsmanager.Secret(this, "TeamsWebhookUrl", {
            secretName: `${config.name}/teams-webhook-url`,
            description:
              "The Microsoft Teams Workflows webhook URL of the SentinelLLM notifier (a secret string): put it here",
            removalPolicy: RemovalPolicy.RETAIN,
          });
    for (const secret of [this.smtpCredentials, this.teamsWebhookUrl])
      if (secret instanceof secretsmanager.Secret)
        acknowledge(secret, [
          {
            id: "AwsSolutions-SMG4",
            reason:
              "A third party issues these (the SMTP provider, the Teams workflow): they are rotated there and put here, not rotated by a Lambda",
          },
        ]);

    if (alerting.sesIdentity !== undefined) {
      new ses.EmailIdentity(this, "SesIdentity", {
        identity: alerting.sesIdentity.includes("@")
          ? ses.Identity.email(alerting.sesIdentity)
          : ses.Identity.domain(alerting.sesIdentity),
      });
    }
  }

  /** The table's actions a store needs, on the table only. */
  grantTable(grantee: iam.IGrantable, actions: readonly string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "StateTable",
        actions: [...new Set(actions)],
        resources: [this.table.tableArn],
      }),
    );
  }
}
