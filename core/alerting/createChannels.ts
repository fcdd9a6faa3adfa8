import type { Config } from "../config/schema.js";
import {
  defaultSmtpSecurity,
  EmailChannel,
  type SesSettings,
  type SmtpSettings,
} from "../email/channel.js";
import type { Logger } from "../logging/logger.js";
import { TeamsChannel } from "../teams/channel.js";
import type { RenderOptions } from "./render/view.js";
import type { ChannelSender, Route } from "./types.js";

/**
 * The channels whose configuration is present: e-mail when SMTP_HOST is set or
 * EMAIL_TRANSPORT is ses, Teams when TEAMS_WEBHOOK_URL is set. Give it the configuration after
 * `resolveSecrets` (core/secrets), which fills SMTP_USERNAME, SMTP_PASSWORD and TEAMS_WEBHOOK_URL
 * from their *_SECRET_ARN secrets. Make them once per process and keep them (the SMTP pool is
 * reused); `close()` them at shutdown.
 *
 * @example
 * const channels = createChannels(loadConfig(), logger);
 * await channels[0]?.send(notification, defaultRoute(config)); // a GroupNotification (core/alerting/grouping)
 */
export function createChannels(config: Config, logger: Logger): ChannelSender[] {
  const render = renderOptionsFrom(config);
  const channels: ChannelSender[] = [];
  const emailTransport = emailTransportFrom(config);
  if (emailTransport && config.EMAIL_FROM)
    channels.push(
      new EmailChannel({
        from: config.EMAIL_FROM,
        transport: emailTransport,
        render,
        logger: logger.child({ channel: "email" }),
      }),
    );
  if (config.TEAMS_WEBHOOK_URL)
    channels.push(
      new TeamsChannel({
        format: config.TEAMS_CARD_FORMAT,
        timeoutMs: config.TEAMS_TIMEOUT_SECONDS * 1000,
        requestsPerSecond: config.TEAMS_MAX_REQUESTS_PER_SECOND,
        render,
        logger: logger.child({ channel: "teams" }),
      }),
    );
  return channels;
}

/** Where notifications go when no per-service route says otherwise. */
export function defaultRoute(config: Config): Route {
  const route: Route = { emailRecipients: [...config.EMAIL_RECIPIENTS] };
  if (config.TEAMS_WEBHOOK_URL) route.teamsWebhookUrl = config.TEAMS_WEBHOOK_URL;
  return route;
}

export function renderOptionsFrom(config: Config): RenderOptions {
  const options: RenderOptions = {
    mask: { maskEmails: config.ALERT_MASK_EMAILS, maskIps: config.ALERT_MASK_IPS },
  };
  if (config.SENTINEL_PRODUCT_URL) options.productUrl = config.SENTINEL_PRODUCT_URL;
  return options;
}

function emailTransportFrom(config: Config): SmtpSettings | SesSettings | undefined {
  if (config.EMAIL_TRANSPORT === "ses") {
    if (!config.AWS_REGION) return undefined;
    const ses: SesSettings = { kind: "ses", region: config.AWS_REGION };
    if (config.EMAIL_SES_CONFIGURATION_SET)
      ses.configurationSet = config.EMAIL_SES_CONFIGURATION_SET;
    return ses;
  }
  if (!config.SMTP_HOST) return undefined;
  const smtp: SmtpSettings = {
    kind: "smtp",
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    security: config.SMTP_SECURE ?? defaultSmtpSecurity(config.SMTP_PORT),
    timeoutMs: config.SMTP_TIMEOUT_SECONDS * 1000,
  };
  if (config.SMTP_USERNAME && config.SMTP_PASSWORD)
    smtp.auth = { user: config.SMTP_USERNAME, pass: config.SMTP_PASSWORD };
  return smtp;
}
