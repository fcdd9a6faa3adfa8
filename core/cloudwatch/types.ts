/**
 * The shapes CloudWatch Logs hands us: a subscription filter's payload (after base64 and gzip are
 * undone) and the events FilterLogEvents returns, plus the poller's checkpoint position.
 */

/** The Lambda event a subscription filter invokes a function with. */
export interface CloudWatchLogsEvent {
  awslogs: { data: string };
}

export const MESSAGE_TYPES = ["DATA_MESSAGE", "CONTROL_MESSAGE"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** One log event of a subscription payload. */
export interface SubscriptionLogEvent {
  /** CloudWatch's event id: a decimal string of about 56 digits, unique in the log group. */
  id: string;
  /** Event time, epoch milliseconds. */
  timestamp: number;
  message: string;
  /** Present when a JSON field of the message was extracted by the subscription filter. */
  extractedFields?: Record<string, string>;
}

/** The decoded `awslogs.data` of a subscription filter invocation. */
export interface SubscriptionPayload {
  messageType: MessageType;
  /** The AWS account id of the log group (for control messages, `CloudwatchLogs`). */
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: SubscriptionLogEvent[];
  /** `ACCOUNT_LEVEL_POLICY` for account-level subscription policies. */
  policyLevel?: string;
}

/** One event as both sources see it: the subscription payload and FilterLogEvents. */
export interface CloudWatchEvent {
  id: string;
  timestamp: number;
  message: string;
  logGroup: string;
  logStream: string;
}

/** Where the FilterLogEvents poller resumes in one log group. */
export interface CloudWatchPosition {
  /** Epoch ms of the newest event delivered; the next query starts here, inclusive. */
  timestamp: number;
  /** Ids already delivered at exactly `timestamp`, so re-reading that millisecond skips them. */
  idsAtTimestamp: string[];
}
