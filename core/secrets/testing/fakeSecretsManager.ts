import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the Secrets Manager API on loopback, for tests: it speaks the service's wire
 * protocol (awsJson1_1: `POST /`, `X-Amz-Target: secretsmanager.GetSecretValue`, JSON bodies,
 * errors as HTTP 400 with `{"__type", "message"}`), so the real `@aws-sdk/client-secrets-manager`
 * client talks to it with only its endpoint changed (AWS_ENDPOINT_URL_SECRETS_MANAGER).
 * Signatures are not checked. A secret can be made to answer AccessDeniedException.
 *
 * @example
 * const sm = await startFakeSecretsManager();
 * const arn = sm.putSecret("sentinel/smtp", JSON.stringify({ username: "u", password: "p" }));
 */
export interface FakeSecretsManager {
  readonly endpoint: string;
  /** Secret ids asked for, in order. */
  readonly requests: string[];
  /** Stores a string secret; returns its ARN (region eu-west-1). */
  putSecret(name: string, value: string): string;
  /** Requests for this ARN are answered AccessDeniedException. */
  denyAccess(arn: string): void;
  stop(): Promise<void>;
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, { name: string; value: string }>();
  const denied = new Set<string>();
  const requests: string[] = [];
  const server = createServer(async (request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify(body));
    };
    const target = request.headers["x-amz-target"];
    if (request.method !== "POST" || target !== "secretsmanager.GetSecretValue")
      return answer(400, { __type: "UnknownOperationException", message: String(target) });
    const { SecretId } = JSON.parse(await bodyOf(request)) as { SecretId: string };
    requests.push(SecretId);
    if (denied.has(SecretId))
      return answer(400, {
        __type: "AccessDeniedException",
        message: `User is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SecretId}`,
      });
    const secret = secrets.get(SecretId);
    if (!secret)
      return answer(400, {
        __type: "ResourceNotFoundException",
        message: "Secrets Manager can't find the specified secret.",
      });
    answer(200, {
      ARN: SecretId,
      Name: secret.name,
      SecretString: secret.value,
      VersionId: "00000000-0000-4000-8000-000000000000",
      VersionStages: ["AWSCURRENT"],
      CreatedDate: 1_767_225_600,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    putSecret(name, value) {
      const arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
      secrets.set(arn, { name, value });
      return arn;
    },
    denyAccess(arn) {
      denied.add(arn);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
