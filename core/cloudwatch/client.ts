import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { FilterLogEvents } from "./poller.js";

export interface CloudWatchLogsClientOptions {
  /** Default: the SDK's own resolution (AWS_REGION, the profile). */
  region?: string;
  /**
   * Only for tests and emulators. The SDK also reads AWS_ENDPOINT_URL_CLOUDWATCH_LOGS (or
   * AWS_ENDPOINT_URL) from the environment by itself.
   */
  endpoint?: string;
}

/**
 * A CloudWatch Logs client whose retries are left to the poller: the project's one retry policy
 * (core/retry/backoff.ts) decides about throttling and server errors, so the SDK makes one attempt
 * per call rather than multiplying its attempts by ours. Credentials come from the SDK's usual
 * chain (environment, profile, SSO, role).
 */
export function createCloudWatchLogsClient(
  options: CloudWatchLogsClientOptions = {},
): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    ...(options.region && { region: options.region }),
    ...(options.endpoint && { endpoint: options.endpoint }),
    maxAttempts: 1,
  });
}

/** FilterLogEvents through the SDK, in the poller's terms. */
export function sdkFilterLogEvents(client: CloudWatchLogsClient): FilterLogEvents {
  return async (request, signal) => {
    const output = await client.send(
      new FilterLogEventsCommand({
        logGroupName: request.logGroupName,
        startTime: request.startTime,
        endTime: request.endTime,
        ...(request.filterPattern && { filterPattern: request.filterPattern }),
        ...(request.nextToken && { nextToken: request.nextToken }),
        ...(request.limit && { limit: request.limit }),
      }),
      signal ? { abortSignal: signal } : {},
    );
    const events = (output.events ?? []).map((event) => ({
      id: event.eventId ?? "",
      timestamp: event.timestamp ?? 0,
      message: event.message ?? "",
      logStream: event.logStreamName ?? "",
    }));
    return output.nextToken ? { events, nextToken: output.nextToken } : { events };
  };
}

/** The region the client resolved (configuration, environment or profile). */
export async function clientRegion(client: CloudWatchLogsClient): Promise<string | undefined> {
  try {
    return await client.config.region();
  } catch {
    return undefined;
  }
}
