/**
 * GPT-2 byte-level BPE, the tokenizer family Qwen2 uses (`tokenizer.ggml.model = "gpt2"`,
 * `tokenizer.ggml.pre = "qwen2"`), reduced to what a tiny test vocabulary needs: the byte-to-symbol
 * alphabet, Qwen2's pre-tokenizer split, BPE with ranked merges as llama.cpp applies them, and a
 * merge builder that turns a word list into merges making each word one token.
 */

/**
 * GPT-2's `bytes_to_unicode`: every byte gets a printable symbol; printable Latin-1 bytes map to
 * themselves, the rest (controls, space, ...) to U+0100 onwards, in byte order. Returned in GPT-2's
 * vocabulary order ("!".."~", "¡".."¬", "®".."ÿ", then the remapped bytes), so index 198 is "Ċ" (the
 * newline) and 220 is "Ġ" (the space), as in Qwen2's vocabulary.
 */
export function byteLevelAlphabet(): { byte: number; symbol: string }[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const isPrintable = new Set(printable);
  const alphabet = printable.map((byte) => ({ byte, symbol: String.fromCodePoint(byte) }));
  let next = 0;
  for (let byte = 0; byte < 256; byte++) {
    if (isPrintable.has(byte)) continue;
    alphabet.push({ byte, symbol: String.fromCodePoint(256 + next) });
    next++;
  }
  return alphabet;
}

const BYTE_TO_SYMBOL: string[] = (() => {
  const table = new Array<string>(256);
  for (const { byte, symbol } of byteLevelAlphabet()) table[byte] = symbol;
  return table;
})();

const SYMBOL_TO_BYTE = new Map(byteLevelAlphabet().map(({ byte, symbol }) => [symbol, byte]));

/** UTF-8 bytes of `text` as byte-level symbols: `" error"` → `"Ġerror"`. */
export function toByteLevel(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) out += BYTE_TO_SYMBOL[byte];
  return out;
}

/** The inverse of `toByteLevel`. */
export function fromByteLevel(symbols: string): string {
  const bytes: number[] = [];
  for (const symbol of symbols) {
    const byte = SYMBOL_TO_BYTE.get(symbol);
    if (byte === undefined) throw new Error(`not a byte-level symbol: ${symbol}`);
    bytes.push(byte);
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Qwen2's pre-tokenizer regex, as llama.cpp runs it for `tokenizer.ggml.pre = "qwen2"`. */
const QWEN2_PRE_TOKENIZER =
  /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

/** Splits text into the pieces BPE runs on separately: `"Log Entry:"` → `["Log", " Entry", ":"]`. */
export function preTokenize(text: string): string[] {
  return text.match(QWEN2_PRE_TOKENIZER) ?? [];
}

/** A merge is two byte-level tokens joined by one space, as `tokenizer.ggml.merges` stores them. */
export const mergeKey = (left: string, right: string): string => `${left} ${right}`;

/**
 * BPE on one pre-token (byte-level symbols): repeatedly merges the adjacent pair with the lowest
 * rank, leftmost first, as llama.cpp's `llm_tokenizer_bpe_session` does.
 */
export function bpe(word: string, ranks: ReadonlyMap<string, number>): string[] {
  const parts = Array.from(word);
  for (;;) {
    let best = -1;
    let bestRank = Number.POSITIVE_INFINITY;
    for (let i = 0; i + 1 < parts.length; i++) {
      const rank = ranks.get(mergeKey(parts[i] as string, parts[i + 1] as string));
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        best = i;
      }
    }
    if (best < 0) return parts;
    parts.splice(best, 2, `${parts[best]}${parts[best + 1]}`);
  }
}

/** Tokenizes plain text (no special tokens) into byte-level token strings. */
export function bpeTokenize(text: string, ranks: ReadonlyMap<string, number>): string[] {
  return preTokenize(text).flatMap((piece) => bpe(toByteLevel(piece), ranks));
}

export interface LearnedMerges {
  /** In rank order, `"left right"`. */
  merges: string[];
  /** Tokens the merges create, in creation order (byte-level strings, none a single byte). */
  tokens: string[];
}

/**
 * Builds merges so that every word (one pre-token each, e.g. `"incident"` or `" incident"`)
 * becomes a single token. Words are handled in order: each is tokenized with the merges so far,
 * and if it is still several tokens, merges joining them left to right are appended. Appended
 * merges rank after all earlier ones, so they never change how an earlier word tokenizes (its
 * merge path always had a lower-ranked merge available at every step).
 */
export function learnMerges(words: readonly string[]): LearnedMerges {
  const merges: string[] = [];
  const tokens: string[] = [];
  const known = new Set<string>();
  const ranks = new Map<string, number>();
  for (const word of words) {
    const symbols = toByteLevel(word);
    for (let round = 0; ; round++) {
      const parts = bpe(symbols, ranks);
      if (parts.length === 1) break;
      if (round > symbols.length) throw new Error(`cannot make ${JSON.stringify(word)} one token`);
      let left = parts[0] as string;
      for (const right of parts.slice(1)) {
        const key = mergeKey(left, right);
        if (!ranks.has(key)) {
          ranks.set(key, merges.length);
          merges.push(key);
        }
        left += right;
        if (!known.has(left)) {
          known.add(left);
          tokens.push(left);
        }
      }
    }
  }
  return { merges, tokens };
}
