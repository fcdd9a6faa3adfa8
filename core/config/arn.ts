import * as z from "zod";

/**
 * Amazon Resource Names in the configuration: the field type for the ARN of one service's
 * resource, and the region an ARN names, so a variable holding an ARN needs no AWS_REGION beside
 * it. `arn:<partition>:<service>:<region>:<account>:<resource>`.
 */

const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):(.+)$/;

/** An ARN of `service` (as it appears in the ARN: secretsmanager, kafka) whose resource starts with `resource`. */
export const arnOf = (service: string, resource: string) =>
  z.string().refine(
    (value) => {
      const parts = ARN.exec(value);
      return parts?.[2] === service && (parts[5] ?? "").startsWith(resource);
    },
    { error: `expected an ARN such as arn:aws:${service}:us-east-1:123456789012:${resource}…` },
  );

/** The region an ARN names; throws on a value that is not an ARN (the schema has checked it). */
export function regionOfArn(arn: string): string {
  const region = ARN.exec(arn)?.[3];
  if (!region) throw new Error(`not an ARN with a region: ${arn}`);
  return region;
}
