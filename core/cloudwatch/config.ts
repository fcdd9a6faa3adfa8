import * as z from "zod";
import { commaList, durationMs, nonNegativeInt, positiveInt } from "../config/fields.js";

/** AWS's variables: the region (also SES's, MSK IAM's, DynamoDB's) and the CloudWatch poller's. */
export const cloudwatchVariables = {
  AWS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "expected an AWS region such as us-east-1" })
    .optional(),
  AWS_LOG_GROUPS: commaList(
    z.string().regex(/^[\w/.#-]+$/, { error: "expected log group names" }),
  ).default([]),
  AWS_POLL_INTERVAL_SECONDS: positiveInt().default(30),
  /** CloudWatch Logs filter pattern for the poller; unset reads every event. */
  AWS_FILTER_PATTERN: z.string().trim().min(1).max(1024).optional(),
  /** How far back a log group without a checkpoint is read. */
  AWS_BACKFILL_SINCE: durationMs.prefault("1h"),
  /** Events younger than this wait for the next poll, so late-ingested ones are not skipped. */
  AWS_QUERY_LAG_SECONDS: nonNegativeInt(3600).default(10),
};
