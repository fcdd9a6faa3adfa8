import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { createChannels } from "../alerting/createChannels.js";
import { loadConfig, redactedConfig } from "../config/load.js";
import { createLogger } from "../logging/logger.js";
import { SecretError } from "./errors.js";
import { forgetSecrets, resolveSecrets } from "./resolveSecrets.js";
import { type FakeSecretsManager, startFakeSecretsManager } from "./testing/fakeSecretsManager.js";

// The real Secrets Manager client, speaking the service's JSON protocol to a stand-in on loopback
// that it finds through AWS_ENDPOINT_URL_SECRETS_MANAGER, as the deployed functions find the service.
const PASSWORD = "s3cret-smtp-password-value";
const WEBHOOK = "https://example.webhook.office.com/workflows/abc?sig=s3cret-signature";
let sm: FakeSecretsManager;
let smtpArn: string;
let teamsArn: string;

const config = (env: Record<string, string>) =>
  loadConfig({
    env: {
      SMTP_HOST: "smtp.example.com",
      EMAIL_FROM: "a@example.com",
      EMAIL_RECIPIENTS: "b@example.com",
      ...env,
    },
    envFile: false,
  });

before(async () => {
  sm = await startFakeSecretsManager();
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = sm.endpoint;
  process.env.AWS_ACCESS_KEY_ID ??= "AKIAIOSFODNN7EXAMPLE";
  process.env.AWS_SECRET_ACCESS_KEY ??= "test-secret-not-real";
  smtpArn = sm.putSecret(
    "sentinel/smtp",
    JSON.stringify({ username: "alerts", password: PASSWORD }),
  );
  teamsArn = sm.putSecret("sentinel/teams", WEBHOOK);
});
after(() => sm.stop());
beforeEach(() => forgetSecrets());

/** The problem a SecretError reports, checked never to hold a secret's value. */
async function problem(promise: Promise<unknown>, ...values: string[]): Promise<string> {
  const error = await promise.then(
    () => assert.fail("expected a SecretError"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SecretError, String(error));
  for (const value of values) assert.ok(!error.message.includes(value), error.message);
  return error.message;
}

describe("resolveSecrets", () => {
  it("puts the SMTP credentials and the Teams webhook from Secrets Manager in place, redacted when printed", async () => {
    const resolved = await resolveSecrets(
      config({ SMTP_CREDENTIALS_SECRET_ARN: smtpArn, TEAMS_WEBHOOK_URL_SECRET_ARN: teamsArn }),
    );
    assert.equal(resolved.SMTP_USERNAME, "alerts");
    assert.equal(resolved.SMTP_PASSWORD, PASSWORD);
    assert.equal(resolved.TEAMS_WEBHOOK_URL, WEBHOOK);
    const printed = JSON.stringify(redactedConfig(resolved));
    assert.ok(!printed.includes(PASSWORD) && !printed.includes("s3cret-signature"), printed);
    // Both channels are made from the secrets: e-mail with SMTP auth, and Teams.
    const channels = createChannels(resolved, createLogger({ level: "silent" }));
    assert.deepEqual(channels.map((c) => c.channel).sort(), ["email", "teams"]);
    await Promise.all(channels.map((c) => c.close?.()));
  });

  it("reads each secret once per process, across calls", async () => {
    const before = sm.requests.length;
    const env = config({ SMTP_CREDENTIALS_SECRET_ARN: smtpArn });
    await resolveSecrets(env);
    await resolveSecrets(env);
    assert.deepEqual(sm.requests.slice(before), [smtpArn]);
  });

  it("leaves a configuration without secret ARNs as it is, asking nothing", async () => {
    const before = sm.requests.length;
    const plain = config({ SMTP_USERNAME: "u", SMTP_PASSWORD: "p" });
    assert.deepEqual(await resolveSecrets(plain), plain);
    assert.equal(sm.requests.length, before);
  });

  it("names the variable when a secret is missing or access is denied, and asks again next time", async () => {
    const missing = smtpArn.replace("sentinel/smtp", "sentinel/nope");
    assert.match(
      await problem(resolveSecrets(config({ SMTP_CREDENTIALS_SECRET_ARN: missing }))),
      /^Invalid configuration:\n {2}SMTP_CREDENTIALS_SECRET_ARN: cannot read secret .*sentinel\/nope.*: ResourceNotFoundException/,
    );
    const denied = sm.putSecret("sentinel/denied", WEBHOOK);
    sm.denyAccess(denied);
    assert.match(
      await problem(resolveSecrets(config({ TEAMS_WEBHOOK_URL_SECRET_ARN: denied })), WEBHOOK),
      /TEAMS_WEBHOOK_URL_SECRET_ARN: cannot read secret .*: AccessDeniedException/,
    );
    const before = sm.requests.length;
    await problem(resolveSecrets(config({ TEAMS_WEBHOOK_URL_SECRET_ARN: denied })));
    assert.equal(sm.requests.length, before + 1, "a failed read is not kept");
  });

  it("says what is wrong with a secret's value without repeating any of it", async () => {
    const cases: [string, RegExp][] = [
      [`user=alerts;password=${PASSWORD}`, /the secret is not JSON/],
      [JSON.stringify([PASSWORD]), /not a JSON object/],
      [JSON.stringify({ user: "alerts", password: PASSWORD }), /has no username \(/],
      [JSON.stringify({ username: "alerts", password: "" }), /has no password \(/],
    ];
    for (const [i, [value, expected]] of cases.entries()) {
      forgetSecrets();
      const arn = sm.putSecret(`sentinel/bad-${i}`, value);
      const message = await problem(
        resolveSecrets(config({ SMTP_CREDENTIALS_SECRET_ARN: arn })),
        PASSWORD,
        "alerts",
      );
      assert.match(message, /SMTP_CREDENTIALS_SECRET_ARN: /);
      assert.match(message, expected);
    }
    const notUrl = sm.putSecret("sentinel/teams-bad", `webhook ${PASSWORD}`);
    assert.match(
      await problem(resolveSecrets(config({ TEAMS_WEBHOOK_URL_SECRET_ARN: notUrl })), PASSWORD),
      /TEAMS_WEBHOOK_URL_SECRET_ARN: the secret is not an http\(s\) URL/,
    );
  });
});

describe("secret ARNs in the configuration", () => {
  it("refuses a value that is not a Secrets Manager secret's ARN, naming the variable", () => {
    assert.throws(
      () => config({ SMTP_CREDENTIALS_SECRET_ARN: "arn:aws:s3:::bucket/key" }),
      /SMTP_CREDENTIALS_SECRET_ARN: expected an ARN such as arn:aws:secretsmanager:us-east-1:123456789012:secret:/,
    );
    assert.throws(
      () => config({ TEAMS_WEBHOOK_URL_SECRET_ARN: "sentinel/teams" }),
      /TEAMS_WEBHOOK_URL_SECRET_ARN: expected an ARN/,
    );
  });
});
