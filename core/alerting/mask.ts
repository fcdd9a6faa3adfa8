/**
 * Masks secrets (and, when asked, personal data) in text before people see it: alerts, the
 * analysis summary, `--mask`ed event output.
 * Pure and idempotent: masking a masked text changes nothing. Masks stay readable, so an
 * operator still sees what kind of value was there (`AKIA****`, `password=****`, `[email]`).
 */

export interface MaskOptions {
  /** Replace e-mail addresses with `[email]`. */
  maskEmails?: boolean;
  /** Replace IPv4 and IPv6 addresses with `[ip]`. */
  maskIps?: boolean;
}

const MASK = "****";

/** `-----BEGIN RSA PRIVATE KEY----- ... -----END RSA PRIVATE KEY-----`, or a cut one with no end. */
const PRIVATE_KEY =
  /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[\s\S]*$)/g;

/** header.payload.signature, both first parts base64url JSON objects (`{"` is `eyJ`). */
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** scheme://user:password@host; the user may be empty (redis://:password@host). */
const URL_CREDENTIALS = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s:/@]*):([^\s@/]+)@/g;

/** An Authorization header or field, with or without a scheme word before the credentials. */
const AUTHORIZATION =
  /((?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(Bearer|Basic|Digest|Token|Negotiate|AWS4-HMAC-SHA256)\s+)?([^\s"',;]+)/gi;

/** `Bearer <token>` or `Basic <base64>` anywhere; a token has a digit or symbol, so prose is left. */
const SCHEME_TOKEN = /\b(Bearer|Basic)\s+(?=[\w\-.~+/]*[\d\-.~+/])[\w\-.~+/]{6,}=*/g;

/** AWS access key ids: long-term (AKIA), temporary (ASIA) and the other documented prefixes. */
const AWS_ACCESS_KEY_ID =
  /\b(AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}\b/g;

/**
 * Provider tokens whose prefix says what they are (the shapes gitleaks and detect-secrets look
 * for): GitHub (classic, OAuth, user, server, refresh, fine-grained), GitLab, Slack, Stripe and
 * Google API keys. The prefix stays, so `ghp_****` still tells which kind leaked.
 */
const PREFIXED_TOKEN = new RegExp(
  [
    "\\b(gh[pousr]_)[A-Za-z0-9]{20,255}\\b",
    "\\b(github_pat_)[A-Za-z0-9_]{20,255}",
    "\\b(glpat-)[A-Za-z0-9_-]{20,}",
    "\\b(xox[abposr]-)[A-Za-z0-9-]{10,}",
    "\\b((?:sk|rk|pk)_(?:live|test)_)[A-Za-z0-9]{16,}",
    "\\b(AIza)[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])",
  ].join("|"),
  "g",
);

/**
 * `key=value`, `key: value`, `"key": "value"` and connection-string `Key=value;` pairs whose key
 * ends with a sensitive word: password, secret, token, api key, AWS secret access key, Azure
 * AccountKey / SharedAccessKey, SAS and presigned-URL signatures. Quotes may be JSON-escaped.
 */
const SENSITIVE_KEY =
  "[\\w.-]*(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|accountkey|sharedaccesskey|sharedaccesssignature|private[_-]?key|credentials?|sig|signature|security[_-]?token)";
const SENSITIVE_NAME = new RegExp(`^${SENSITIVE_KEY}$`, "i");
const SENSITIVE_PAIR = new RegExp(
  `(?<![\\w.-])(${SENSITIVE_KEY}(?:\\\\?["'])?\\s*[:=]\\s*)` +
    `(\\\\"(?:[^"\\\\\\n]|\\\\[^"])*\\\\"|"[^"\\n]*"|'[^'\\n]*'|[^\\s"'\\\\,;&}\\])]+)`,
  "gi",
);

/**
 * A sensitive word then only spaces before the value: `password "hunter2"`, `secret 'x'`,
 * `aws secret access key wJalr…`. Unquoted, the value must look like a credential (eight or more
 * credential characters with a digit or symbol), so prose such as `password reset requested` or
 * `token bucket empty` stays as it is.
 */
const SPACED_SECRET = new RegExp(
  "(?<![\\w.-])((?:[\\w.-]*(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key)|secret access key|access key|api key)\\s+)" +
    "(\"[^\"\\n]+\"|'[^'\\n]+'|(?=[A-Za-z]*[0-9/+=_.~-])[A-Za-z0-9/+=_.~-]{8,}(?![^\\s\"',;)\\]}]))",
  "gi",
);

const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g;

const IPV4_OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`(?<![\\d.])${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}(?![\\d]|\\.\\d)`, "g");

const H = "[0-9A-Fa-f]{1,4}";
/** Full (eight groups) or compressed (`::`) IPv6; time stamps such as 10:02:11 never match. */
const IPV6 = new RegExp(
  `(?<![\\w:])(?:(?:${H}:){7}${H}|(?:${H}(?::${H}){0,6})?::(?:${H}(?::${H}){0,6})?)(?![\\w:])`,
  "g",
);

/**
 * Masks secrets in `text`; e-mail addresses and IP addresses too when the options ask for it.
 *
 * @example
 * maskSensitive("login with password=hunter2 from 192.0.2.10", { maskIps: true });
 * // "login with password=**** from [ip]"
 */
export function maskSensitive(text: string, options: MaskOptions = {}): string {
  let masked = text
    .replace(PRIVATE_KEY, (_match, kind: string) => `[${kind}private key]`)
    .replace(JWT, "[jwt]")
    .replace(URL_CREDENTIALS, (_match, scheme: string, user: string) => {
      return `${scheme}${user}:${MASK}@`;
    })
    .replace(
      AUTHORIZATION,
      (_match, prefix: string, scheme: string | undefined) =>
        `${prefix}${scheme ? `${scheme} ` : ""}${MASK}`,
    )
    .replace(SCHEME_TOKEN, (_match, scheme: string) => `${scheme} ${MASK}`)
    .replace(AWS_ACCESS_KEY_ID, (_match, prefix: string) => `${prefix}${MASK}`)
    .replace(PREFIXED_TOKEN, (_match, ...prefixes: unknown[]) => {
      const prefix = prefixes.slice(0, 6).find((p) => typeof p === "string");
      return `${prefix}${MASK}`;
    })
    .replace(SENSITIVE_PAIR, (_match, prefix: string, value: string) => {
      return `${prefix}${maskValueKeepingQuotes(value)}`;
    })
    .replace(SPACED_SECRET, (_match, prefix: string, value: string) => {
      return `${prefix}${maskValueKeepingQuotes(value)}`;
    });
  if (options.maskEmails) masked = masked.replace(EMAIL, "[email]");
  if (options.maskIps)
    masked = masked
      .replace(IPV4, "[ip]")
      .replace(IPV6, (match) => (match === "::" ? match : "[ip]"));
  return masked;
}

function maskValueKeepingQuotes(value: string): string {
  for (const quote of ['\\"', '"', "'"]) {
    if (value.length >= quote.length * 2 && value.startsWith(quote) && value.endsWith(quote))
      return `${quote}${MASK}${quote}`;
  }
  return MASK;
}

/** Whether a field named `name` holds a secret (`password`, `db.password`, `apiKey`, `X-Api-Key`). */
export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

/**
 * A JSON-like value with its secrets masked: strings through `maskSensitive`, and every string
 * under a sensitive field name (`{"password": "hunter2"}`) replaced whole. Depth is bounded (the
 * rest is replaced by a note) so a hostile nesting cannot exhaust the stack.
 */
export function maskValue(value: unknown, options: MaskOptions = {}, depth = 0): unknown {
  if (typeof value === "string") return maskSensitive(value, options);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_MASK_DEPTH) return "[nested too deep to mask]";
  if (Array.isArray(value)) return value.map((item) => maskValue(item, options, depth + 1));
  const masked: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    masked[key] =
      typeof item === "string" && isSensitiveName(key) ? MASK : maskValue(item, options, depth + 1);
  }
  return masked;
}

const MAX_MASK_DEPTH = 64;
