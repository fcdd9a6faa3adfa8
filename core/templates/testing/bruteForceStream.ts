/**
 * An SSH brute-force attack as sshd logs it: for each attempt, the invalid-user line and one of its
 * neighbours in turn (so 20,000 lines hold 10,000 attempts), each attempt with a fresh user name,
 * source address and port. Deterministic for a seed.
 * Each line carries its true template (the stream has `BRUTE_FORCE_TEMPLATES` of them).
 */

export interface BruteForceLine {
  message: string;
  template: string;
}

const TEMPLATES = [
  "Invalid user <*> from <*>",
  "input_userauth_request: invalid user <*> [preauth]",
  "pam_unix(sshd:auth): check pass; user unknown",
  "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=<*>",
  "Failed password for invalid user <*> from <*> port <*> ssh2",
  "Received disconnect from <*>: 11: Bye Bye [preauth]",
  "Connection closed by <*> [preauth]",
] as const;
export const BRUTE_FORCE_TEMPLATES = TEMPLATES.length;

const SYLLABLES = ["an", "ber", "cor", "dan", "el", "fra", "gus", "hel", "ivo", "jo", "ka", "lin"];
const SUFFIXES = ["", "adm", "ops", "web", "sql", "ftp", "dev", "test"];

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** Letters-only names, all distinct: the dictionary words and names attackers try. */
function userNames(count: number, next: () => number): string[] {
  const names = new Set<string>();
  while (names.size < count) {
    const parts = 2 + Math.floor(next() * 2);
    let name = "";
    for (let i = 0; i < parts; i++) name += SYLLABLES[Math.floor(next() * SYLLABLES.length)];
    name += SUFFIXES[Math.floor(next() * SUFFIXES.length)];
    names.add(name);
  }
  return [...names];
}

/** `lines` lines over `users` distinct user names and as many source addresses. */
export function bruteForceStream(options: {
  lines: number;
  users: number;
  seed?: number;
}): BruteForceLine[] {
  const next = random(options.seed ?? 17);
  const names = userNames(options.users, next);
  const addresses = names.map(
    (_, i) => `${1 + (i % 223)}.${(i >> 8) % 256}.${Math.floor(next() * 256)}.${1 + (i % 254)}`,
  );
  const out: BruteForceLine[] = [];
  for (let attempt = 0; out.length < options.lines; attempt++) {
    const user = names[attempt % names.length] as string;
    const from = addresses[attempt % addresses.length] as string;
    const port = 1024 + Math.floor(next() * 64_000);
    const messages = [
      `Invalid user ${user} from ${from}`,
      `input_userauth_request: invalid user ${user} [preauth]`,
      "pam_unix(sshd:auth): check pass; user unknown",
      `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${from}`,
      `Failed password for invalid user ${user} from ${from} port ${port} ssh2`,
      `Received disconnect from ${from}: 11: Bye Bye [preauth]`,
      `Connection closed by ${from} [preauth]`,
    ];
    for (const i of [0, 1 + (attempt % (messages.length - 1))]) {
      const message = messages[i] as string;
      if (out.length < options.lines) out.push({ message, template: TEMPLATES[i] as string });
    }
  }
  return out;
}
