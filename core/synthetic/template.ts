/**
 * Message templates: how a service's catalogue declares them, and how they are compiled into a
 * list of literal strings and value generators that render with no parsing per record.
 *
 * Pattern syntax: literal text with placeholders `{kind}`, `{kind:arg:arg}` (see values.ts), and
 * `{field=kind:args}` to also copy the value into the record as an extra field named `field`.
 */

import type { Label, Level } from "../events/types.js";
import { fnv1a, type Rng } from "./prng.js";
import { VALUE_KINDS, type ValueGenerator } from "./values.js";

export interface TemplateSpec {
  label: Label;
  level: Level;
  pattern: string;
  /** Multiplies the template's rank-based weight inside its bucket (default 1). */
  weight: number;
}

function spec(label: Label, level: Level, pattern: string, weight = 1): TemplateSpec {
  return { label, level, pattern, weight };
}

/** Routine operation. */
export const normal = (level: Level, pattern: string, weight?: number): TemplateSpec =>
  spec("normal", level, pattern, weight);
/** Warnings, degradation, approaching limits, deprecations, retries. */
export const preventive = (level: Level, pattern: string, weight?: number): TemplateSpec =>
  spec("preventive_action", level, pattern, weight);
/** Errors, failures, outages, security breaches. */
export const incident = (level: Level, pattern: string, weight?: number): TemplateSpec =>
  spec("incident", level, pattern, weight);

interface ValuePart {
  generate: ValueGenerator;
  /** The extra record field this value is copied into, or null. */
  field: string | null;
}

export type TemplatePart = string | ValuePart;

export interface CompiledTemplate {
  /** Stable: the service name plus a hash of the pattern. */
  id: string;
  service: string;
  label: Label;
  level: Level;
  pattern: string;
  weight: number;
  /** Only emitted by the new-error-burst scenario. */
  reserved: boolean;
  parts: readonly TemplatePart[];
}

/** Record keys a captured field may not take. */
const RESERVED_FIELDS = new Set([
  "timestamp",
  "level",
  "service",
  "host",
  "message",
  "label",
  "traceId",
  "templateId",
]);

function compilePlaceholder(body: string, pattern: string): ValuePart {
  let field: string | null = null;
  let rest = body;
  const eq = rest.indexOf("=");
  if (eq > 0 && /^[a-z][A-Za-z0-9]*$/.test(rest.slice(0, eq))) {
    field = rest.slice(0, eq);
    rest = rest.slice(eq + 1);
    if (RESERVED_FIELDS.has(field)) throw new Error(`field "${field}" is reserved in: ${pattern}`);
  }
  const colon = rest.indexOf(":");
  const kind = colon < 0 ? rest : rest.slice(0, colon);
  const argText = colon < 0 ? "" : rest.slice(colon + 1);
  const factory = VALUE_KINDS[kind];
  if (factory === undefined) throw new Error(`unknown placeholder kind "${kind}" in: ${pattern}`);
  const args = colon < 0 ? [] : kind === "pick" ? [argText] : argText.split(":");
  return { generate: factory(args), field };
}

/** Splits a pattern into literals and value generators; throws on a malformed pattern. */
export function compilePattern(pattern: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === "}") throw new Error(`unbalanced "}" in: ${pattern}`);
    if (ch !== "{") {
      literal += ch;
      i++;
      continue;
    }
    const close = pattern.indexOf("}", i);
    if (close < 0 || pattern.lastIndexOf("{", close) !== i)
      throw new Error(`unbalanced "{" in: ${pattern}`);
    if (literal !== "") parts.push(literal);
    literal = "";
    parts.push(compilePlaceholder(pattern.slice(i + 1, close), pattern));
    i = close + 1;
  }
  if (literal !== "") parts.push(literal);
  return parts;
}

export function compileTemplate(
  service: string,
  template: TemplateSpec,
  reserved: boolean,
): CompiledTemplate {
  return {
    id: `${service}-${fnv1a(`${service}\u0000${template.pattern}`).toString(16).padStart(8, "0")}`,
    service,
    label: template.label,
    level: template.level,
    pattern: template.pattern,
    weight: template.weight,
    reserved,
    parts: compilePattern(template.pattern),
  };
}

/**
 * Renders a template's message, and writes its captured fields into `record` in pattern order.
 * Consumes the PRNG in a fixed order, so the output depends only on the PRNG state.
 */
export function renderTemplate(
  template: CompiledTemplate,
  rng: Rng,
  record: Record<string, unknown>,
): string {
  let message = "";
  const parts = template.parts;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as TemplatePart;
    if (typeof part === "string") {
      message += part;
    } else {
      const value = part.generate(rng);
      message += value;
      if (part.field !== null) record[part.field] = value;
    }
  }
  return message;
}
