export { clientRegion, createCloudWatchLogsClient, sdkFilterLogEvents } from "./client.js";
export { SubscriptionPayloadError } from "./errors.js";
export {
  type LambdaLine,
  type PlatformLine,
  parseLambdaLine,
  type RuntimeLine,
} from "./lambdaLine.js";
export { type CloudWatchMapping, cloudWatchLogEvent } from "./logEvent.js";
export {
  CloudWatchPoller,
  type CloudWatchPollerOptions,
  checkpointKey,
  DEFAULT_POLL_RETRY,
  type FilterLogEvents,
  type FilterLogEventsPage,
  type FilterLogEventsRequest,
  type PollOutcome,
  type PollResult,
} from "./poller.js";
export { isRetryableAwsError } from "./retryableError.js";
export { serviceFromLogGroup } from "./serviceName.js";
export {
  decodeCloudWatchLogsEvent,
  decodeSubscriptionPayload,
  encodeSubscriptionPayload,
  subscriptionEvents,
} from "./subscriptionPayload.js";
export type {
  CloudWatchEvent,
  CloudWatchLogsEvent,
  CloudWatchPosition,
  MessageType,
  SubscriptionLogEvent,
  SubscriptionPayload,
} from "./types.js";
