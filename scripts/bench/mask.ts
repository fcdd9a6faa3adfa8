// Secret masking on hostile megabyte lines: every pattern must stay linear, so a 1 MB line of
// near-misses (long key runs, unterminated quotes, `scheme://` without `@`, BEGIN without END)
// masks in milliseconds, not minutes.
import { maskSensitive } from "../../core/alerting/mask.js";

const MB = 1024 * 1024;

function fill(unit: string): string {
  return unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
}

/** Lines shaped to make a backtracking pattern try every split. */
export const HOSTILE_LINES: Record<string, string> = {
  letters: fill("a"),
  "key runs": fill("password_"),
  "spaced keys": fill("token "),
  "spaces after a key": `password${" ".repeat(MB)}x`,
  "unterminated quotes": fill('secret "'),
  "escaped quotes": `password=\\"${fill('\\"a')}`,
  "urls without @": `x://${fill("a:")}`,
  "BEGIN without END": fill("-----BEGIN RSA PRIVATE KEY-----"),
  "token prefixes": fill("ghp_xoxb-glpat-AIza"),
  "jwt-like": fill("eyJaaaa."),
  "bearer runs": fill("Bearer "),
  "ipv6-like": fill("a:"),
};

export async function benchMask(
  report: (name: string, value: number, unit: string, target?: string) => void,
): Promise<void> {
  let slowest = 0;
  for (const [name, line] of Object.entries(HOSTILE_LINES)) {
    const started = process.hrtime.bigint();
    maskSensitive(line, { maskEmails: true, maskIps: true });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    slowest = Math.max(slowest, ms);
    report(`mask 1 MB ${name} (ms)`, ms, "ms", "< 200");
  }
  report("mask 1 MB hostile line, slowest (ms)", slowest, "ms", "< 200");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchMask((name, value, unit) =>
    console.log(`${name.padEnd(40)} ${value.toFixed(1)} ${unit}`),
  );
}
