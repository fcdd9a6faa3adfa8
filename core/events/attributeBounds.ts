/**
 * How deep and wide `attributes` (and `source`) may be: one definition for the normalizer, which
 * cuts deeper nesting (core/normalize/attributes.ts), the shared event schema, which refuses it,
 * and the classifier service, which refuses wider values too.
 */

/** Containers nested deeper than this inside `attributes` (a top-level value is level 1). */
export const MAX_ATTRIBUTE_DEPTH = 8;

/**
 * How big `attributes` may be where events enter from outside unchecked (the classifier
 * service's requests): nesting as deep as the normalizer keeps it, and bounded width.
 */
export interface AttributeBounds {
  /** Containers nested deeper than this (a top-level value is level 1) are refused. */
  maxDepth: number;
  /** Keys in one object. */
  maxKeys: number;
  /** Items in one array. */
  maxItems: number;
  /** Values in the whole tree, containers included. */
  maxNodes: number;
}

export const ATTRIBUTE_BOUNDS: Readonly<AttributeBounds> = {
  maxDepth: MAX_ATTRIBUTE_DEPTH,
  maxKeys: 1000,
  maxItems: 1000,
  maxNodes: 10_000,
};

/**
 * What makes `value` (an `attributes` record, or any JSON object) exceed `bounds`, with the path
 * of the first offending container, or undefined when it fits. The walk is iterative and stops at
 * the first problem, so neither depth nor width can make it blow the stack or run long.
 *
 * @example
 * attributeBoundsProblem({ a: { b: {} } }, { ...ATTRIBUTE_BOUNDS, maxDepth: 1 });
 * // "a.b: nested deeper than 1 levels"
 */
export function attributeBoundsProblem(
  value: Record<string, unknown>,
  bounds: Readonly<AttributeBounds> = ATTRIBUTE_BOUNDS,
): string | undefined {
  const stack: { container: object; depth: number; path: string }[] = [
    { container: value, depth: 0, path: "" },
  ];
  let nodes = 0;
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { container, depth, path } = entry;
    const isArray = Array.isArray(container);
    const children = isArray ? container : Object.keys(container);
    if (isArray && children.length > bounds.maxItems)
      return `${path || "attributes"}: an array of ${children.length} items (at most ${bounds.maxItems})`;
    if (!isArray && children.length > bounds.maxKeys)
      return `${path || "attributes"}: an object of ${children.length} keys (at most ${bounds.maxKeys})`;
    nodes += children.length;
    if (nodes > bounds.maxNodes) return `more than ${bounds.maxNodes} values in all`;
    for (let i = 0; i < children.length; i++) {
      const key = isArray ? i : (children[i] as string);
      const child = (container as Record<string | number, unknown>)[key];
      if (typeof child !== "object" || child === null) continue;
      const name = isArray ? `[${i}]` : shortKey(key as string);
      const childPath = isArray || path === "" ? `${path}${name}` : `${path}.${name}`;
      if (depth + 1 > bounds.maxDepth)
        return `${childPath}: nested deeper than ${bounds.maxDepth} levels`;
      stack.push({ container: child, depth: depth + 1, path: childPath });
    }
  }
  return undefined;
}

function shortKey(key: string): string {
  return key.length > 40 ? `${key.slice(0, 40)}…` : key;
}
