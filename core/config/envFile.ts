import type { ConfigProblem } from "./fields.js";

/**
 * A `.env` file, read strictly: what dotenv and docker compose accept, and nothing silently
 * dropped. A UTF-8 byte order mark is skipped; a line that is not `NAME=value` (optionally after
 * `export `), or whose quote is never closed, or that has text after its closing quote, is a
 * problem naming its line. Values are never echoed (a `.env` holds secrets).
 *
 * - `NAME=value # comment`: unquoted values are trimmed; ` #` starts a comment.
 * - `NAME="a\nb"`: double quotes expand `\n`, `\r`, `\t`, `\"` and `\\`, and may span lines.
 * - `NAME='raw'`, ``NAME=`raw` ``: taken as written, and may span lines.
 * - Blank lines and lines starting with `#` are skipped; a later line wins over an earlier one.
 */
export function parseEnvFile(
  text: string,
  path: string,
): { values: Record<string, string>; problems: ConfigProblem[] } {
  const lines = (text.startsWith("\uFEFF") ? text.slice(1) : text).split(/\r?\n/);
  const values: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  const problem = (lineIndex: number, message: string) =>
    problems.push({
      variable: "SENTINEL_ENV_FILE",
      message: `${path} line ${lineIndex + 1}: ${message}`,
    });

  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "" || line.startsWith("#")) continue;
    const assignment = ASSIGNMENT.exec(line);
    if (!assignment) {
      problem(i, "expected NAME=value");
      continue;
    }
    const name = assignment[1] as string;
    const rest = assignment[2] as string;
    const quote = rest[0];
    if (quote !== '"' && quote !== "'" && quote !== "`") {
      values[name] = rest.replace(INLINE_COMMENT, "").trim();
      continue;
    }
    const start = i;
    let body = rest.slice(1);
    let close = closingQuote(body, quote);
    while (close === -1 && i + 1 < lines.length) {
      i++;
      body += `\n${lines[i]}`;
      close = closingQuote(body, quote);
    }
    if (close === -1) {
      problem(start, `${name}: the ${quote} that opens its value is never closed`);
      break;
    }
    const after = body.slice(close + 1).trim();
    if (after !== "" && !after.startsWith("#")) {
      problem(i, `${name}: unexpected text after the closing ${quote}`);
      continue;
    }
    const raw = body.slice(0, close);
    values[name] = quote === '"' ? raw.replace(DOUBLE_QUOTED_ESCAPE, expandEscape) : raw;
  }
  return { values, problems };
}

const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/;
const INLINE_COMMENT = /\s#.*$/;
const DOUBLE_QUOTED_ESCAPE = /\\([nrt"\\])/g;
const ESCAPED: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

function expandEscape(_match: string, char: string): string {
  return ESCAPED[char] ?? char;
}

/** Index of the quote closing `body`; in double quotes a backslash escapes the next character. */
function closingQuote(body: string, quote: string): number {
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (quote === '"' && char === "\\") i++;
    else if (char === quote) return i;
  }
  return -1;
}
