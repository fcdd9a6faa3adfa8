import { hash } from "node:crypto";

/**
 * A stable id from content: the same parts give the same id on every run and machine.
 * Parts are joined with a separator that cannot appear in decoded text, so ("a","bc") ≠ ("ab","c").
 */
export function contentId(...parts: readonly (string | number)[]): string {
  // The one-shot hash: a Hash object per id costs more than the hashing on short lines.
  return hash("sha256", parts.join("\u0000"), "hex").slice(0, 32);
}
