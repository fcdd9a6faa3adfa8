import type { GroupSettings } from "../groupState.js";

const MINUTE = 60_000;

/** The grouping settings the configuration defaults to (ALERT_GROUP_*, DEDUP_WINDOW_MINUTES). */
export const DEFAULT_GROUP_SETTINGS: GroupSettings = {
  waitMs: 30_000,
  intervalMs: 5 * MINUTE,
  repeatMs: 4 * 60 * MINUTE,
  resolveAfterMs: 15 * MINUTE,
  sendResolved: true,
  changeFactor: 2,
  dedupWindowMs: 10 * MINUTE,
  maxItems: 50,
};
