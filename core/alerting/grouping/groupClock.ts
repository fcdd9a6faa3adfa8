/** Event times further ahead of the wall clock than this do not move a live clock. */
const FUTURE_SLACK_MS = 5 * 60_000;

/**
 * The clock groups run on: the newest event time seen, carried forward by wall time while no
 * newer record comes (`followWall`, for `sentinel run` and the Lambda), so a group's wait and
 * interval end even when the stream goes quiet, while a backlog read faster than real time
 * notifies on its own event time, as `sentinel analyze` replays it. It never goes back.
 */
export class GroupClock {
  readonly #followWall: boolean;
  readonly #wall: () => number;
  #at: number | undefined;
  #wallAt = 0;

  constructor(options: { followWall: boolean; wall?: () => number }) {
    this.#followWall = options.followWall;
    this.#wall = options.wall ?? Date.now;
  }

  /** Wall time (ms): for state expiry. */
  wall(): number {
    return this.#wall();
  }

  observe(eventMs: number): void {
    if (!Number.isFinite(eventMs)) return;
    const wall = this.#wall();
    const at = this.#followWall ? Math.min(eventMs, wall + FUTURE_SLACK_MS) : eventMs;
    if (this.#at === undefined || at > this.now()) {
      this.#at = at;
      this.#wallAt = wall;
    }
  }

  /** The clock (ms); before any event: the wall clock when following it, else 0. */
  now(): number {
    if (this.#at === undefined) return this.#followWall ? this.#wall() : 0;
    return this.#followWall ? this.#at + Math.max(0, this.#wall() - this.#wallAt) : this.#at;
  }

  /** A group's own clock carried forward, for a process that has seen no newer event. */
  forGroup(groupClock: { at: number; wallAt: number }): number {
    const own = this.#followWall
      ? groupClock.at + Math.max(0, this.#wall() - groupClock.wallAt)
      : groupClock.at;
    return Math.max(this.now(), own);
  }
}
