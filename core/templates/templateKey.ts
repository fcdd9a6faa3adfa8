import { createHash } from "node:crypto";

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

const WILDCARD = "<*>";

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
// Only tokens holding a digit, slash, backslash, @ or hyphen can hold a variable; the rest are words.
const CANDIDATE_TOKEN = /(?<!\S)\S*?[\d/\\@-]\S*/g;

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
  // host names with a digit somewhere and two or more dots: ip-10-0-0-7.ec2.internal
  hostname: String.raw`(?<![A-Za-z0-9._-])(?=[A-Za-z0-9.-]*\d)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?){1,}\.[A-Za-z]{2,}(?![A-Za-z0-9_-]|\.[A-Za-z0-9])`,
  // two or more segments, absolute, relative or Windows, with any query string
  path: String.raw`(?<![A-Za-z0-9/])(?:~|\.{1,2}|[A-Za-z]:)?(?:[/\\][\w.@%+~-]+){2,}[/\\]?(?:\?[^\s"'<>]*)?`,
  // Kubernetes' generated name parts (pod-template hash, pod suffix) use an alphabet without vowels
  k8sSuffix: "(?<=-)[bcdfghjklmnpqrstvwxz2456789]{5,10}(?![A-Za-z0-9])",
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
// Most candidate tokens are a plain number, IP, time or size: one anchored test settles them.
const WHOLE_NUMBERISH_TOKEN = /^[-+]?\d+(?:[.,:]\d+)*(?:[eE][-+]?\d+)?(?:[A-Za-zµ%]{1,3})?$/;
const LEADING_WORDS = /^(?:[A-Za-z]{2,}(?:[_-]|\.{2,}))+/;

const LETTERS_ONLY = /^[A-Za-z]+$/;
const HAS_SPACE = /\s/;
// Adjacent wildcards joined only by punctuation or spaces are one variable slot, and so is a
// unit written after a number ("5.2 KB").
const ADJACENT_WILDCARDS =
  /<\*>(?:[\s.,:;_/\\|#=-]*<\*>|\s(?:[KMGTP]i?B|[kKMGTP]B|B|bytes?|ms|µs|us|ns|secs?|s)\b)+/g;
const SPACES = /\s+/g;

function maskQuoted(match: string): string {
  const inner = match.slice(1, -1);
  // A quoted phrase is text like any other: its words stay and its variables are masked by the
  // word pass. A single quoted word of letters reads as meaning ("running"); anything else
  // quoted alone is a value: a file name, an id, a key.
  if (HAS_SPACE.test(inner) || LETTERS_ONLY.test(inner)) return match;
  const quote = match[0] as string;
  return `${quote}${WILDCARD}${quote}`;
}

function maskToken(token: string): string {
  if (WHOLE_NUMBERISH_TOKEN.test(token)) return WILDCARD;
  return token.replace(VARIABLE_PATTERN, maskVariable);
}

function maskVariable(match: string, ...groups: unknown[]): string {
  if (groups[PREFIXED_GROUP] !== undefined) {
    if (CONSTANT_ALNUM_WORDS.has(match.toLowerCase())) return match;
    return `${LEADING_WORDS.exec(match)?.[0] ?? ""}${WILDCARD}`;
  }
  if (groups[ID_GROUP] !== undefined) {
    return CONSTANT_ALNUM_WORDS.has(match.toLowerCase()) ? match : WILDCARD;
  }
  return WILDCARD;
}

/** The message with variable parts masked and white space folded. Pure and deterministic. */
export function templateOf(message: string): string {
  let text = HAS_MONTH.test(message) ? message.replace(WORDY_DATE, WILDCARD) : message;
  if (text.includes('"') || text.includes("'")) text = text.replace(QUOTED, maskQuoted);
  return text
    .replace(CANDIDATE_TOKEN, maskToken)
    .replace(ADJACENT_WILDCARDS, WILDCARD)
    .replace(SPACES, " ")
    .trim();
}

/** A stable id for a template: the same template gives the same id on every run and machine. */
export function templateIdOf(template: string): string {
  return createHash("sha256").update(template).digest("base64url").slice(0, 16);
}

export interface TemplateKey {
  templateId: string;
  template: string;
}

/**
 * Computes template keys, remembering recent templates' ids so the hash runs once per template.
 *
 * @example
 * const keys = new TemplateKeyer();
 * keys.keyOf("connection failed to 10.0.0.7:5432 after 3 retries");
 * // { template: "connection failed to <*> after <*> retries", templateId: "..." }
 */
export class TemplateKeyer {
  readonly #ids = new Map<string, string>();
  readonly #maxTemplates: number;

  constructor(options: { maxTemplates?: number } = {}) {
    this.#maxTemplates = options.maxTemplates ?? 50_000;
  }

  keyOf(message: string): TemplateKey {
    const template = templateOf(message);
    let templateId = this.#ids.get(template);
    if (templateId === undefined) {
      templateId = templateIdOf(template);
      // A plain map emptied when full: cheaper per hit than LRU bookkeeping, and ids are
      // recomputed identically after a reset, so forgetting costs only a hash.
      if (this.#ids.size >= this.#maxTemplates) this.#ids.clear();
      this.#ids.set(template, templateId);
    }
    return { templateId, template };
  }
}
