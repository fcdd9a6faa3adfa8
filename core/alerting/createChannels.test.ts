import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../config/load.js";
import { defaultSmtpSecurity } from "../email/channel.js";
import { smtpEnv, startSmtp } from "../email/testing/smtpServer.js";
import { createLogger } from "../logging/logger.js";
import { startWebhook } from "../teams/testing/webhook.js";
import { createChannels, defaultRoute, renderOptionsFrom } from "./createChannels.js";
import { groupNotification } from "./render/fixtures.js";

const logger = createLogger({ level: "silent", format: "json" });
const config = (env: Record<string, string>) => loadConfig({ env, envFile: false });

function configError(env: Record<string, string>): ConfigError {
  try {
    config(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error;
  }
  assert.fail("expected a ConfigError");
}

describe("createChannels", () => {
  it("makes no channel when neither e-mail nor Teams is configured", () => {
    assert.deepEqual(createChannels(config({}), logger), []);
  });

  it("makes the SES e-mail channel from EMAIL_TRANSPORT=ses without SMTP settings", async () => {
    const channels = createChannels(
      config({
        EMAIL_TRANSPORT: "ses",
        AWS_REGION: "eu-west-1",
        EMAIL_FROM: "sentinel@example.com",
        EMAIL_RECIPIENTS: "oncall@example.com",
      }),
      logger,
    );
    assert.deepEqual(
      channels.map((channel) => channel.channel),
      ["email"],
    );
    await Promise.all(channels.map((channel) => channel.close?.()));
  });

  it("delivers through both configured channels, as the configuration says", async () => {
    const smtp = await startSmtp();
    // The legacy connector's answer to a MessageCard.
    const webhook = await startWebhook([{ status: 200, body: "1" }]);
    const loaded = config({
      ...smtpEnv(smtp),
      TEAMS_WEBHOOK_URL: webhook.url,
      TEAMS_CARD_FORMAT: "messagecard",
      ALERT_MASK_IPS: "true",
      SENTINEL_PRODUCT_URL: "https://sentinel.example.com",
    });
    const channels = createChannels(loaded, logger);
    try {
      assert.deepEqual(
        channels.map((channel) => channel.channel),
        ["email", "teams"],
      );
      for (const channel of channels) await channel.send(groupNotification(), defaultRoute(loaded));
      const mails = smtp.messages.map((mail) => mail.text ?? "");
      assert.equal(mails.length, 1);
      assert.match(mails[0] ?? "", /@\[ip\]:5432/);
      assert.match(mails[0] ?? "", /Sent by SentinelLLM \(https:\/\/sentinel\.example\.com\)/);
      assert.equal(webhook.received.length, 1);
      assert.equal(JSON.parse(webhook.received[0]?.body ?? "{}")["@type"], "MessageCard");
    } finally {
      await Promise.all(channels.map((channel) => channel.close?.()));
      await Promise.all([webhook.stop(), smtp.close()]);
    }
  });
});

describe("alert channel configuration", () => {
  it("defaults to STARTTLS, implicit TLS on 465, adaptive cards and no personal-data masking", () => {
    const loaded = config({});
    assert.equal(loaded.EMAIL_TRANSPORT, "smtp");
    assert.equal(loaded.SMTP_SECURE, undefined);
    assert.equal(defaultSmtpSecurity(587), "starttls");
    assert.equal(defaultSmtpSecurity(465), "tls");
    assert.equal(loaded.TEAMS_CARD_FORMAT, "adaptive");
    assert.equal(loaded.TEAMS_MAX_REQUESTS_PER_SECOND, 4);
    assert.deepEqual(renderOptionsFrom(loaded), { mask: { maskEmails: false, maskIps: false } });
  });

  it("names the variable of a bad value", () => {
    const problems = configError({ SMTP_SECURE: "ssl", TEAMS_CARD_FORMAT: "html" }).problems;
    assert.deepEqual(problems.map((p) => p.variable).sort(), ["SMTP_SECURE", "TEAMS_CARD_FORMAT"]);
  });

  it("requires a region, a sender and recipients for SES", () => {
    const problems = configError({ EMAIL_TRANSPORT: "ses" }).problems;
    assert.deepEqual(problems.map((p) => `${p.variable}: ${p.message}`).sort(), [
      "AWS_REGION: required when EMAIL_TRANSPORT is ses",
      "EMAIL_FROM: required when EMAIL_TRANSPORT is ses",
      "EMAIL_RECIPIENTS: required when EMAIL_TRANSPORT is ses",
    ]);
  });
});
