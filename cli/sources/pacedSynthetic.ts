import { setTimeout as sleep } from "node:timers/promises";
import { generateSyntheticLogs, type SyntheticOptions } from "../../core/synthetic/index.js";

/**
 * Synthetic logs as JSON lines, released at wall-clock pace: a record goes out once its event
 * time has come. Event time starts now, so a live pipeline sees current timestamps.
 */
export async function* pacedSyntheticLines(
  options: Omit<SyntheticOptions, "start">,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const started = Date.now();
  const records = generateSyntheticLogs({ ...options, start: new Date(started) });
  let lines: string[] = [];
  for (const record of records) {
    if (signal?.aborted) break;
    const due = Date.parse(record.timestamp);
    if (due > Date.now()) {
      if (lines.length > 0) yield `${lines.join("\n")}\n`;
      lines = [];
      await sleep(Math.min(due - Date.now(), 1000), undefined, { signal }).catch(() => undefined);
    }
    lines.push(JSON.stringify(record));
  }
  if (lines.length > 0 && !signal?.aborted) yield `${lines.join("\n")}\n`;
}
