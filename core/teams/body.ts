import {
  buildView,
  type ContentBudget,
  createMasker,
  type MessageView,
  type RenderOptions,
} from "../alerting/render/view.js";
import type { Notification } from "../alerting/types.js";
import { adaptiveCardMessage } from "./adaptiveCard.js";
import { messageCard } from "./messageCard.js";

export type TeamsCardFormat = "adaptive" | "messagecard";

/** Workflows rejects larger request bodies with MessageSizeExceeded. */
export const TEAMS_MAX_BODY_BYTES = 28_672;

/**
 * Budgets tried in turn until the body fits: log lines and the digest list are cut first, then
 * the length of every text. The last one shows no lines at all and short texts, which always fits.
 */
const TEAMS_BUDGETS: readonly ContentBudget[] = [
  { logLines: 10, lineChars: 2000, digestAlerts: 50, textChars: 2000 },
  { logLines: 10, lineChars: 1000, digestAlerts: 30, textChars: 2000 },
  { logLines: 5, lineChars: 500, digestAlerts: 20, textChars: 2000 },
  { logLines: 3, lineChars: 300, digestAlerts: 10, textChars: 2000 },
  { logLines: 1, lineChars: 200, digestAlerts: 5, textChars: 2000 },
  { logLines: 1, lineChars: 200, digestAlerts: 5, textChars: 500 },
  { logLines: 0, lineChars: 0, digestAlerts: 0, textChars: 300 },
  { logLines: 0, lineChars: 0, digestAlerts: 0, textChars: 120 },
];

export interface TeamsBody {
  /** The JSON request body. */
  body: string;
  bytes: number;
  /** What was cut to fit (empty when nothing was). */
  notes: string[];
}

export class CardTooLargeError extends Error {
  override name = "CardTooLargeError";
}

/**
 * Renders a notification as the request body for a Teams webhook in the given format, cut to
 * fit `maxBytes` (UTF-8). The card itself says what was cut.
 */
export function renderTeamsBody(
  notification: Notification,
  format: TeamsCardFormat,
  options: RenderOptions = {},
  maxBytes = TEAMS_MAX_BODY_BYTES,
): TeamsBody {
  let bytes = 0;
  const mask = createMasker(options);
  for (const budget of TEAMS_BUDGETS) {
    const view = buildView(notification, budget, options, mask);
    const body = JSON.stringify(teamsPayload(view, format));
    bytes = Buffer.byteLength(body, "utf8");
    if (bytes <= maxBytes) return { body, bytes, notes: view.notes };
  }
  throw new CardTooLargeError(
    `the Teams card is ${bytes} bytes even with its content cut, over the ${maxBytes}-byte limit`,
  );
}

function teamsPayload(view: MessageView, format: TeamsCardFormat): object {
  return format === "adaptive" ? adaptiveCardMessage(view) : messageCard(view);
}
