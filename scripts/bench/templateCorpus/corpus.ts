import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

/** One line of a public benchmark log with its human template. */
export interface CorpusLine {
  system: string;
  /** The whole line as the system wrote it, header included. */
  raw: string;
  /** The message part, as the benchmark's annotators split it off. */
  message: string;
  /** The human template (variables as `<*>`), as LogHub publishes it. */
  template: string;
  /** The same after Khan et al.'s corrections (ICSE 2022), which fix inconsistent labels. */
  corrected: string;
}

export const CORPUS_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * The systems of the corpus. The last four were held out while the rules were designed: their
 * figures are reported separately, as an estimate of accuracy on logs the rules never saw.
 */
export const CORPUS_SYSTEMS = [
  "Android",
  "Apache",
  "BGL",
  "Hadoop",
  "HDFS",
  "Linux",
  "Mac",
  "OpenSSH",
  "OpenStack",
  "Spark",
  "Proxifier",
  "Thunderbird",
  "HealthApp",
  "HPC",
  "Windows",
  "Zookeeper",
] as const;
export const HELD_OUT_SYSTEMS: readonly string[] = ["HealthApp", "HPC", "Windows", "Zookeeper"];

export function readCorpus(system: string): CorpusLine[] {
  const text = gunzipSync(readFileSync(join(CORPUS_DIR, `${system}.jsonl.gz`))).toString("utf8");
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => ({ system, ...(JSON.parse(line) as Omit<CorpusLine, "system">) }));
}
