import { createHash } from "node:crypto";

/**
 * A stable id from content: the same parts give the same id on every run and machine.
 * Parts are joined with a separator that cannot appear in decoded text, so ("a","bc") ≠ ("ab","c").
 */
export function contentId(...parts: readonly (string | number)[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}
