// Writes the tiny Qwen2 test model (see tinyModel.ts) to a file:
//   npm run model:tiny -- OUT.gguf [--keyword] [--seed N] [--context-length N]
import { stat } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type TinyModelOptions, writeTinyModel } from "./tinyModel.js";

export const USAGE =
  "usage: npm run model:tiny -- OUT.gguf [--keyword] [--seed N] [--context-length N]";

export interface MakeTinyModelArgs {
  out: string;
  options: TinyModelOptions;
}

function integerOption(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > 0xffffffff) {
    throw new Error(`--${name} must be an integer from ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Parses the command line (without node and the script). Throws with a message on bad input. */
export function parseMakeTinyModelArgs(argv: readonly string[]): MakeTinyModelArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      keyword: { type: "boolean", default: false },
      seed: { type: "string" },
      "context-length": { type: "string" },
    },
  });
  const [out, ...extra] = positionals;
  if (out === undefined || extra.length > 0) throw new Error("exactly one output path expected");
  const options: TinyModelOptions = { weights: values.keyword ? "keyword" : "random" };
  const seed = integerOption("seed", values.seed, 0);
  if (seed !== undefined) options.seed = seed;
  const contextLength = integerOption("context-length", values["context-length"], 1);
  if (contextLength !== undefined) options.contextLength = contextLength;
  return { out, options };
}

async function main(argv: readonly string[]): Promise<number> {
  let args: MakeTinyModelArgs;
  try {
    args = parseMakeTinyModelArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  await writeTinyModel(args.out, args.options);
  const { size } = await stat(args.out);
  process.stdout.write(`${args.out}: tiny qwen2, ${args.options.weights} weights, ${size} bytes\n`);
  return 0;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  process.exitCode = await main(process.argv.slice(2));
}
