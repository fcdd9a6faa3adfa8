/** The query API refused the query (bad KQL, no access, unknown workspace): retrying will not help. */
export class AzureQueryError extends Error {
  override name = "AzureQueryError";
  constructor(
    message: string,
    readonly code: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

/**
 * A window came back incomplete and could not be completed by splitting it or asking again. The
 * run stops without advancing its checkpoint, so the window is read again by the next run.
 */
export class PartialResultError extends Error {
  override name = "PartialResultError";
  constructor(
    readonly window: { start: string; end: string },
    readonly detail: string,
  ) {
    super(`the query result for ${window.start}/${window.end} is incomplete: ${detail}`);
  }
}
