/**
 * The AWS credentials a Lambda function has: its execution role's keys, which the Lambda runtime
 * puts in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. The Lambda bundles use
 * this in place of the SDK's default chain (scripts/bundle.mjs aliases
 * `@aws-sdk/credential-provider-node` to it): the chain's profile, SSO, web-identity and
 * instance-metadata providers never apply inside Lambda and would carry their own STS, SSO and
 * sign-in clients into every bundle.
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

type Init = Parameters<typeof fromEnv>[0];

export function defaultProvider(init?: Init) {
  const fromEnvironment = fromEnv(init);
  return async () => {
    try {
      return await fromEnvironment();
    } catch (error) {
      throw new Error(
        "no AWS credentials: a Lambda bundle reads them from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY " +
          "and AWS_SESSION_TOKEN, which Lambda sets from the function's execution role",
        { cause: error },
      );
    }
  };
}
