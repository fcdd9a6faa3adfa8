import type { Channel } from "./types.js";

/**
 * Alert deduplication, as a pure state machine over one entry per (alert key, channel), shared by
 * every dedup store (memory, JSON file, DynamoDB) so they cannot disagree.
 *
 * Windows run on EVENT time: an alert is suppressed when its event time is less than the window
 * after the event time of the last alert sent for the key (earlier events included), so replaying
 * a file (`sentinel analyze`) alerts as the live stream would have, and a backlog drained late does
 * not alert for every window of wall-clock time it took. Claim leases and state expiry run on
 * PROCESSING time, because they are about the process that holds them.
 *
 * Sending is two-phase: `decideClaim` reserves the key for one sender (others are suppressed and
 * counted), then `confirmClaim` after a successful delivery starts the window, or `releaseClaim`
 * after a failed one gives the reservation and the counts it carried back, so the next alert for the
 * key (a retry, or the next occurrence) is sent and not suppressed. A claim whose holder vanished
 * stops blocking when its lease ends. The very alert a live claim is sending is "busy": another
 * notifier that has it too (a racing Lambda, or a redelivery after a crash) must neither send nor
 * count it, but try again later, when it is either sent (a duplicate) or claimable again.
 */

/** Alerts folded into the next one sent, by event time (ms). */
export interface SuppressedCount {
  count: number;
  firstAt: number;
  lastAt: number;
}

export interface DedupClaimState {
  token: string;
  alertId: string;
  /** Event time of the claimed alert (ms). */
  at: number;
  /** Processing time (ms) after which the claim no longer blocks. */
  leaseUntil: number;
  /** What the claimed alert reports as similar; given back when the send fails. */
  carried?: SuppressedCount;
}

export interface DedupEntry {
  /** Event time (ms) of the last alert delivered; the window runs from here. */
  sentAt?: number;
  sentAlertId?: string;
  /** Suppressed since the last alert sent (or claimed). */
  suppressed?: SuppressedCount;
  claim?: DedupClaimState;
  /** Processing time (ms) of the last change: stores forget entries untouched for long. */
  touchedAt: number;
}

export interface ClaimRequest {
  key: string;
  channel: Channel;
  /** The alert's deterministic id: the same alert again is a duplicate, not a suppression. */
  alertId: string;
  /** Event time (ms). */
  at: number;
}

/** A reservation to send; confirm it after the delivery or release it after a failure. */
export interface DedupClaim {
  key: string;
  channel: Channel;
  token: string;
}

export type ClaimDecision =
  | (DedupClaim & { outcome: "send"; similar?: SuppressedCount })
  /** Inside the window (or behind another sender's claim): counted for the next alert. */
  | { outcome: "suppressed" }
  /** The same alert again (a redelivered record): neither sent nor counted. */
  | { outcome: "duplicate" }
  /** The same alert is being sent under a live claim: try again once that claim is settled. */
  | { outcome: "busy" };

/** Every dedup store: memory for analyze, a JSON file for `sentinel run`, DynamoDB in AWS. */
export interface DedupStore {
  claim(request: ClaimRequest): Promise<ClaimDecision>;
  /** The delivery succeeded: the window starts at the claimed alert's event time. */
  confirm(claim: DedupClaim): Promise<void>;
  /** The delivery failed: the next alert for the key is sent, with the counts this one carried. */
  release(claim: DedupClaim): Promise<void>;
  close?(): Promise<void>;
}

export interface DedupTiming {
  windowMs: number;
  /** How long a claim blocks others when its holder never confirms or releases. */
  leaseMs: number;
}

/** The default claim lease: longer than a delivery with all its retries. */
export const DEFAULT_LEASE_MS = 5 * 60_000;

/** Decides a claim request against the current entry; `next` is what to store (unchanged: same). */
export function decideClaim(
  entry: DedupEntry | undefined,
  request: ClaimRequest,
  context: DedupTiming & { now: number; token: string },
): { decision: ClaimDecision; next: DedupEntry | undefined } {
  const { now } = context;
  const claim = entry?.claim;
  const claimBlocks = claim !== undefined && claim.leaseUntil > now;
  if (claimBlocks && claim.alertId === request.alertId)
    return { decision: { outcome: "busy" }, next: entry };
  if (claimBlocks) return suppress(entry, request.at, now);
  if (!claimBlocks && entry?.sentAlertId === request.alertId)
    return { decision: { outcome: "duplicate" }, next: entry };
  if (!claimBlocks && entry?.sentAt !== undefined && request.at - entry.sentAt < context.windowMs) {
    return suppress(entry, request.at, now);
  }
  // Taking over a claim whose lease ended gives its counts back first.
  const carried = merge(entry?.suppressed, claim?.carried);
  const next: DedupEntry = {
    ...(entry?.sentAt !== undefined && { sentAt: entry.sentAt }),
    ...(entry?.sentAlertId !== undefined && { sentAlertId: entry.sentAlertId }),
    claim: {
      token: context.token,
      alertId: request.alertId,
      at: request.at,
      leaseUntil: now + context.leaseMs,
      ...(carried && { carried }),
    },
    touchedAt: now,
  };
  return {
    decision: {
      outcome: "send",
      key: request.key,
      channel: request.channel,
      token: context.token,
      ...(carried && { similar: carried }),
    },
    next,
  };
}

/** The entry after a successful delivery, or undefined when the claim is no longer this one's. */
export function confirmClaim(
  entry: DedupEntry | undefined,
  token: string,
  now: number,
): DedupEntry | undefined {
  const claim = entry?.claim;
  if (!entry || claim?.token !== token) return undefined;
  return {
    sentAt: claim.at,
    sentAlertId: claim.alertId,
    ...(entry.suppressed && { suppressed: entry.suppressed }),
    touchedAt: now,
  };
}

/** The entry after a failed delivery: no window started, counts given back. */
export function releaseClaim(
  entry: DedupEntry | undefined,
  token: string,
  now: number,
): DedupEntry | undefined {
  const claim = entry?.claim;
  if (!entry || claim?.token !== token) return undefined;
  const suppressed = merge(entry.suppressed, claim.carried);
  return {
    ...(entry.sentAt !== undefined && { sentAt: entry.sentAt }),
    ...(entry.sentAlertId !== undefined && { sentAlertId: entry.sentAlertId }),
    ...(suppressed && { suppressed }),
    touchedAt: now,
  };
}

/** The entry with its claim given up (a previous process's, found on start): counts given back. */
export function abandonClaim(entry: DedupEntry, now: number): DedupEntry {
  return entry.claim ? (releaseClaim(entry, entry.claim.token, now) ?? entry) : entry;
}

/** True while an entry is worth keeping: touched within `retentionMs`, or holding a live claim. */
export function isEntryLive(entry: DedupEntry, now: number, retentionMs: number): boolean {
  return entry.touchedAt + retentionMs > now || (entry.claim?.leaseUntil ?? 0) > now;
}

function suppress(
  entry: DedupEntry | undefined,
  at: number,
  now: number,
): { decision: ClaimDecision; next: DedupEntry } {
  return {
    decision: { outcome: "suppressed" },
    next: {
      ...entry,
      suppressed: merge(entry?.suppressed, { count: 1, firstAt: at, lastAt: at }),
      touchedAt: now,
    },
  };
}

function merge(
  a: SuppressedCount | undefined,
  b: SuppressedCount | undefined,
): SuppressedCount | undefined {
  if (!a || a.count === 0) return b && b.count > 0 ? b : undefined;
  if (!b || b.count === 0) return a;
  return {
    count: a.count + b.count,
    firstAt: Math.min(a.firstAt, b.firstAt),
    lastAt: Math.max(a.lastAt, b.lastAt),
  };
}
