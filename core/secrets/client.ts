import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { regionOfArn } from "../config/arn.js";

/** Reads a secret's string value by its ARN. */
export type ReadSecret = (arn: string) => Promise<string | undefined>;

const clients = new Map<string, SecretsManagerClient>();

/**
 * GetSecretValue through the SDK, with one client per region (the ARN's) kept for the process.
 * Credentials come from the SDK's chain (the function's role); the SDK finds the endpoint itself
 * (AWS_ENDPOINT_URL_SECRETS_MANAGER points it at a stand-in in tests).
 */
export const sdkReadSecret: ReadSecret = async (arn) => {
  const region = regionOfArn(arn);
  let client = clients.get(region);
  if (!client) {
    client = new SecretsManagerClient({ region, maxAttempts: 3 });
    clients.set(region, client);
  }
  const output = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  return output.SecretString;
};
