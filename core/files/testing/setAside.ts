import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Registry } from "prom-client";
import { createLogger, type Logger } from "../../logging/logger.js";
import { PipelineMetrics } from "../../metrics/catalog.js";

/** A project logger whose records are kept, and metrics of their own, for a store under test. */
export function recordingObservers(): {
  logger: Logger;
  records: Record<string, unknown>[];
  metrics: PipelineMetrics;
} {
  const records: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    format: "json",
    destination: { write: (line: string) => records.push(JSON.parse(line)) },
  });
  return { logger, records, metrics: new PipelineMetrics(new Registry()) };
}

/**
 * Asserts that the corrupt `path` was set aside once: renamed to `<file>.corrupt-<epoch ms>` with
 * its contents kept, one warning naming both paths, one count for `store`. Returns the new path.
 */
export async function assertSetAside(
  path: string,
  corrupt: string,
  observers: { records: Record<string, unknown>[]; metrics: PipelineMetrics },
  store: string,
): Promise<string> {
  const name = basename(path);
  const aside = (await readdir(dirname(path))).filter((f) => f.startsWith(`${name}.corrupt-`));
  assert.equal(aside.length, 1, `one set-aside copy of ${name}, found ${aside.join(", ")}`);
  assert.match(aside[0] ?? "", /\.corrupt-\d{13}$/);
  const asidePath = join(dirname(path), aside[0] ?? "");
  assert.equal(await readFile(asidePath, "utf8"), corrupt);

  const warnings = observers.records.filter((r) => r.level === 40);
  assert.equal(warnings.length, 1, "one warning");
  const [warning] = warnings;
  assert.equal(warning?.file, path);
  assert.equal(warning?.setAsideAs, asidePath);
  assert.equal(warning?.store, store);
  assert.ok(String(warning?.msg).includes(path) && String(warning?.msg).includes(asidePath));

  const counted = (await observers.metrics.stateFilesSetAside.get()).values;
  assert.deepEqual(
    counted.map((v) => [v.labels.store, v.value]),
    [[store, 1]],
  );
  return asidePath;
}
