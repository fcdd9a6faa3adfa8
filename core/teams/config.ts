import * as z from "zod";
import { httpUrl, positiveInt } from "../config/fields.js";

/** Microsoft Teams' variables (core/teams): the default webhook and how cards are sent to it. */
export const teamsVariables = {
  TEAMS_WEBHOOK_URL: httpUrl.optional(),
  /** adaptive (Workflows webhooks) or messagecard (legacy Office 365 connector webhooks). */
  TEAMS_CARD_FORMAT: z
    .enum(["adaptive", "messagecard"], { error: "expected adaptive or messagecard" })
    .default("adaptive"),
  TEAMS_TIMEOUT_SECONDS: positiveInt(300).default(10),
  /** Per webhook, per process; Teams throttles webhooks at about 4 requests a second. */
  TEAMS_MAX_REQUESTS_PER_SECOND: positiveInt(100).default(4),
};
