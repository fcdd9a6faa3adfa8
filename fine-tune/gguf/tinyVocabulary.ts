import { byteLevelAlphabet, learnMerges, toByteLevel } from "./byteLevelBpe.js";

/**
 * The tiny model's vocabulary: Qwen2-style byte-level BPE (the 256 byte symbols in GPT-2 order,
 * merged tokens for a fixed word list, then the ChatML control tokens, as Qwen2 orders them).
 * Fixed words, not derived from the prompt template, so the file stays the same when the prompt is
 * edited; the list covers the template's words and common log words, so prompts tokenize into
 * word-sized pieces rather than bytes.
 */

/** llama.cpp token types (llama_token_type). */
export const TokenType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 };

export const ENDOFTEXT = "<|endoftext|>";
export const IM_START = "<|im_start|>";
export const IM_END = "<|im_end|>";

/** The classifier's labels; each first token is distinct ("preventive_action" is "preventive" + "_action"). */
export const LABELS = ["incident", "preventive_action", "normal"] as const;
/** Keywords the keyword-weighted model reacts to; each is one token, bare and after a space. */
export const KEYWORDS = { incident: "FAILURE", preventive_action: "WARNING" } as const;

// Labels and keywords first: they get the earliest, shortest merge chains.
const LEAD_WORDS = ["incident", "preventive", "_action", "normal", "FAILURE", "WARNING"];

const PROMPT_WORDS = `
system user assistant You are an expert log analysis assistant Your task is to classify messages
into one of the following categories or Indicates a critical error failure significant security
breach that requires immediate attention warning potential issue should be addressed prevent future
problems routine operational message Provide only the classification category as single word
Classify following Log Entry technical for Given suggest concrete steps fix underlying before it
becomes Answer in at most three short sentences suggestions`;

const LOG_WORDS = `
ERROR WARN INFO DEBUG TRACE FATAL CRITICAL NOTICE GET POST PUT DELETE HTTP HTTPS OK
error errors failed failing fail timeout timed out connection connections refused reset closed
open database db disk memory cpu usage high low request requests response service server client
login logout authentication auth token expired invalid denied access permission unauthorized
forbidden not found started stopped starting stopping completed complete successfully success
health check ok healthy unhealthy latency slow retry retrying attempt attempts exceeded limit rate
queue job worker task scheduled process processed received sent kafka consumer producer partition
offset topic cache hit miss pool exhausted thread deadlock heap space full available percent ms
seconds minutes bytes file config loaded deployed version restart restarted shutdown crash panic
exception null pointer stack trace status code payment order api gateway backend upstream node pod
container instance cluster host port network dns ssl certificate expires soon threshold above below
with from on by and the was for no new id key value max min avg total count size time`;

const WORDS: string[] = (() => {
  const words = [...LEAD_WORDS, ...`${PROMPT_WORDS} ${LOG_WORDS}`.split(/\s+/).filter(Boolean)];
  const unique = [...new Set(words)];
  // Bare first (line starts, labels after "assistant\n"), then with the leading space of running text.
  return [...unique, ...unique.map((w) => ` ${w}`)];
})();

export interface TinyVocabulary {
  /** Token texts (byte-level symbols for normal tokens), index = token id. */
  tokens: string[];
  tokenTypes: number[];
  merges: string[];
  /** Token id by token text (byte-level for normal tokens: `"Ġerror"`). */
  ids: ReadonlyMap<string, number>;
  endOfText: number;
  imStart: number;
  imEnd: number;
}

let cached: TinyVocabulary | undefined;

/** Builds (once per process) the vocabulary and merges. */
export function tinyVocabulary(): TinyVocabulary {
  if (cached) return cached;
  const { merges, tokens: merged } = learnMerges(WORDS);
  const tokens = [...byteLevelAlphabet().map((entry) => entry.symbol), ...merged];
  const tokenTypes = tokens.map(() => TokenType.normal);
  for (const special of [ENDOFTEXT, IM_START, IM_END]) {
    tokens.push(special);
    tokenTypes.push(TokenType.control);
  }
  const ids = new Map(tokens.map((token, id) => [token, id]));
  if (ids.size !== tokens.length) throw new Error("tiny vocabulary has duplicate tokens");
  const idOf = (token: string): number => {
    const id = ids.get(token);
    if (id === undefined) throw new Error(`tiny vocabulary lacks ${JSON.stringify(token)}`);
    return id;
  };
  cached = {
    tokens,
    tokenTypes,
    merges,
    ids,
    endOfText: idOf(ENDOFTEXT),
    imStart: idOf(IM_START),
    imEnd: idOf(IM_END),
  };
  return cached;
}

/** The id of a word that is one token (`" FAILURE"`), by its plain text. */
export function tinyTokenId(text: string): number {
  const id = tinyVocabulary().ids.get(toByteLevel(text));
  if (id === undefined) throw new Error(`${JSON.stringify(text)} is not one token`);
  return id;
}
