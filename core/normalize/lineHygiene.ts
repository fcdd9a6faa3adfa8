export type CleanLine =
  | { ok: true; text: string; cleaned: boolean }
  | { ok: false; reason: string };

// C0 controls except tab, DEL, and the replacement character left by invalid UTF-8.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f\ufffd]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNPRINTABLE_ALL = /[\u0000-\u0008\u000a-\u001f\u007f\ufffd]/g;
// Terminal colour and cursor sequences go whole, so `ESC[31mERROR` keeps its level word.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROLS_ALL = /\u001b\[[0-9;?]*[A-Za-z]|[\u0000-\u0008\u000a-\u001f\u007f]/g;
const BLANK = /^\s*$/;
/** Above this share of unprintable characters a line is binary data, not text. */
const BINARY_SHARE = 0.3;

/**
 * Decides whether a decoded line is usable text. Empty lines and binary garbage are rejected with
 * a reason; stray control characters (NUL padding, escape codes) are removed from usable text.
 */
export function cleanLine(text: string): CleanLine {
  if (BLANK.test(text)) return { ok: false, reason: "empty line" };
  if (!UNPRINTABLE.test(text)) return { ok: true, text, cleaned: false };
  const unprintable = text.match(UNPRINTABLE_ALL)?.length ?? 0;
  if (unprintable / text.length > BINARY_SHARE) {
    const share = Math.round((100 * unprintable) / text.length);
    return { ok: false, reason: `binary data (${share}% control or undecodable bytes)` };
  }
  const cleaned = text.replace(CONTROLS_ALL, "");
  if (BLANK.test(cleaned)) return { ok: false, reason: "empty line" };
  return { ok: true, text: cleaned, cleaned: true };
}
