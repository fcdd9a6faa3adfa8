import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { generateAuthTokenFromCredentialsProvider } from "aws-msk-iam-sasl-signer-js";
import { type AwsCredentials, mskIamTokenProvider, signMskIamToken } from "./mskIamToken.js";

const credentials: AwsCredentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "session/token+with=odd chars",
};

function decode(token: string): URL {
  return new URL(Buffer.from(token, "base64url").toString("utf8"));
}

/** A token's URL with the (unsigned) User-Agent parameter's value left out. */
function withoutUserAgent(token: string): string {
  return Buffer.from(token, "base64url")
    .toString("utf8")
    .replace(/User-Agent=[^&]*/, "User-Agent=");
}

describe("signMskIamToken", () => {
  it("signs the same token as AWS's reference signer", async (t) => {
    const now = new Date("2026-12-03T10:11:12.345Z");
    t.mock.timers.enable({ apis: ["Date"], now });
    const reference = await generateAuthTokenFromCredentialsProvider({
      region: "eu-west-1",
      awsCredentialsProvider: async () => credentials,
    });
    const ours = await signMskIamToken("eu-west-1", credentials, now);
    assert.equal(withoutUserAgent(ours.token), withoutUserAgent(reference.token));
    assert.equal(ours.expiryTime, reference.expiryTime);
  });

  it("is a presigned kafka-cluster:Connect URL that lasts 15 minutes", async () => {
    const now = new Date("2026-12-03T10:11:12Z");
    const { token, expiryTime } = await signMskIamToken("us-east-1", credentials, now);
    assert.doesNotMatch(token, /[+/=]/);
    const url = decode(token);
    assert.equal(url.host, "kafka.us-east-1.amazonaws.com");
    assert.equal(url.searchParams.get("Action"), "kafka-cluster:Connect");
    assert.equal(
      url.searchParams.get("X-Amz-Credential"),
      "AKIDEXAMPLE/20261203/us-east-1/kafka-cluster/aws4_request",
    );
    assert.equal(url.searchParams.get("X-Amz-Expires"), "900");
    assert.equal(url.searchParams.get("X-Amz-Security-Token"), credentials.sessionToken);
    assert.match(url.searchParams.get("X-Amz-Signature") ?? "", /^[0-9a-f]{64}$/);
    assert.equal(url.searchParams.get("User-Agent"), "sentinel-llm");
    assert.equal(expiryTime, now.getTime() + 900_000);
  });

  it("does not outlive credentials that expire sooner", async () => {
    const now = new Date("2026-12-03T10:00:00Z");
    const expiring = { ...credentials, expiration: new Date("2026-12-03T10:05:00Z") };
    const { token, expiryTime } = await signMskIamToken("us-east-1", expiring, now);
    assert.equal(decode(token).searchParams.get("X-Amz-Expires"), "300");
    assert.equal(expiryTime, expiring.expiration.getTime());
  });

  it("refuses to sign without credentials", async () => {
    await assert.rejects(
      signMskIamToken("us-east-1", { accessKeyId: "", secretAccessKey: "" }),
      /no AWS credentials/,
    );
  });
});

describe("mskIamTokenProvider", () => {
  it("reuses a token while it is fresh and signs a new one before it expires", async () => {
    let clock = 0;
    let signed = 0;
    const provider = mskIamTokenProvider("us-east-1", {
      now: () => clock,
      sign: async () => ({ token: `token-${++signed}`, expiryTime: clock + 900_000 }),
    });
    assert.deepEqual(await provider(), { value: "token-1" });
    clock = 600_000;
    assert.deepEqual(await provider(), { value: "token-1" });
    clock = 850_000; // under a minute left
    assert.deepEqual(await provider(), { value: "token-2" });
  });

  it("signs once for callers that ask at the same time", async () => {
    const sign = mock.fn(async () => ({ token: "t", expiryTime: Date.now() + 900_000 }));
    const provider = mskIamTokenProvider("us-east-1", { sign });
    await Promise.all([provider(), provider(), provider()]);
    assert.equal(sign.mock.callCount(), 1);
  });
});
