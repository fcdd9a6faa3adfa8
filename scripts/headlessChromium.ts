import { execFileSync } from "node:child_process";

/** Debian's Chromium (apt package `chromium`, installed by .ci/run). */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Renders a local page in headless Chromium kept off the network (every host name fails to
 * resolve except loopback), with `extra` flags such as `--dump-dom` or `--screenshot=FILE`.
 * Returns what Chromium printed on stdout (the DOM, for `--dump-dom`).
 */
export function headlessChromium(
  file: string,
  extra: readonly string[],
  options: { windowSize: string; timeoutMs?: number },
): string {
  return execFileSync(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--no-first-run",
      "--disable-extensions",
      "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
      `--window-size=${options.windowSize}`,
      ...extra,
      `file://${file}`,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: options.timeoutMs ?? 60_000 },
  );
}
