/**
 * Backslash escapes inside quoted values (logfmt, RFC 5424 structured data), decoded in one pass
 * into a code-unit buffer: string concatenation degrades badly on a megabyte of escapes.
 */

export interface EscapeRules {
  /** Escaped character code to the code it stands for (`n` to newline, `"` to `"`). */
  readonly codes: ReadonlyMap<number, number>;
  /** Whether `\uXXXX` is decoded. */
  readonly unicode: boolean;
  /** For escapes not in `codes`: keep the backslash (`true`) or drop it and keep the character. */
  readonly keepUnknownBackslash: boolean;
}

const BACKSLASH = 92;
const U = 117;
const FROM_CHAR_CODE_LIMIT = 4096;
const utf16 = new TextDecoder("utf-16le");

/** `text` from `start` to `end` with its backslash escapes decoded by `rules`. */
export function decodeEscapes(
  text: string,
  start: number,
  end: number,
  rules: EscapeRules,
): string {
  const out = new Uint16Array(end - start);
  let k = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== BACKSLASH || i + 1 >= end) {
      out[k++] = c;
      continue;
    }
    const escaped = text.charCodeAt(i + 1);
    const mapped = rules.codes.get(escaped);
    if (mapped !== undefined) {
      out[k++] = mapped;
      i++;
    } else if (rules.unicode && escaped === U && i + 5 < end && isHex4(text, i + 2)) {
      out[k++] = Number.parseInt(text.slice(i + 2, i + 6), 16);
      i += 5;
    } else if (rules.keepUnknownBackslash) {
      out[k++] = c;
    } else {
      out[k++] = escaped;
      i++;
    }
  }
  const decoded = out.subarray(0, k);
  return k <= FROM_CHAR_CODE_LIMIT
    ? String.fromCharCode.apply(null, decoded as unknown as number[])
    : utf16.decode(decoded);
}

function isHex4(text: string, p: number): boolean {
  for (let i = p; i < p + 4; i++) {
    const c = text.charCodeAt(i) | 0x20; // lower-case letters
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
