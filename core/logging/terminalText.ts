/**
 * Text that reaches a terminal carries no control or bidi characters from the input: an escape
 * sequence inside a log line (`ESC[2J`, an OSC title, BEL, the C1 CSI U+009B) must not clear the
 * screen or retitle the window, and a bidi override (U+202E, the isolates U+2066–2069, the marks
 * U+200E/F, U+061C) must not reorder what the operator reads.
 *
 * Two renderings, both visible and reversible by eye:
 * - human text: each such character becomes `\xHH` (C0, DEL, C1) or `\u{HHHH}` (bidi), so
 *   `ESC[2J` reads `\x1b[2J`. Newlines stay.
 * - JSON text: each such character that JSON would leave raw becomes its `\uHHHH` escape, which
 *   decodes to the same value, so the output is the same data and still valid JSON.
 */

// C0 except newline, DEL, C1, and the bidi formatting characters.
const UNSAFE_HUMAN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// JSON.stringify already escapes C0; DEL, C1 and bidi characters it writes raw.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

/** `text` with every control and bidi character but newline shown as an escape. */
export function forTerminal(text: string): string {
  return text.replace(UNSAFE_HUMAN, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0x9f ? `\\x${hex(code, 2)}` : `\\u{${hex(code, 4)}}`;
  });
}

/** Serialised JSON with the characters JSON leaves raw escaped (`\u009b`); the data is unchanged. */
export function jsonForTerminal(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${hex(char.charCodeAt(0), 4)}`);
}

/** A JSON `\\`, or a `\uHHHH` escape of a C0, DEL, C1 or bidi character, or a short `\r\b\f`. */
const JSON_CONTROL_ESCAPE =
  /\\\\|\\u(00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|061[cC]|200[eEfF]|202[a-eA-E]|206[6-9])|\\([rbf])/g;

/**
 * A JSON log line made safe for a renderer that decodes it for a terminal (pino-pretty): the
 * escapes that would decode to control or bidi characters become visible text (`\\x1b`), newlines
 * and tabs stay (stack traces), everything else is unchanged.
 */
export function jsonLogLineForTerminal(json: string): string {
  return jsonForTerminal(json).replace(
    JSON_CONTROL_ESCAPE,
    (match, code: string | undefined, short: string | undefined) => {
      if (short) return `\\\\${short}`;
      if (!code) return match;
      const n = Number.parseInt(code, 16);
      if (n === 0x0a || n === 0x09) return match;
      return n <= 0x9f ? `\\\\x${hex(n, 2)}` : `\\\\u{${hex(n, 4)}}`;
    },
  );
}
