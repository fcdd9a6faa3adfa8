import { createHash } from "node:crypto";
import type { SendMailOptions } from "nodemailer";
import { maskSensitive } from "../alerting/mask.js";
import type { RenderOptions } from "../alerting/render/view.js";
import {
  type ChannelSender,
  DeliveryError,
  type Notification,
  type Route,
} from "../alerting/types.js";
import type { Logger } from "../logging/logger.js";
import { renderEmail } from "./message.js";

/** tls: implicit TLS (port 465); starttls: STARTTLS required; none: plain text (local relays only). */
export type SmtpSecurity = "tls" | "starttls" | "none";

export interface SmtpSettings {
  kind: "smtp";
  host: string;
  port: number;
  security: SmtpSecurity;
  auth?: { user: string; pass: string };
  /** Connection, greeting and socket inactivity timeout. */
  timeoutMs: number;
  /** Pooled connections kept open to the server. */
  maxConnections?: number;
}

export interface SesSettings {
  kind: "ses";
  region: string;
  configurationSet?: string;
}

export interface EmailChannelOptions {
  from: string;
  transport: SmtpSettings | SesSettings;
  render?: RenderOptions;
  logger?: Logger;
}

/** What the channel needs of a nodemailer transporter (SMTP pool or SES). */
interface Mailer {
  sendMail(message: SendMailOptions): Promise<{ accepted?: unknown[]; rejected?: unknown[] }>;
  close(): void;
}

/**
 * Sends notifications by e-mail through one pooled SMTP transporter (reused across sends and,
 * in Lambda, across warm invocations) or Amazon SES v2. Failures come out as DeliveryError,
 * classified for the notifier's retry loop.
 */
export class EmailChannel implements ChannelSender {
  readonly channel = "email" as const;
  readonly #options: EmailChannelOptions;
  readonly #domain: string;
  #mailer: Promise<Mailer> | undefined;

  constructor(options: EmailChannelOptions) {
    this.#options = options;
    this.#domain = options.from.split("@").pop() ?? "sentinel.invalid";
  }

  async send(notification: Notification, route: Route, signal?: AbortSignal): Promise<void> {
    if (route.emailRecipients.length === 0)
      throw new DeliveryError("the route has no e-mail recipients", { retryable: false });
    const email = renderEmail(notification, this.#options.render);
    const message: SendMailOptions = {
      from: this.#options.from,
      to: route.emailRecipients,
      subject: email.subject,
      text: email.text,
      html: email.html,
      messageId: `<${messageIdPart(notification)}@${this.#domain}>`,
      headers: alertHeaders(notification, this.#options.render),
      priority: isUrgent(notification) ? "high" : "normal",
      signal,
    };
    // Later notifications of an episode thread under its first one.
    if (notification.sequence > 1) {
      const first = `<${messageIdPart(notification, 1)}@${this.#domain}>`;
      message.inReplyTo = first;
      message.references = [first];
    }
    const transport = this.#options.transport;
    if (transport.kind === "ses" && transport.configurationSet)
      message.ses = { ConfigurationSetName: transport.configurationSet };
    let info: Awaited<ReturnType<Mailer["sendMail"]>>;
    try {
      info = await (await this.#getMailer()).sendMail(message);
    } catch (error) {
      throw classifyEmailError(error);
    }
    const rejected = info.rejected?.length ?? 0;
    if (rejected > 0)
      this.#options.logger?.warn(
        { rejected, accepted: info.accepted?.length ?? 0 },
        "the mail server refused some alert recipients",
      );
  }

  /** Closes the pooled SMTP connections. */
  async close(): Promise<void> {
    const mailer = this.#mailer;
    this.#mailer = undefined;
    if (mailer) (await mailer.catch(() => undefined))?.close();
  }

  /**
   * The transporter, made on first use. Loaded only then (a Lambda bundle keeps each transport in
   * its own chunk): a notifier that never sends e-mail never loads nodemailer, and SES loads the
   * AWS SDK only when chosen.
   */
  #getMailer(): Promise<Mailer> {
    if (!this.#mailer) {
      const transport = this.#options.transport;
      this.#mailer =
        transport.kind === "smtp"
          ? import("./smtpTransport.js").then(({ createSmtpTransport }) =>
              createSmtpTransport(transport),
            )
          : import("./sesTransport.js").then(({ createSesTransport }) =>
              createSesTransport(transport),
            );
      this.#mailer.catch(() => {
        this.#mailer = undefined;
      });
    }
    return this.#mailer;
  }
}

/** The port's usual security when SMTP_SECURE is not set: 465 is implicit TLS, others STARTTLS. */
export function defaultSmtpSecurity(port: number): SmtpSecurity {
  return port === 465 ? "tls" : "starttls";
}

const RETRYABLE_CODES = new Set([
  "ECONNECTION",
  "ETIMEDOUT",
  "ESOCKET",
  "EDNS",
  "EMAXLIMIT",
  "EPROXY",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "EAI_AGAIN",
  "EABORT",
]);
const PERMANENT_CODES = new Set([
  "EAUTH",
  "ENOAUTH",
  "EOAUTH2",
  "ETLS",
  "EREQUIRETLS",
  "ECONFIG",
  "EENVELOPE",
  "EMAXRECIPIENTS",
  "EFILEACCESS",
  "EURLACCESS",
]);
/** A TLS handshake or certificate failure: settings, not the network. */
const TLS_FAILURE =
  /SSL routines|wrong version number|certificate|self[- ]signed|CERT_|unable to verify/i;
/** AWS SDK v3 error names that mean "slow down" rather than "no". */
const SES_THROTTLING = new Set([
  "ThrottlingException",
  "TooManyRequestsException",
  "LimitExceededException",
  "Throttling",
]);

interface MailError {
  name?: string;
  message?: string;
  code?: string;
  responseCode?: number;
  command?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/**
 * Says whether sending again can help: SMTP 4xx replies, lost connections, timeouts and SES
 * throttling or 5xx can; SMTP 5xx replies, failed authentication, TLS and configuration
 * problems and other SES 4xx cannot.
 */
export function classifyEmailError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as MailError;
  const detail = maskSensitive(String(e.message ?? error)).slice(0, 500);
  const build = (retryable: boolean, what: string, status?: number) =>
    new DeliveryError(`${what}: ${detail}`, {
      retryable,
      cause: error,
      ...(status !== undefined ? { status } : {}),
    });

  if (e.name === "AbortError" || e.code === "EABORT") return build(true, "e-mail sending aborted");
  if (
    e.code === "ETLS" ||
    e.code === "EREQUIRETLS" ||
    (e.code === "ESOCKET" && TLS_FAILURE.test(detail))
  )
    return build(
      false,
      "TLS with the mail server failed; check SMTP_SECURE, SMTP_PORT and the certificate",
    );
  if (typeof e.responseCode === "number") {
    const code = e.responseCode;
    const during = e.command ? ` to ${e.command}` : "";
    // 503 is "bad sequence of commands": a session problem that a new connection clears.
    if (code >= 500 && code !== 503)
      return build(false, `the mail server refused the message (${code}${during})`, code);
    if (code >= 400)
      return build(true, `the mail server deferred the message (${code}${during})`, code);
  }
  if (e.code && PERMANENT_CODES.has(e.code))
    return build(false, `e-mail cannot be sent (${e.code}); check the SMTP settings`);
  if (e.code && RETRYABLE_CODES.has(e.code))
    return build(true, `the mail server could not be reached (${e.code})`);

  const status = e.$metadata?.httpStatusCode;
  if (e.name && SES_THROTTLING.has(e.name))
    return build(true, `SES throttled the send (${e.name})`, status);
  if (typeof status === "number") {
    if (status === 429 || status >= 500)
      return build(true, `SES answered ${status} (${e.name})`, status);
    if (status >= 400) return build(false, `SES refused the message (${status} ${e.name})`, status);
  }
  // Unknown failures are retried: the notifier's attempts are bounded and end in a dead letter.
  return build(true, "e-mail sending failed");
}

/** High priority while it fires critical or with an anomaly; a resolved notice is routine. */
function isUrgent(notification: Notification): boolean {
  return (
    notification.reason !== "resolved" &&
    (notification.urgent || notification.severity === "critical")
  );
}

/**
 * Deterministic, so a retried or re-delivered notification carries the same Message-ID: the
 * group, its episode (by its first alert's time) and the notification's number in the episode.
 */
function messageIdPart(notification: Notification, sequence = notification.sequence): string {
  const identity = `group\u0000${notification.groupId}\u0000${notification.since}\u0000${sequence}`;
  return `${createHash("sha256").update(identity).digest("hex").slice(0, 32)}.sentinel`;
}

function alertHeaders(notification: Notification, render: RenderOptions | undefined) {
  const clean = (value: string) =>
    maskSensitive(value, render?.mask)
      .replace(/[\r\n]+/g, " ")
      .slice(0, 200);
  return {
    "X-Sentinel-Notification": "group",
    "X-Sentinel-Group": clean(notification.groupId),
    "X-Sentinel-Reason": notification.reason,
    "X-Sentinel-Sequence": String(notification.sequence),
    "X-Sentinel-Severity": notification.severity,
    "X-Sentinel-Urgent": String(notification.urgent),
    "X-Sentinel-Alert-Count": String(notification.total),
  };
}
