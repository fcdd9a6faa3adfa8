import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ParsedMail } from "mailparser";
import {
  alertNotification,
  digestNotification,
  incidentAlert,
  preventiveAlert,
} from "../alerting/render/fixtures.js";
import { DeliveryError } from "../alerting/types.js";
import { withRetry } from "../retry/backoff.js";
import { classifyEmailError, EmailChannel, type SmtpSettings } from "./channel.js";
import { createSesTransport } from "./sesTransport.js";
import { SMTP_TEST_CREDENTIALS, startSmtp, type TestSmtp } from "./testing/smtpServer.js";

const { user: USER } = SMTP_TEST_CREDENTIALS;
const ROUTE = { emailRecipients: ["oncall@example.com", "devops@example.com"] };

function smtpSettings(port: number, overrides: Partial<SmtpSettings> = {}): SmtpSettings {
  return {
    kind: "smtp",
    host: "127.0.0.1",
    port,
    security: "none",
    auth: { ...SMTP_TEST_CREDENTIALS },
    timeoutMs: 5000,
    ...overrides,
  };
}

type MakeChannel = (overrides?: Partial<SmtpSettings>, mask?: object) => EmailChannel;

/** Runs `body` against a fresh loopback server; closes the channels' pools before the server. */
async function withSmtp(
  options: Parameters<typeof startSmtp>[0],
  body: (smtp: TestSmtp, channelFor: MakeChannel) => Promise<void>,
): Promise<void> {
  const smtp = await startSmtp(options);
  const channels: EmailChannel[] = [];
  const channelFor: MakeChannel = (overrides = {}, mask = {}) => {
    const channel = new EmailChannel({
      from: "sentinel@example.com",
      transport: smtpSettings(smtp.port, overrides),
      render: { mask },
    });
    channels.push(channel);
    return channel;
  };
  try {
    await body(smtp, channelFor);
  } finally {
    await Promise.all(channels.map((channel) => channel.close()));
    await smtp.close();
  }
}

async function expectDeliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DeliveryError, `expected a DeliveryError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the send to fail");
}

describe("EmailChannel over SMTP (smtp-server on loopback)", () => {
  it("delivers an incident alert with subject, HTML, text, links and masked secrets", async () => {
    await withSmtp({ authMethods: ["PLAIN"] }, async (smtp, channelFor) => {
      await channelFor({}, { maskEmails: true, maskIps: true }).send(alertNotification(), ROUTE);

      assert.equal(smtp.messages.length, 1);
      assert.deepEqual(smtp.authMethods, ["PLAIN"]);
      const mail = smtp.messages[0] as ParsedMail;
      assert.equal(
        mail.subject,
        "[SentinelLLM] CRITICAL incident · checkout · Payment DB connection failed: too many clients (pool 50/50 busy)",
      );
      assert.equal(mail.from?.text, "sentinel@example.com");
      assert.deepEqual(
        (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) =>
          a?.value.map((v) => v.address),
        ),
        ["oncall@example.com", "devops@example.com"],
      );
      assert.equal(mail.headers.get("x-sentinel-alert-key"), "incident:checkout:t-5f2a9c");
      assert.equal(mail.headers.get("priority"), "high");
      assert.match(mail.messageId ?? "", /^<[0-9a-f]{32}\.sentinel@example\.com>$/);

      const html = String(mail.html);
      const text = mail.text ?? "";
      assert.match(html, /<a href="https:\/\/runbooks\.example\.com\/checkout\/db-connections"/);
      assert.match(html, /incident \(confidence 97%\)/);
      assert.match(
        text,
        /^Open dashboard: https:\/\/grafana\.example\.com\/d\/sentinel-service\?var-service=checkout$/m,
      );
      assert.match(text, /\+41 similar since 2026-03-14 09:16:02 UTC/);
      assert.match(text, /postgres:\/\/checkout:\*\*\*\*@\[ip\]:5432\/payments/);
      for (const part of [mail.subject ?? "", html, text])
        assert.doesNotMatch(
          part,
          /NotARealPassword|AKIAIOSFODNN7EXAMPLE|fake-token-0123456789|jane\.doe@|10\.20\.3\.4/,
        );
    });
  });

  it("authenticates with AUTH LOGIN when that is what the server offers", async () => {
    await withSmtp({ authMethods: ["LOGIN"] }, async (smtp, channelFor) => {
      await channelFor().send(alertNotification(preventiveAlert()), ROUTE);
      assert.deepEqual(smtp.authMethods, ["LOGIN"]);
      assert.equal(smtp.messages[0]?.headers.get("priority"), undefined);
      assert.match(smtp.messages[0]?.text ?? "", /Suggestion:\nExpand the volume/);
    });
  });

  it("reuses one pooled connection for consecutive sends", async () => {
    await withSmtp({}, async (smtp, channelFor) => {
      const channel = channelFor();
      for (let i = 0; i < 3; i++)
        await channel.send(alertNotification(incidentAlert({ id: `a${i}` })), ROUTE);
      assert.equal(smtp.messages.length, 3);
      assert.equal(smtp.connections, 1);
      assert.equal(new Set(smtp.messages.map((m) => m.messageId)).size, 3);
    });
  });

  it("sends a digest as one message", async () => {
    await withSmtp({}, async (smtp, channelFor) => {
      await channelFor().send(digestNotification(500), ROUTE);
      assert.equal(smtp.messages.length, 1);
      const mail = smtp.messages[0] as ParsedMail;
      assert.match(mail.subject ?? "", /CRITICAL digest · 500 alerts/);
      assert.match(mail.text ?? "", /Showing 100 of 500 alerts\./);
      assert.equal(mail.headers.get("x-sentinel-alert-count"), "500");
    });
  });

  it("reports a wrong password as final", async () => {
    await withSmtp({}, async (smtp, channelFor) => {
      const channel = channelFor({ auth: { user: USER, pass: "wrong-fake-password" } });
      const error = await expectDeliveryError(channel.send(alertNotification(), ROUTE));
      assert.equal(error.retryable, false);
      assert.equal(error.status, 535);
      assert.doesNotMatch(error.message, /wrong-fake-password/);
      assert.equal(smtp.messages.length, 0);
    });
  });

  it("reports a temporary 451 as retryable and a 550 as final", async () => {
    let code = 451;
    await withSmtp({ rejectRcpt: () => code }, async (_smtp, channelFor) => {
      const channel = channelFor();
      const temporary = await expectDeliveryError(channel.send(alertNotification(), ROUTE));
      assert.equal(temporary.retryable, true);
      assert.equal(temporary.status, 451);
      code = 550;
      const permanent = await expectDeliveryError(channel.send(alertNotification(), ROUTE));
      assert.equal(permanent.retryable, false);
      assert.equal(permanent.status, 550);
    });
  });

  it("is delivered once through withRetry after temporary rejections", async () => {
    let attempts = 0;
    const rejectRcpt = () => (++attempts <= 2 ? 451 : undefined);
    await withSmtp({ rejectRcpt }, async (smtp, channelFor) => {
      const channel = channelFor();
      const retries: number[] = [];
      await withRetry(
        () => channel.send(alertNotification(), { emailRecipients: ["oncall@example.com"] }),
        { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5 },
        {
          isRetryable: (e) => e instanceof DeliveryError && e.retryable,
          onRetry: ({ attempt }) => retries.push(attempt),
        },
      );
      assert.deepEqual(retries, [1, 2]);
      assert.equal(smtp.messages.length, 1);
    });
  });

  it("reports an unreachable server as retryable", async () => {
    let port = 0;
    await withSmtp({}, async (smtp) => {
      port = smtp.port;
    });
    const channel = new EmailChannel({
      from: "sentinel@example.com",
      transport: smtpSettings(port),
    });
    try {
      const error = await expectDeliveryError(channel.send(alertNotification(), ROUTE));
      assert.equal(error.retryable, true);
      assert.match(error.message, /could not be reached/);
    } finally {
      await channel.close();
    }
  });

  it("refuses to send in clear text when STARTTLS is required but not offered", async () => {
    await withSmtp({}, async (smtp, channelFor) => {
      const channel = channelFor({ security: "starttls" });
      const error = await expectDeliveryError(channel.send(alertNotification(), ROUTE));
      assert.equal(error.retryable, false);
      assert.match(error.message, /TLS/);
      assert.deepEqual(smtp.authMethods, [], "no credentials were sent over plain text");
      assert.equal(smtp.messages.length, 0);
    });
  });

  it("reports implicit TLS against a plain-text server as a settings problem, not a retry", async () => {
    await withSmtp({}, async (smtp, channelFor) => {
      const error = await expectDeliveryError(
        channelFor({ security: "tls" }).send(alertNotification(), ROUTE),
      );
      assert.equal(error.retryable, false);
      assert.match(error.message, /check SMTP_SECURE/);
      assert.equal(smtp.messages.length, 0);
    });
  });

  it("fails a route without recipients at once", async () => {
    const channel = new EmailChannel({ from: "sentinel@example.com", transport: smtpSettings(1) });
    const error = await expectDeliveryError(
      channel.send(alertNotification(), { emailRecipients: [] }),
    );
    assert.equal(error.retryable, false);
  });
});

describe("EmailChannel over Amazon SES", () => {
  it("builds nodemailer's SES v2 transport (not sent: no AWS here)", () => {
    const transporter = createSesTransport({ kind: "ses", region: "eu-west-1" });
    assert.equal(transporter.transporter.name, "SESTransport");
    transporter.close();
  });

  it("classifies SES failures by throttling and HTTP status", () => {
    const sdkError = (name: string, httpStatusCode?: number) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });
    assert.equal(classifyEmailError(sdkError("TooManyRequestsException", 429)).retryable, true);
    assert.equal(classifyEmailError(sdkError("ThrottlingException", 400)).retryable, true);
    assert.equal(classifyEmailError(sdkError("InternalFailure", 500)).retryable, true);
    assert.equal(classifyEmailError(sdkError("MessageRejected", 400)).retryable, false);
    assert.equal(classifyEmailError(sdkError("AccessDeniedException", 403)).retryable, false);
    assert.equal(classifyEmailError(sdkError("MessageRejected", 400)).status, 400);
  });
});
