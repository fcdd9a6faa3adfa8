import type { Command } from "commander";
import { registerIngestAws } from "./ingestAws.js";
import { registerIngestAzure } from "./ingestAzure.js";
import { registerIngestLoki } from "./ingestLoki.js";

/**
 * `sentinel ingest <source>`: read logs where they live (AWS CloudWatch, Azure Log Analytics,
 * Loki) from a checkpoint, and hand them to Kafka `raw-logs` or the embedded pipeline.
 */
export function registerIngest(program: Command): Command {
  const ingest = program
    .command("ingest")
    .description(
      "read logs from AWS CloudWatch, Azure Monitor or Loki, resuming from a checkpoint",
    );
  registerIngestAws(ingest);
  registerIngestAzure(ingest);
  registerIngestLoki(ingest);
  return ingest;
}
