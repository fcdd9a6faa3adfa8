import { type ContentBudget, fitView, type RenderOptions } from "../alerting/render/view.js";
import type { Notification } from "../alerting/types.js";
import { adaptiveCardMessage } from "./adaptiveCard.js";
import { messageCard } from "./messageCard.js";

export type TeamsCardFormat = "adaptive" | "messagecard";

/** Workflows rejects larger request bodies with MessageSizeExceeded. */
export const TEAMS_MAX_BODY_BYTES = 28_672;

/**
 * Budgets tried in turn until the body fits: example lines and their length are cut first, then
 * the rows of the template table, then the length of every text. The last one lists only the
 * most important row, with short texts and no example, which fits whatever the group's size.
 */
export const TEAMS_BUDGETS: readonly ContentBudget[] = [
  { rows: 40, detailRows: 10, lineChars: 1000, textChars: 1000 },
  { rows: 30, detailRows: 8, lineChars: 500, textChars: 500 },
  { rows: 25, detailRows: 5, lineChars: 300, textChars: 300 },
  { rows: 20, detailRows: 3, lineChars: 240, textChars: 240 },
  { rows: 15, detailRows: 3, lineChars: 200, textChars: 200 },
  { rows: 10, detailRows: 2, lineChars: 200, textChars: 200 },
  { rows: 6, detailRows: 1, lineChars: 160, textChars: 160 },
  { rows: 3, detailRows: 1, lineChars: 120, textChars: 120 },
  { rows: 1, detailRows: 0, lineChars: 0, textChars: 100 },
];

export interface TeamsBody {
  /** The JSON request body. */
  body: string;
  bytes: number;
  /** What was cut to fit (empty when nothing was). */
  notes: string[];
  /** Keys of the alerts the card lists (after size fitting), in the order it lists them. */
  alertKeys: string[];
}

export class CardTooLargeError extends Error {
  override name = "CardTooLargeError";
}

/**
 * Renders a group notification as the request body for a Teams webhook in the given format,
 * cut to fit `maxBytes` (UTF-8). The card itself says what was cut.
 */
export function renderTeamsBody(
  notification: Notification,
  format: TeamsCardFormat,
  options: RenderOptions = {},
  maxBytes = TEAMS_MAX_BODY_BYTES,
): TeamsBody {
  const fitted = fitView(
    notification,
    TEAMS_BUDGETS,
    options,
    (view) => JSON.stringify(format === "adaptive" ? adaptiveCardMessage(view) : messageCard(view)),
    (body) => Buffer.byteLength(body, "utf8"),
    maxBytes,
  );
  if (!fitted.fits)
    throw new CardTooLargeError(
      `the Teams card is ${fitted.bytes} bytes even with its content cut, over the ${maxBytes}-byte limit`,
    );
  return {
    body: fitted.rendered,
    bytes: fitted.bytes,
    notes: fitted.view.notes,
    alertKeys: fitted.view.rows.map((row) => row.alertKey),
  };
}
