import type { CloudWatchPosition } from "./types.js";

/**
 * The poller's resume rule, as pure functions. A position is the newest event time delivered plus
 * the ids delivered at exactly that millisecond: FilterLogEvents is asked again from that time
 * (inclusive), and events it returns at that time are skipped when their ids are listed. Many
 * events can share a millisecond and a page boundary can fall between them, so a time alone would
 * either repeat them or skip the ones on the next page.
 */

interface TimedEvent {
  id: string;
  timestamp: number;
}

/** The position a log group starts from when it has no checkpoint. */
export function startingPosition(startTime: number): CloudWatchPosition {
  return { timestamp: startTime, idsAtTimestamp: [] };
}

/**
 * Events of a query begun at `from` that were not delivered before: those at its time whose ids
 * it lists, and any older ones, were. Filter against the position the query started from, not one
 * advanced during it: pagination itself never repeats an event.
 */
export function undelivered<T extends TimedEvent>(
  from: CloudWatchPosition,
  events: readonly T[],
): T[] {
  if (events.length === 0) return [];
  const seen = new Set(from.idsAtTimestamp);
  return events.filter(
    (event) =>
      event.timestamp > from.timestamp ||
      (event.timestamp === from.timestamp && !seen.has(event.id)),
  );
}

/** The position after delivering `events` (in any order). */
export function advance(
  position: CloudWatchPosition,
  events: readonly TimedEvent[],
): CloudWatchPosition {
  let newest = position.timestamp;
  for (const event of events) if (event.timestamp > newest) newest = event.timestamp;
  const ids = newest === position.timestamp ? new Set(position.idsAtTimestamp) : new Set<string>();
  const before = ids.size;
  for (const event of events) if (event.timestamp === newest) ids.add(event.id);
  if (newest === position.timestamp && ids.size === before) return position;
  return { timestamp: newest, idsAtTimestamp: [...ids] };
}

/**
 * The position after a query up to `endTime` has been read to its last page: nothing older than
 * `endTime` is left, so the next query can start there rather than at the last event, which keeps
 * a quiet log group from being scanned from its last event on every poll. Events at `endTime`
 * itself are read again by the next query (its start is inclusive) unless they were delivered.
 */
export function settle(position: CloudWatchPosition, endTime: number): CloudWatchPosition {
  return endTime > position.timestamp ? { timestamp: endTime, idsAtTimestamp: [] } : position;
}

export function samePosition(a: CloudWatchPosition | undefined, b: CloudWatchPosition): boolean {
  return (
    a !== undefined &&
    a.timestamp === b.timestamp &&
    a.idsAtTimestamp.length === b.idsAtTimestamp.length &&
    a.idsAtTimestamp.every((id, i) => b.idsAtTimestamp[i] === id)
  );
}
