import { createHash } from "node:crypto";
import { isProtected } from "./protectedWords.js";

/**
 * Log template keys: a message with its variable parts masked as `<*>`, and a stable id for it.
 *
 * The rule that keeps keys safe: a word made only of letters is never masked outside a quoted
 * value, URL, path or e-mail address, so two messages whose constant words differ never share a
 * key ("connection established" vs "connection failed"). What is masked is what has the shape of
 * a variable: numbers (with units and durations), dates and times, UUIDs, hex ids, IPs and ports,
 * MAC addresses, URLs, e-mail addresses, paths, quoted values, and tokens that mix letters and
 * digits (pod names, request ids) unless they are well-known constant words such as `ipv4`.
 */

export const WILDCARD = "<*>";

/** Letters-and-digits words that are constants, not ids; compared lower-cased. */
const CONSTANT_ALNUM_WORDS = new Set([
  "ipv4",
  "ipv6",
  "utf8",
  "utf16",
  "utf32",
  "sha1",
  "sha224",
  "sha256",
  "sha384",
  "sha512",
  "md5",
  "base32",
  "base64",
  "http2",
  "http3",
  "h2",
  "h2c",
  "s3",
  "ec2",
  "ecs2",
  "x86",
  "x64",
  "arm64",
  "amd64",
  "aarch64",
  "i386",
  "i686",
  "log4j",
  "log4j2",
  "slf4j",
  "oauth1",
  "oauth2",
  "k8s",
  "k3s",
  "e2e",
  "2fa",
  "mfa2",
  "p50",
  "p90",
  "p95",
  "p99",
  "p999",
  "l1",
  "l2",
  "l3",
  "tls1",
  "ssl3",
  "sslv3",
  "tlsv1",
  "http1",
  "w3c",
  "i18n",
  "l10n",
  "a11y",
  "mp3",
  "mp4",
  "h264",
  "h265",
  "x509",
  "pkcs12",
  "pkcs8",
  "rsa2048",
  "aes128",
  "aes256",
  "int32",
  "int64",
  "uint32",
  "uint64",
  "float32",
  "float64",
  "win32",
  "win64",
  "dns64",
  "nat64",
  "ext4",
  "ext3",
  "xfs2",
  "vp8",
  "vp9",
  "gpt2",
  "gpt3",
  "gpt4",
  "qwen2",
  "v8",
  "ecmascript6",
  "es6",
  "es5",
  "ie11",
  "x86_64",
  "utf-8",
  "utf-16",
]);

// Dates written with month names span several words, so they are masked before the word pass.
const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*";
const WEEKDAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*";
const CLOCK = String.raw`\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?`;
const HAS_MONTH = /\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/;
const WORDY_DATE = new RegExp(
  [
    // [Wed] Jun 22 [2005] 13:16:30 [UTC] [2005]
    String.raw`\b(?:${WEEKDAY},?\s+)?${MONTH}\s+\d{1,2}(?:st|nd|rd|th)?,?(?:\s+\d{4})?\s+${CLOCK}(?:\s+(?:[AP]M|UTC|GMT))?(?:\s+\d{4})?\b`,
    // Wed, 22 Jun 2005 [13:16:30]
    String.raw`\b${WEEKDAY},?\s+\d{1,2}\s+${MONTH}\s+\d{4}(?:\s+${CLOCK})?`,
    // 22/Jun/2005:13:16:30, 22-Jun-2005, 22 Jun 2005
    String.raw`\b\d{1,2}[-/ ]${MONTH}[-/ ]\d{2,4}(?:[: ]${CLOCK})?`,
  ].join("|"),
  "g",
);

// Quoted values are looked at before the word pass, since they may span spaces (bounded so a
// stray quote cannot swallow a huge line).
const QUOTED = /(?<![A-Za-z0-9])(?:"(?:[^"\\\n]|\\.){0,512}"|'[^'\n]{0,512}'(?![A-Za-z0-9]))/g;

// Top-level domains that make a one-dot name a host name (file extensions are not among them).
const TLDS =
  "com|net|org|edu|gov|mil|int|io|co|cn|hk|uk|de|jp|ru|fr|kr|tw|br|au|ca|nl|it|es|se|ch|eu|us|info|biz|local|localdomain|internal|lan|arpa|cloud|dev|app";
// Month and weekday names and time zones standing alone, left over from dates written in parts.
const DATE_WORD =
  /(?<!\S)(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|June|July|August|September|October|November|December|UTC|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|CET|CEST|BST|JST)(?=[\s,]|$)/g;
const HAS_DATE_WORD =
  /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec|[A-Z][SD]?T)\b/;
// Brackets standing alone that hold only variables (or nothing) say nothing: they go.
const VARIABLE_BRACKETS = /(?<!\S)(?:\((?:<\*>)?\)|\[(?:<\*>)?\]|\{(?:<\*>)?\})(?!\S)/g;

// Characters that, with a digit among them, make one identifier: ids, numbers with units,
// versions, dotted or dashed names. Colons and equals signs are left out so `key=value` and
// `count:5` keep their key, and times and IPv6 come out as wildcards joined by colons.
const ID = "[A-Za-z0-9@#/._+~%-]";
const NOT_ID_BEFORE = "(?<![A-Za-z0-9@#/._+~%-])";

// Within a candidate token, ordered alternatives: the first that matches at a position wins.
// Each is one capture group, so the group that matched tells which kind of variable it is.
const VARIABLE_KINDS = {
  url: String.raw`\b[A-Za-z][A-Za-z0-9+.-]{1,15}://[^\s"'<>]+`,
  email: String.raw`(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`,
  uuid: "(?<![A-Za-z0-9])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![A-Za-z0-9])",
  mac: "(?<![A-Za-z0-9:])[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5}(?![A-Za-z0-9:])",
  ipv6: "(?<![A-Za-z0-9:])(?:[0-9a-fA-F]{1,4}:){2,7}(?::|[0-9a-fA-F]{1,4})?(?:[0-9a-fA-F]{1,4})?(?![A-Za-z0-9:])",
  // host names: one or more dots before a known top-level domain (csdnimg.cn, pv.mini.sohu.com)
  hostname: String.raw`(?<![A-Za-z0-9._$-])[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.(?:${TLDS})(?![A-Za-z0-9_$-]|\.[A-Za-z0-9])`,
  // other names with two or more dots: host names, packages and classes (com.android.phone,
  // org.apache.Server$Inner), masked unless they hold a protected word (...action.SCREEN_ON)
  dottedName: String.raw`(?<![A-Za-z0-9._$-])[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_$](?:[A-Za-z0-9_$-]*[A-Za-z0-9_$])?){2,}(?![A-Za-z0-9_$-]|\.[A-Za-z0-9])`,
  // two or more segments, absolute, relative or Windows, with any query string
  path: String.raw`(?<![A-Za-z0-9/])(?:~|\.{1,2}|[A-Za-z]:)?(?:[/\\][\w.@%+~-]+){2,}[/\\]?(?:\?[^\s"'<>]*)?`,
  // Kubernetes' generated name parts (pod-template hash, pod suffix) use an alphabet without vowels
  k8sSuffix: "(?<=-)[bcdfghjklmnpqrstvwxz2456789]{5,10}(?![A-Za-z0-9])",
  // name:port, the name in lower case and not a protected word (wpad:80; errors:5 stays)
  namePort: String.raw`(?<![^\s/])[a-z][a-z0-9-]*:\d{2,5}(?![\w.:])`,
  // a word value after key= (user=root), unless it is a protected word (result=failure)
  keyValue: String.raw`(?<=[A-Za-z0-9_]=)[A-Za-z_][\w.:-]*`,
  // ids behind word prefixes keep the words: blk_<*>, task_<*>, checkout-<*>, dcbf......<*>
  prefixedId: `${NOT_ID_BEFORE}(?:[A-Za-z]{2,}(?:[_-]|\\.{2,}))+(?=${ID}*\\d)${ID}*[A-Za-z0-9]`,
  // any other identifier with a digit in it: numbers, sizes, durations, versions, node names
  id: `${NOT_ID_BEFORE}(?=${ID}*\\d)${ID}*[A-Za-z0-9%]`,
};
const KIND_NAMES = Object.keys(VARIABLE_KINDS);
const VARIABLE_PATTERN = new RegExp(
  Object.values(VARIABLE_KINDS)
    .map((pattern) => `(${pattern})`)
    .join("|"),
  "g",
);
// Capture group positions (0-based among the replacer's group arguments) needing a second look.
const PREFIXED_GROUP = KIND_NAMES.indexOf("prefixedId");
const ID_GROUP = KIND_NAMES.indexOf("id");
const KEY_VALUE_GROUP = KIND_NAMES.indexOf("keyValue");
const NAME_PORT_GROUP = KIND_NAMES.indexOf("namePort");
const DOTTED_NAME_GROUP = KIND_NAMES.indexOf("dottedName");
// Most candidate tokens are a plain number, IP, time, date or size: one anchored test settles them.
const WHOLE_NUMBERISH_TOKEN =
  /^(?:[<>~]?[-+]?\d+(?:[.,:]\d+)*(?:[eE][-+]?\d+)?(?:[A-Za-zµ%]{1,3})?|[\d.,:/_+-]*\d)$/;
const LEADING_WORDS = /^(?:[A-Za-z]{2,}(?:[_-]|\.{2,}))+/;

const LETTERS_ONLY = /^[A-Za-z]+$/;
const HAS_SPACE = /\s/;
// Adjacent wildcards joined only by punctuation or spaces are one variable slot, and so is a
// unit written after a number ("5.2 KB").
const ADJACENT_WILDCARDS =
  /<\*>(?:[\s.,:;_/\\|#=-]*<\*>|\s(?:[KMGTP]i?B|[kKMGTP]B|B|bytes?|ms|µs|us|ns|secs?|s)\b)+/g;
const SPACES = /\s+/g;

function maskQuoted(match: string, offset: number, text: string): string {
  const inner = match.slice(1, -1);
  // A quoted value after key= is a value, unless a protected word in it carries meaning.
  if (text.charCodeAt(offset - 1) === 61 && !isProtected(inner)) {
    return `${match[0]}${WILDCARD}${match[0]}`;
  }
  // A quoted phrase is text like any other: its words stay and its variables are masked by the
  // word pass. A single quoted word of letters reads as meaning ("running"); anything else
  // quoted alone is a value: a file name, an id, a key.
  if (HAS_SPACE.test(inner) || LETTERS_ONLY.test(inner)) return match;
  const quote = match[0] as string;
  return `${quote}${WILDCARD}${quote}`;
}

// Tokens repeat (host names, class names, key=value pairs, words ending a sentence), so the mask
// of recent ones is remembered: a plain map emptied when full, since a miss costs only the regex.
const MASKED_TOKENS = new Map<string, string>();
const MAX_MASKED_TOKENS = 20_000;

// Common token shapes that only one kind of variable can match (no other kind's characters in
// them), settled without the variable pattern and never cached: they are mostly unique values.
const ALNUM = /^[A-Za-z0-9]+$/; // a5f3c9, node42: an id
const UNDERSCORE_PREFIXED = /^(?:[A-Za-z]{2,}_)+[A-Za-z0-9]+$/; // blk_1073741825: a prefixed id
const KEY_NUMBER = /^[A-Za-z_]+=\d+(?:\.\d+)*$/; // bytes=4673, host=10.0.70.243: key=<*>
const PLAIN_PATH = /^(?:\/[\w.@%+~-]+){2,}\/?$/; // /api/v1/orders/4060158: a path

/** A token with a digit: short ones repeat (uid=0, ssh2), long ones are mostly unique values. */
function maskToken(token: string): string {
  if (WHOLE_NUMBERISH_TOKEN.test(token)) return WILDCARD;
  if (ALNUM.test(token)) return CONSTANT_ALNUM_WORDS.has(token.toLowerCase()) ? token : WILDCARD;
  if (UNDERSCORE_PREFIXED.test(token)) {
    if (CONSTANT_ALNUM_WORDS.has(token.toLowerCase())) return token;
    return `${LEADING_WORDS.exec(token)?.[0] ?? ""}${WILDCARD}`;
  }
  if (KEY_NUMBER.test(token)) return `${token.slice(0, token.indexOf("=") + 1)}${WILDCARD}`;
  if (PLAIN_PATH.test(token)) return WILDCARD;
  if (token.length <= 24) return maskWordToken(token);
  return token.replace(VARIABLE_PATTERN, maskVariable);
}

function maskWordToken(token: string): string {
  let masked = MASKED_TOKENS.get(token);
  if (masked === undefined) {
    masked = token.replace(VARIABLE_PATTERN, maskVariable);
    if (MASKED_TOKENS.size >= MAX_MASKED_TOKENS) MASKED_TOKENS.clear();
    MASKED_TOKENS.set(token, masked);
  }
  return masked;
}

function maskVariable(match: string, ...groups: unknown[]): string {
  if (groups[PREFIXED_GROUP] !== undefined) {
    if (CONSTANT_ALNUM_WORDS.has(match.toLowerCase())) return match;
    return `${LEADING_WORDS.exec(match)?.[0] ?? ""}${WILDCARD}`;
  }
  // A dotted name holding a protected word is a constant that carries meaning:
  // android.intent.action.SCREEN_ON and ...SCREEN_OFF stay apart.
  if (groups[DOTTED_NAME_GROUP] !== undefined) return isProtected(match) ? match : WILDCARD;
  if (groups[NAME_PORT_GROUP] !== undefined) {
    return isProtected(match.slice(0, match.indexOf(":")))
      ? match.replace(/\d+$/, WILDCARD)
      : WILDCARD;
  }
  if (groups[KEY_VALUE_GROUP] !== undefined) {
    return isProtected(match) ? match : WILDCARD;
  }
  if (groups[ID_GROUP] !== undefined) {
    return CONSTANT_ALNUM_WORDS.has(match.toLowerCase()) ? match : WILDCARD;
  }
  return WILDCARD;
}

/** The message with variable parts masked and white space folded. Pure and deterministic. */
export function templateOf(message: string): string {
  let text = message;
  if (HAS_DATE_WORD.test(text)) {
    if (HAS_MONTH.test(text)) text = text.replace(WORDY_DATE, WILDCARD);
    text = text.replace(DATE_WORD, WILDCARD);
  }
  if (text.includes('"') || text.includes("'")) text = text.replace(QUOTED, maskQuoted);
  // White space other than single spaces is folded before tokens are split on spaces.
  text = maskTokens(text) ?? (maskTokens(text.replace(SPACES, " ")) as string);
  if (text.includes("<*>")) text = text.replace(ADJACENT_WILDCARDS, WILDCARD);
  if (
    text.includes("()") ||
    text.includes("<*>)") ||
    text.includes("<*>]") ||
    text.includes("<*>}")
  ) {
    text = text
      .replace(VARIABLE_BRACKETS, "")
      .replace(SPACES, " ")
      .replace(ADJACENT_WILDCARDS, WILDCARD);
  }
  return text.trim();
}

const PLAIN = 0;
const WITH_PUNCTUATION = 1;
const WITH_DIGIT = 2;

/**
 * Masks the space-separated tokens that can hold a variable: those with a digit, slash,
 * backslash, @, hyphen, dot or equals sign. One pass over the text, copying only when a token
 * changes (most lines keep most of their tokens). Undefined when the text holds white space
 * other than single spaces (two spaces, a tab, a no-break space): it must be folded first.
 */
function maskTokens(text: string): string | undefined {
  let out = "";
  let copied = 0;
  let start = 0;
  let shape = PLAIN;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c === 32) {
      if (start === i && i > 0 && i < text.length) return undefined;
      if (shape !== PLAIN) {
        const token = text.slice(start, i);
        const masked = shape === WITH_DIGIT ? maskToken(token) : maskWordToken(token);
        if (masked !== token) {
          out += text.slice(copied, start) + masked;
          copied = i;
        }
      }
      start = i + 1;
      shape = PLAIN;
    } else if ((c <= 13 && c >= 9) || (c >= 0xa0 && isUnusualSpace(c))) {
      return undefined;
    } else if (shape !== WITH_DIGIT) {
      if (c >= 48 && c <= 57) shape = WITH_DIGIT;
      // / \ @ = . -
      else if (c === 47 || c === 92 || c === 64 || c === 61 || c === 46 || c === 45)
        shape = WITH_PUNCTUATION;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** The characters besides tab to CR and the space that `\s` matches. */
function isUnusualSpace(c: number): boolean {
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** A stable id for a template: the same template gives the same id on every run and machine. */
export function templateIdOf(template: string): string {
  return createHash("sha256").update(template).digest("base64url").slice(0, 16);
}
