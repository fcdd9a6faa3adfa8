import * as z from "zod";
import { arnOf } from "../config/arn.js";
import { type CrossFieldRule, httpUrl, positiveInt } from "../config/fields.js";
import type { Config } from "../config/schema.js";

/** Microsoft Teams' variables (core/teams): the default webhook and how cards are sent to it. */
export const teamsVariables = {
  TEAMS_WEBHOOK_URL: httpUrl.optional(),
  /** A Secrets Manager secret whose value is the webhook URL, read at start in place of TEAMS_WEBHOOK_URL. */
  TEAMS_WEBHOOK_URL_SECRET_ARN: arnOf("secretsmanager", "secret:").optional(),
  /** adaptive (Workflows webhooks) or messagecard (legacy Office 365 connector webhooks). */
  TEAMS_CARD_FORMAT: z
    .enum(["adaptive", "messagecard"], { error: "expected adaptive or messagecard" })
    .default("adaptive"),
  TEAMS_TIMEOUT_SECONDS: positiveInt(300).default(10),
  /** Per webhook, per process; Teams throttles webhooks at about 4 requests a second. */
  TEAMS_MAX_REQUESTS_PER_SECOND: positiveInt(100).default(4),
};

export const teamsRules: readonly CrossFieldRule<
  Pick<Config, "TEAMS_WEBHOOK_URL" | "TEAMS_WEBHOOK_URL_SECRET_ARN">
>[] = [
  {
    name: "teams-webhook-secret",
    check: (config) =>
      config.TEAMS_WEBHOOK_URL !== undefined && config.TEAMS_WEBHOOK_URL_SECRET_ARN !== undefined
        ? [
            {
              variable: "TEAMS_WEBHOOK_URL",
              message:
                "not with TEAMS_WEBHOOK_URL_SECRET_ARN, whose secret holds the webhook URL: set one or the other",
            },
          ]
        : [],
  },
];
