import { randomUUID } from "node:crypto";

/**
 * The event an EventBridge schedule invokes a Lambda with (fixtures/scheduled-event.json is AWS's
 * documented example). A handler that also consumes Kafka (the notifier) tells the two apart with
 * `isScheduledEvent`; the local runner (`sentinel lambda-runner --schedule`) sends the same shape.
 */
export interface ScheduledEvent {
  version: "0";
  id: string;
  "detail-type": "Scheduled Event";
  source: "aws.events";
  account: string;
  /** The scheduled time, ISO-8601 to the second ("2015-10-08T16:53:06Z"). */
  time: string;
  region: string;
  /** The rule's ARN. */
  resources: string[];
  detail: Record<string, never>;
}

export interface ScheduledEventOptions {
  /** Default `sentinel-notifier-flush`, the notifier's rule in the CDK app. */
  ruleName?: string;
  region?: string;
  /** Default: the all-zero account local emulators use. */
  account?: string;
}

/** A scheduled event for `now`, as EventBridge would send it from the rule `ruleName`. */
export function scheduledEvent(now: Date, options: ScheduledEventOptions = {}): ScheduledEvent {
  const region = options.region ?? "us-east-1";
  const account = options.account ?? "000000000000";
  const ruleName = options.ruleName ?? "sentinel-notifier-flush";
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account,
    time: `${new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`,
    region,
    resources: [`arn:aws:events:${region}:${account}:rule/${ruleName}`],
    detail: {},
  };
}

/** True for an EventBridge scheduled event (and not, say, an MSK batch). */
export function isScheduledEvent(event: unknown): event is ScheduledEvent {
  if (typeof event !== "object" || event === null) return false;
  const { source, "detail-type": detailType } = event as Partial<ScheduledEvent>;
  return source === "aws.events" && detailType === "Scheduled Event";
}
