/**
 * The `awslogs.data` of a subscription invocation is not base64 of gzip of the expected JSON. A
 * retry cannot fix it: the invocation fails with this error, and after CloudWatch's retries the
 * payload lands in the function's on-failure destination with the message naming what was wrong.
 */
export class SubscriptionPayloadError extends Error {
  override name = "SubscriptionPayloadError";
}
