import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  bpe,
  bpeTokenize,
  byteLevelAlphabet,
  fromByteLevel,
  learnMerges,
  preTokenize,
  toByteLevel,
} from "./byteLevelBpe.js";

const ranksOf = (merges: string[]) => new Map(merges.map((merge, rank) => [merge, rank]));

describe("byteLevelBpe", () => {
  test("the alphabet covers all 256 bytes in GPT-2 vocabulary order", () => {
    const alphabet = byteLevelAlphabet();
    assert.equal(alphabet.length, 256);
    assert.equal(new Set(alphabet.map((a) => a.symbol)).size, 256);
    assert.equal(new Set(alphabet.map((a) => a.byte)).size, 256);
    assert.equal(alphabet[0]?.symbol, "!");
    assert.equal(alphabet[198]?.symbol, "Ċ"); // "\n", as in Qwen2's vocabulary
    assert.equal(alphabet[220]?.symbol, "Ġ"); // " "
  });

  test("maps text to byte-level symbols and back, multi-byte UTF-8 included", () => {
    assert.equal(toByteLevel(" error\n"), "ĠerrorĊ");
    for (const text of ["plain", "naïve café ✓ 日本 🚀", "\t\r\n\u0000"]) {
      assert.equal(fromByteLevel(toByteLevel(text)), text);
    }
  });

  test("pre-tokenizes like Qwen2: leading space kept with the word, digits one by one", () => {
    assert.deepEqual(preTokenize("Log Entry: disk 91% used\n"), [
      "Log",
      " Entry",
      ":",
      " disk",
      " ",
      "9",
      "1",
      "%",
      " used",
      "\n",
    ]);
    assert.deepEqual(preTokenize("status=FAILURE it's"), ["status", "=FAILURE", " it", "'s"]);
  });

  test("applies the lowest-ranked merge first, leftmost on ties", () => {
    const ranks = ranksOf(["a b", "b c", "ab c"]);
    assert.deepEqual(bpe("abc", ranks), ["abc"]);
    assert.deepEqual(bpe("bcab", ranks), ["bc", "ab"]);
    assert.deepEqual(bpe("aaa", ranksOf(["a a"])), ["aa", "a"]);
  });

  test("learned merges make every listed word one token", () => {
    const words = ["incident", "info", "in", "abab", "normal", " normal", "WARN", "WARNING"];
    const { merges, tokens } = learnMerges(words);
    const ranks = ranksOf(merges);
    for (const word of words) assert.deepEqual(bpe(toByteLevel(word), ranks), [toByteLevel(word)]);
    assert.equal(new Set(tokens).size, tokens.length);
    for (const merge of merges) {
      const [left, right] = merge.split(" ");
      assert.ok(tokens.includes(`${left}${right}`), `${merge} produces a known token`);
    }
    // Words outside the list still tokenize, into known pieces or bytes.
    assert.deepEqual(bpeTokenize("normal information", ranks), [
      "normal",
      "Ġ",
      "info",
      "r",
      "m",
      "a",
      "t",
      "i",
      "o",
      "n",
    ]);
  });
});
