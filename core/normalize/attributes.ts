/**
 * Keeping attributes bounded and safe to build from untrusted keys.
 */

import { MAX_ATTRIBUTE_DEPTH } from "../events/attributeBounds.js";

/** Containers nested deeper than MAX_ATTRIBUTE_DEPTH inside `attributes` are replaced by this. */
export { MAX_ATTRIBUTE_DEPTH };
export const DEPTH_LIMIT_MARKER = "[depth limit]";

/**
 * Sets `record[key]` as an own, enumerable property. A plain assignment to `"__proto__"` would
 * change the record's prototype instead; JSON and logfmt input may carry that key.
 */
export function setAttribute(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(record, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    record[key] = value;
  }
}

/**
 * Replaces, in place, every object or array that sits deeper than `MAX_ATTRIBUTE_DEPTH` levels in
 * `attributes` (a top-level value is level 1) with `DEPTH_LIMIT_MARKER`. The walk stops at the
 * limit, so its recursion is bounded however deep the input is. Only for values this module owns
 * (freshly parsed), since it mutates them.
 */
export function limitDepth(attributes: Record<string, unknown>): void {
  limitChildren(attributes, 1);
}

function limitChildren(container: Record<string, unknown> | unknown[], depth: number): void {
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) {
      const child = container[i];
      if (typeof child === "object" && child !== null) {
        if (depth > MAX_ATTRIBUTE_DEPTH) container[i] = DEPTH_LIMIT_MARKER;
        else limitChildren(child as Record<string, unknown>, depth + 1);
      }
    }
    return;
  }
  for (const key in container) {
    const child = container[key];
    if (typeof child === "object" && child !== null) {
      if (depth > MAX_ATTRIBUTE_DEPTH) setAttribute(container, key, DEPTH_LIMIT_MARKER);
      else limitChildren(child as Record<string, unknown>, depth + 1);
    }
  }
}
