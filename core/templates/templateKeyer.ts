import { isProtected } from "./protectedWords.js";
import { templateIdOf, templateOf, WILDCARD } from "./templateKey.js";

/**
 * Template keys that learn, online, which words are variables.
 *
 * `templateOf` masks what has the shape of a variable (numbers, ids, addresses, times...). What is
 * left are words, and some words are variables too: user names, printer names, host names without
 * digits. The rule that finds them is a distinct count: with the rest of the key fixed, a token
 * position becomes a variable once `distinctWords` different words have appeared there. Never the
 * first token, never a protected word (severity, outcome, state, negation), and at least half of
 * the tokens stay constant.
 *
 * Ids are stable: a key keeps its id (the hash of its template, the same on every run); when its
 * position generalises, the earlier literal keys become aliases of the general key, so a line's
 * key on arrival can always be followed to its final key. A guard (the classification cache) may
 * veto a generalisation that would join keys already classified differently.
 *
 * The learned state is bounded: keys and clusters beyond their caps are evicted least recently
 * used first (and counted); an evicted cluster is relearned from the lines that follow.
 */

export interface TemplateKey {
  readonly templateId: string;
  readonly template: string;
}

/** A key the keyer made: literal or general, with where it went when it generalised. */
class LearnedKey implements TemplateKey {
  readonly templateId: string;
  readonly template: string;
  readonly tokens: readonly string[];
  /** The general key this one became an alias of. */
  next: LearnedKey | undefined;
  /** Ids of the keys that became aliases of this one, directly or through another alias. */
  readonly aliasIds: string[] = [];
  /** The keys that became aliases of this one directly. */
  readonly aliases: LearnedKey[] = [];
  /** The clusters whose position this key made a variable. */
  readonly clusters: Cluster[] = [];

  constructor(template: string) {
    this.template = template;
    this.templateId = templateIdOf(template);
    this.tokens = template.split(" ");
  }
}

/** The words seen at one token position of one otherwise fixed key. */
interface Cluster {
  /** The key with that position generalised. */
  readonly rest: string;
  readonly position: number;
  /** The literal tokens seen there (at most `distinctWords`), with their keys. */
  readonly words: Map<string, LearnedKey>;
  general: LearnedKey | undefined;
  /** The guard refused to generalise: the literal keys stay apart for good. */
  blocked: boolean;
}

/** Entry of the key table: the key a template resolves to, and when it was last used. */
interface Slot {
  key: LearnedKey;
  used: number;
}

/** What `snapshot()` gives and `restore()` takes: plain JSON. */
export interface TemplateKeyerSnapshot {
  version: 1;
  /** Clusters in creation order: [rest, position, literal tokens, generalised, blocked]. */
  clusters: [string, number, string[], boolean, boolean][];
  /** Alias links in the order they were made: [literal template, general template]. */
  aliases: [string, string][];
}

export interface TemplateKeyerOptions {
  /** Distinct words at one position that make it a variable. */
  distinctWords?: number;
  /** Templates remembered (literal, general and the raw templates that resolve to them). */
  maxTemplates?: number;
  /** Clusters (positions being counted) remembered. */
  maxClusters?: number;
}

/** May these keys (ids) be joined into one? The classification cache says no when they differ. */
export type JoinGuard = (templateIds: readonly string[]) => boolean;

export const DEFAULT_DISTINCT_WORDS = 3;

// A token's variable part: after `key=` and inside surrounding punctuation; `(<*>)`, `user=<*>`.
const TOKEN_PARTS = /^([^A-Za-z0-9]*(?:[A-Za-z_][\w.-]*=)?[^A-Za-z0-9]*)(.*?)([^A-Za-z0-9]*)$/;
const HAS_LETTER = /[A-Za-z]/;

/** The token with its variable part masked, or undefined when it may not become a variable. */
function generalised(token: string): string | undefined {
  if (token.includes(WILDCARD)) return undefined;
  const parts = TOKEN_PARTS.exec(token);
  if (!parts) return undefined;
  const word = parts[2] as string;
  if (!HAS_LETTER.test(word) || isProtected(word)) return undefined;
  return `${parts[1]}${WILDCARD}${parts[3]}`;
}

function restOf(tokens: readonly string[], position: number, masked: string): string {
  const copy = tokens.slice();
  copy[position] = masked;
  return copy.join(" ");
}

function keepsHalfConstant(rest: string): boolean {
  const tokens = rest.split(" ");
  let constant = 0;
  for (const token of tokens) if (!token.includes(WILDCARD)) constant++;
  return constant * 2 >= tokens.length;
}

function finalOf(key: LearnedKey): LearnedKey {
  let final = key;
  while (final.next !== undefined) final = final.next;
  return final;
}

/**
 * @example
 * const keys = new TemplateKeyer();
 * keys.keyOf("connection failed to 10.0.0.7:5432 after 3 retries");
 * // { template: "connection failed to <*> after <*> retries", templateId: "..." }
 * for (const user of ["ann", "bob", "cy"]) keys.keyOf(`Invalid user ${user} from 10.0.0.1`);
 * keys.keyOf("Invalid user dan from 10.0.0.2").template; // "Invalid user <*> from <*>"
 */
export class TemplateKeyer {
  readonly #slots = new Map<string, Slot>();
  readonly #clusters = new Map<string, Cluster>();
  readonly #aliases: [LearnedKey, LearnedKey][] = [];
  readonly #distinctWords: number;
  readonly #maxTemplates: number;
  readonly #maxClusters: number;
  #guard: JoinGuard | undefined;
  #tick = 0;
  #evictions = 0;
  #generalisations = 0;
  #undone = 0;

  constructor(options: TemplateKeyerOptions = {}) {
    this.#distinctWords = options.distinctWords ?? DEFAULT_DISTINCT_WORDS;
    this.#maxTemplates = options.maxTemplates ?? 50_000;
    this.#maxClusters = options.maxClusters ?? 100_000;
  }

  /** Sets the guard asked before a generalisation joins existing keys. */
  setJoinGuard(guard: JoinGuard | undefined): void {
    this.#guard = guard;
  }

  /** Templates and clusters forgotten to stay within the caps. */
  get evictions(): number {
    return this.#evictions;
  }

  /** Positions that have become variables. */
  get generalisations(): number {
    return this.#generalisations;
  }

  get size(): { templates: number; clusters: number } {
    return { templates: this.#slots.size, clusters: this.#clusters.size };
  }

  /** The key of a message as of now (aliases resolved), learning from it. */
  keyOf(message: string): TemplateKey {
    const template = templateOf(message);
    const tick = ++this.#tick;
    const slot = this.#slots.get(template);
    if (slot !== undefined) {
      // Re-inserting moves the slot to the young end of the map; only old slots pay for it.
      if (tick - slot.used > this.#maxTemplates >> 1) {
        this.#slots.delete(template);
        this.#slots.set(template, slot);
      }
      slot.used = tick;
      return finalOf(slot.key);
    }
    // The slot keeps the key the template resolved to, not where it went, so that undoing a
    // generalisation gives the template its own key back.
    const key = this.#learn(template);
    this.#remember(template, key);
    return finalOf(key);
  }

  /** Where a key went: the key it is an alias of now, or itself. */
  finalKeyOf(key: TemplateKey): TemplateKey {
    return key instanceof LearnedKey ? finalOf(key) : key;
  }

  /** Ids of the keys that became aliases of this general key (their verdicts carry over). */
  aliasIdsOf(key: TemplateKey): readonly string[] {
    return key instanceof LearnedKey ? key.aliasIds : [];
  }

  #remember(template: string, key: LearnedKey): void {
    this.#slots.set(template, { key, used: this.#tick });
    if (this.#slots.size > this.#maxTemplates) {
      const oldest = this.#slots.keys().next().value as string;
      this.#slots.delete(oldest);
      this.#evictions++;
    }
  }

  #keyFor(template: string): LearnedKey {
    const slot = this.#slots.get(template);
    if (slot !== undefined) return slot.key;
    const key = new LearnedKey(template);
    this.#remember(template, key);
    return key;
  }

  #cluster(rest: string, position: number, create: boolean): Cluster | undefined {
    const id = `${position}\u0000${rest}`;
    let cluster = this.#clusters.get(id);
    if (cluster !== undefined) {
      this.#clusters.delete(id);
      this.#clusters.set(id, cluster);
      return cluster;
    }
    if (!create) return undefined;
    cluster = { rest, position, words: new Map(), general: undefined, blocked: false };
    this.#clusters.set(id, cluster);
    if (this.#clusters.size > this.#maxClusters) {
      this.#clusters.delete(this.#clusters.keys().next().value as string);
      this.#evictions++;
    }
    return cluster;
  }

  /** Resolves a template never seen before through the learned variables, and counts its words. */
  #learn(template: string): LearnedKey {
    const tokens = template.split(" ");
    // Positions already known to be variables for the rest of this template.
    for (let changed = true; changed; ) {
      changed = false;
      for (let position = 1; position < tokens.length; position++) {
        const masked = generalised(tokens[position] as string);
        if (masked === undefined) continue;
        const general = this.#cluster(restOf(tokens, position, masked), position, false)?.general;
        if (general !== undefined) {
          tokens[position] = masked;
          changed = true;
        }
      }
    }
    const resolved = tokens.join(" ");
    const resolvedKey = this.#keyFor(resolved);
    const key = finalOf(resolvedKey);
    // Literal words waiting where this template has a variable: the position is one.
    for (let position = 1; position < tokens.length; position++) {
      if (!(tokens[position] as string).includes(WILDCARD)) continue;
      const waiting = this.#cluster(resolved, position, false);
      if (waiting && !waiting.general && !waiting.blocked && waiting.words.size > 0) {
        this.#generalise(waiting);
      }
    }
    let ready: Cluster | undefined;
    for (let position = 1; position < tokens.length; position++) {
      const token = tokens[position] as string;
      const masked = generalised(token);
      if (masked === undefined) continue;
      const rest = restOf(tokens, position, masked);
      if (!keepsHalfConstant(rest)) continue;
      const cluster = this.#cluster(rest, position, true) as Cluster;
      if (cluster.blocked || cluster.words.size >= this.#distinctWords) continue;
      if (!cluster.words.has(token)) cluster.words.set(token, key);
      // Enough different words, or a key already has a variable here (a value with a digit).
      if (cluster.words.size >= this.#distinctWords || this.#slots.has(rest)) ready ??= cluster;
    }
    if (ready !== undefined) this.#generalise(ready);
    return resolvedKey;
  }

  /** Makes the cluster's position a variable unless the guard refuses; whether it did. */
  #generalise(cluster: Cluster): boolean {
    const literals = [...new Set([...cluster.words.values()].map(finalOf))];
    if (this.#guard && !this.#guard(literals.map((key) => key.templateId))) {
      cluster.blocked = true;
      return false;
    }
    const general = finalOf(this.#keyFor(cluster.rest));
    cluster.general = general;
    general.clusters.push(cluster);
    this.#generalisations++;
    for (const literal of literals) this.#link(literal, general);
    return true;
  }

  #link(literal: LearnedKey, general: LearnedKey): void {
    if (literal === general || literal.next !== undefined) return;
    literal.next = general;
    general.aliasIds.push(literal.templateId, ...literal.aliasIds);
    general.aliases.push(literal);
    this.#aliases.push([literal, general]);
    // The links kept for the snapshot are bounded like the rest; the oldest go first.
    if (this.#aliases.length > this.#maxTemplates) {
      this.#aliases.splice(0, this.#aliases.length - this.#maxTemplates);
      this.#evictions++;
    }
  }

  /**
   * Takes a generalisation back: the key's aliases are keys of their own again and its positions
   * are never generalised again. For when the keys it joined turn out to be labelled differently
   * (classified in the same batch as the generalisation, so the guard could not know).
   */
  undoGeneralisation(key: TemplateKey): void {
    if (!(key instanceof LearnedKey) || key.aliases.length === 0) return;
    for (const alias of key.aliases) alias.next = undefined;
    for (const cluster of key.clusters) {
      cluster.general = undefined;
      cluster.blocked = true;
    }
    const undone = new Set(key.aliases);
    key.aliases.length = 0;
    key.aliasIds.length = 0;
    key.clusters.length = 0;
    const kept = this.#aliases.filter(([literal]) => !undone.has(literal));
    this.#aliases.length = 0;
    this.#aliases.push(...kept);
    this.#undone++;
  }

  /** Generalisations taken back by `undoGeneralisation`. */
  get undone(): number {
    return this.#undone;
  }

  /** The learned state, to save and give back to `restore` after a restart. */
  snapshot(): TemplateKeyerSnapshot {
    const clusters: TemplateKeyerSnapshot["clusters"] = [];
    for (const cluster of this.#clusters.values()) {
      clusters.push([
        cluster.rest,
        cluster.position,
        [...cluster.words.keys()],
        cluster.general !== undefined,
        cluster.blocked,
      ]);
    }
    const aliases: [string, string][] = this.#aliases.map(([literal, general]) => [
      literal.template,
      general.template,
    ]);
    return { version: 1, clusters, aliases };
  }

  /** Takes back a snapshot; state learned since construction is replaced. */
  restore(snapshot: TemplateKeyerSnapshot): void {
    if (snapshot?.version !== 1 || !Array.isArray(snapshot.clusters)) {
      throw new Error("not a template keyer snapshot (version 1)");
    }
    this.#slots.clear();
    this.#clusters.clear();
    this.#aliases.length = 0;
    for (const [literal, general] of snapshot.aliases) {
      this.#link(this.#keyFor(literal), this.#keyFor(general));
    }
    for (const [rest, position, words, general, blocked] of snapshot.clusters) {
      const cluster = this.#cluster(rest, position, true) as Cluster;
      const tokens = rest.split(" ");
      for (const word of words) {
        tokens[position] = word;
        cluster.words.set(word, finalOf(this.#keyFor(tokens.join(" "))));
      }
      if (general) {
        cluster.general = finalOf(this.#keyFor(rest));
        cluster.general.clusters.push(cluster);
      }
      cluster.blocked = blocked;
    }
  }
}
