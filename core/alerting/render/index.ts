export { type AdaptiveCardMessage, adaptiveCardMessage } from "./adaptiveCard.js";
export { EMAIL_BUDGET, type RenderedEmail, renderEmail } from "./email.js";
export { type MessageCard, messageCard } from "./messageCard.js";
export {
  CardTooLargeError,
  renderTeamsBody,
  TEAMS_CARD_FORMATS,
  TEAMS_MAX_BODY_BYTES,
  type TeamsBody,
  type TeamsCardFormat,
} from "./teamsBody.js";
export { buildView, type ContentBudget, type MessageView, type RenderOptions } from "./view.js";
