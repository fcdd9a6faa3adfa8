import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { ConfigError, loadConfig } from "../config/load.js";
import { defaultSmtpSecurity } from "../email/channel.js";
import { createLogger } from "../logging/logger.js";
import { createChannels, defaultRoute, renderOptionsFrom } from "./createChannels.js";
import { alertNotification } from "./render/fixtures.js";

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
    const mails: string[] = [];
    const smtp = new SMTPServer({
      logger: false,
      disabledCommands: ["STARTTLS"],
      authOptional: true,
      onData(stream, _session, callback) {
        simpleParser(stream).then((mail) => {
          mails.push(mail.text ?? "");
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const bodies: string[] = [];
    const webhook = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk;
      });
      request.on("end", () => {
        bodies.push(body);
        response.writeHead(200).end("1");
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
    const loaded = config({
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String((smtp.server.address() as AddressInfo).port),
      SMTP_SECURE: "none",
      EMAIL_FROM: "sentinel@example.com",
      EMAIL_RECIPIENTS: "oncall@example.com",
      TEAMS_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook?sig=FAKE`,
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
      for (const channel of channels) await channel.send(alertNotification(), defaultRoute(loaded));
      assert.equal(mails.length, 1);
      assert.match(mails[0] ?? "", /@\[ip\]:5432/);
      assert.match(mails[0] ?? "", /Sent by SentinelLLM \(https:\/\/sentinel\.example\.com\)/);
      assert.equal(bodies.length, 1);
      assert.equal(JSON.parse(bodies[0] ?? "{}")["@type"], "MessageCard");
    } finally {
      await Promise.all(channels.map((channel) => channel.close?.()));
      webhook.closeAllConnections();
      await new Promise((resolve) => webhook.close(resolve));
      await new Promise((resolve) => smtp.close(() => resolve(undefined)));
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
