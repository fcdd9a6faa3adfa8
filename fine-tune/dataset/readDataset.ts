import type { Input } from "../../cli/io.js";
import { readLines } from "../../cli/sources/file/lineReader.js";
import { type DatasetError, type DatasetExample, DatasetReader } from "./datasetLine.js";

export interface Dataset {
  /** The input's path, or "-" for standard input. */
  path: string;
  examples: DatasetExample[];
  errors: DatasetError[];
}

export interface ReadDatasetOptions {
  maxLineBytes: number;
  maxMessageBytes: number;
}

/** Reads a whole dataset file; every invalid line is reported with its number, none is dropped silently. */
export async function readDataset(input: Input, options: ReadDatasetOptions): Promise<Dataset> {
  const reader = new DatasetReader({ maxMessageBytes: options.maxMessageBytes, path: input.path });
  const examples: DatasetExample[] = [];
  const errors: DatasetError[] = [];
  for await (const batch of readLines(input.chunks, { maxLineBytes: options.maxLineBytes })) {
    for (const line of batch) {
      const outcome = reader.read(line);
      if (outcome === undefined) continue;
      if (outcome.ok) examples.push(outcome.example);
      else errors.push({ line: outcome.line, error: outcome.error });
    }
  }
  return { path: input.path, examples, errors };
}

/** `file:3: "label" must be …`, one line per error, as compilers print them. */
export function formatDatasetErrors(dataset: Pick<Dataset, "path" | "errors">, limit = 50): string {
  const shown = dataset.errors.slice(0, limit).map((e) => `${dataset.path}:${e.line}: ${e.error}`);
  const more = dataset.errors.length - shown.length;
  return [...shown, ...(more > 0 ? [`… and ${more} more invalid lines`] : [])].join("\n");
}
