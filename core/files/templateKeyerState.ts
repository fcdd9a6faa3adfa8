import * as z from "zod";
import type { Logger } from "../logging/logger.js";
import type { PipelineMetrics } from "../metrics/catalog.js";
import type { TemplateKeyer, TemplateKeyerSnapshot } from "../templates/templateKeyer.js";
import { readJsonFile, writeJsonFile } from "./atomicJsonFile.js";

/**
 * The template keyer's learned state on disk (which word positions are variables, and the aliases
 * they made), written atomically (core/files/atomicJsonFile.ts), so a restart keeps the keys it
 * had instead of relearning them. A corrupt file is set aside with a warning and the keyer learns
 * again.
 */

const snapshotSchema = z.object({
  version: z.literal(1),
  clusters: z.array(
    z.tuple([
      z.string(),
      z.number().int().nonnegative(),
      z.array(z.string()),
      z.boolean(),
      z.boolean(),
    ]),
  ),
  aliases: z.array(z.tuple([z.string(), z.string()])),
}) satisfies z.ZodType<TemplateKeyerSnapshot>;

/** The file name under the state directory. */
export const TEMPLATE_KEYS_FILE = "template-keys.json";

/** Loads saved state into `keyer`; false when there is none (no file, or a corrupt one set aside). */
export async function loadTemplateKeyerState(
  path: string,
  keyer: TemplateKeyer,
  options: { logger?: Logger | undefined; metrics?: PipelineMetrics | undefined } = {},
): Promise<boolean> {
  const snapshot = await readJsonFile(path, {
    store: "template_keys",
    schema: snapshotSchema,
    logger: options.logger,
    metrics: options.metrics,
  });
  if (!snapshot) return false;
  keyer.restore(snapshot);
  return true;
}

export function saveTemplateKeyerState(path: string, keyer: TemplateKeyer): Promise<void> {
  return writeJsonFile(path, keyer.snapshot());
}
