import { isIP } from "node:net";
import nodemailer from "nodemailer";
import type { SmtpSettings } from "./channel.js";

/** One pooled SMTP transporter, TLS 1.2 or later, that never reads files or URLs. */
export function createSmtpTransport(settings: SmtpSettings) {
  return nodemailer.createTransport({
    pool: true,
    maxConnections: settings.maxConnections ?? 2,
    maxMessages: 100,
    host: settings.host,
    port: settings.port,
    secure: settings.security === "tls",
    requireTLS: settings.security === "starttls",
    ignoreTLS: settings.security === "none",
    tls: { minVersion: "TLSv1.2", ...(isIP(settings.host) ? {} : { servername: settings.host }) },
    ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.pass } } : {}),
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    dnsTimeout: settings.timeoutMs,
    // Alert content never names files or URLs to attach; refuse them if it ever does.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}
