import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import nodemailer from "nodemailer";
import type { SesSettings } from "./channel.js";

/**
 * Amazon SES v2 through nodemailer's SES transport (raw MIME, so the same HTML and text parts
 * as SMTP). Credentials come from the AWS SDK's chain. The SDK's own retries are off: the
 * notifier's retry loop is the one retry policy.
 */
export function createSesTransport(settings: SesSettings) {
  const sesClient = new SESv2Client({ region: settings.region, maxAttempts: 1 });
  return nodemailer.createTransport({ SES: { sesClient, SendEmailCommand } });
}
