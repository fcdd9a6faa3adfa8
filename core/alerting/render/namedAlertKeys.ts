import { renderEmail } from "../../email/message.js";
import { renderTeamsBody, TEAMS_MAX_BODY_BYTES, type TeamsCardFormat } from "../../teams/body.js";
import type { Channel, GroupNotification } from "../types.js";
import type { RenderOptions } from "./view.js";

export interface NamedAlertKeysOptions extends RenderOptions {
  /** The Teams card format the channel sends (TEAMS_CARD_FORMAT); default adaptive. */
  teamsFormat?: TeamsCardFormat;
  /** The Teams body limit the channel fits to; default TEAMS_MAX_BODY_BYTES. */
  teamsMaxBodyBytes?: number;
}

/**
 * The keys of the alerts `channel`'s rendering of `notification` lists, after size fitting, in
 * the order it lists them: what an operator actually sees named. The rest are only counted
 * ("+N more templates"). Made by the channel's own renderer, so it cannot disagree with it.
 *
 * @example
 * namedAlertKeys(notification, "teams", renderOptionsFrom(config));
 * // ["anomaly:checkout:error_rate", "incident:checkout:t-5f2a9c", …]
 */
export function namedAlertKeys(
  notification: GroupNotification,
  channel: Channel,
  options: NamedAlertKeysOptions = {},
): string[] {
  const { teamsFormat = "adaptive", teamsMaxBodyBytes = TEAMS_MAX_BODY_BYTES, ...render } = options;
  if (channel === "email") return renderEmail(notification, render).alertKeys;
  try {
    return renderTeamsBody(notification, teamsFormat, render, teamsMaxBodyBytes).alertKeys;
  } catch {
    // A card that cannot fit is not sent: it names nothing.
    return [];
  }
}
