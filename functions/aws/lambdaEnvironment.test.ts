import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SecretError } from "../../core/secrets/errors.js";
import {
  type FakeSecretsManager,
  startFakeSecretsManager,
} from "../../core/secrets/testing/fakeSecretsManager.js";
import { lambdaEnvironment } from "./lambdaEnvironment.js";

// The environment every Lambda handler starts from, configured only by environment variables,
// with its secret read by the real Secrets Manager client from a stand-in on loopback.
let sm: FakeSecretsManager;
const WEBHOOK = "https://example.webhook.office.com/workflows/1?sig=not-real";

before(async () => {
  sm = await startFakeSecretsManager();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "test-secret-not-real",
    // The ARN putSecret will give the secret: it is created only after the first invocation.
    TEAMS_WEBHOOK_URL_SECRET_ARN:
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sentinel/teams-AbCdEf",
    SENTINEL_LOG_LEVEL: "silent",
    SENTINEL_ENV_FILE: "",
  });
});
after(() => sm.stop());

describe("the Lambda environment", () => {
  it("fails an invocation whose secret cannot be read, reads it on the next one, then keeps it", async () => {
    await assert.rejects(lambdaEnvironment("env-test"), (error: Error) => {
      assert.ok(error instanceof SecretError);
      assert.match(error.message, /TEAMS_WEBHOOK_URL_SECRET_ARN: cannot read secret/);
      return true;
    });
    assert.equal(sm.putSecret("sentinel/teams", WEBHOOK), process.env.TEAMS_WEBHOOK_URL_SECRET_ARN);
    const environment = await lambdaEnvironment("env-test");
    assert.equal(environment.config.TEAMS_WEBHOOK_URL, WEBHOOK);
    assert.equal(await lambdaEnvironment("env-test"), environment, "kept for warm invocations");
    assert.equal(sm.requests.length, 2, "one failed read, one good one, then none");
  });
});
