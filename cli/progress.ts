/** A one-line status on stderr, redrawn in place; only when stderr is a terminal. */
export class StatusLine {
  readonly #enabled: boolean;
  #lastDrawn = 0;
  #width = 0;

  constructor(enabled = process.stderr.isTTY === true) {
    this.#enabled = enabled;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  /** Redraws at most ten times a second unless forced. */
  update(text: string, force = false): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (!force && now - this.#lastDrawn < 100) return;
    this.#lastDrawn = now;
    const columns = process.stderr.columns ?? 100;
    const line = text.length > columns - 1 ? text.slice(0, columns - 1) : text;
    process.stderr.write(`\r${line}${" ".repeat(Math.max(0, this.#width - line.length))}`);
    this.#width = line.length;
  }

  clear(): void {
    if (!this.#enabled || this.#width === 0) return;
    process.stderr.write(`\r${" ".repeat(this.#width)}\r`);
    this.#width = 0;
  }
}

export function progressBar(done: number, total: number, width = 24): string {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(share * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.floor(share * 100)
    .toString()
    .padStart(3)}%`;
}

export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}
