import type { Label } from "../../core/events/types.js";
import { templateIdOf, templateOf } from "../../core/templates/templateKey.js";
import { CsvError, type CsvRow } from "./csv.js";
import type { DatasetError, DatasetRecord } from "./datasetLine.js";
import { DatasetReader } from "./datasetLine.js";

/** What an import produced: dataset records in input order, or why each bad row was refused. */
export interface ImportResult {
  records: (DatasetRecord & {
    corrected?: boolean;
    predicted?: unknown;
    confidence?: unknown;
    model?: unknown;
  })[];
  errors: DatasetError[];
}

/** Validates one candidate record exactly as a dataset line would be. */
function validated(
  reader: DatasetReader,
  line: number,
  candidate: Record<string, unknown>,
): { record: DatasetRecord } | { error: string } {
  const text = JSON.stringify(candidate);
  const outcome = reader.read({
    number: line,
    text,
    byteLength: Buffer.byteLength(text),
    cut: false,
    repairedUtf8: false,
  });
  if (outcome === undefined) return { error: "empty row" };
  return outcome.ok ? { record: outcome.example.record } : { error: outcome.error };
}

/** Labels as people write them in spreadsheets: `Incident`, `preventive action`. */
function spreadsheetLabel(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

export interface CsvColumns {
  message: string;
  label: string;
  level?: string;
}

/** Labelled CSV (a header row naming the columns) to dataset records. */
export function importCsv(
  rows: readonly CsvRow[],
  columns: CsvColumns,
  options: { maxMessageBytes: number },
): ImportResult {
  const [header, ...body] = rows;
  if (!header) throw new CsvError("the CSV file is empty; expected a header row");
  const index = (name: string): number => {
    const at = header.fields.findIndex((f) => f.trim() === name);
    if (at < 0) {
      throw new CsvError(
        `the CSV header has no column "${name}" (columns: ${header.fields.join(", ")})`,
      );
    }
    return at;
  };
  const messageAt = index(columns.message);
  const labelAt = index(columns.label);
  const levelAt = columns.level === undefined ? undefined : index(columns.level);
  const reader = new DatasetReader({ maxMessageBytes: options.maxMessageBytes, path: "csv" });
  const result: ImportResult = { records: [], errors: [] };
  for (const row of body) {
    const candidate: Record<string, unknown> = {
      message: row.fields[messageAt] ?? "",
      label: spreadsheetLabel(row.fields[labelAt] ?? ""),
    };
    const level = levelAt === undefined ? undefined : row.fields[levelAt]?.trim();
    if (level) candidate.level = level;
    const outcome = validated(reader, row.line, candidate);
    if ("error" in outcome) result.errors.push({ line: row.line, error: outcome.error });
    else result.records.push(outcome.record);
  }
  return result;
}

/** A `sentinel analyze --output jsonl` event, as far as an import reads it. */
interface AnalyzedEvent {
  message?: unknown;
  level?: unknown;
  classification?: { label?: unknown; confidence?: unknown; model?: unknown };
}

/**
 * Classified events (`sentinel analyze --output jsonl`) to dataset records for review: each line
 * is labelled as the model labelled it, unless `corrections` (dataset records a person relabelled)
 * has a record for the same template key and level, whose label then wins. Each record says
 * whether it was `corrected`, and the model's label and confidence, so a reviewer can sort by
 * doubt.
 */
export function importAnalysis(
  lines: readonly { line: number; text: string }[],
  corrections: readonly DatasetRecord[],
  options: { maxMessageBytes: number },
): ImportResult {
  // A correction applies to lines of the same masked template and level; the pure masking, not a
  // learning keyer, so whether a correction matches does not depend on the order of the lines.
  const keyOf = (message: string, level: unknown) =>
    `${templateIdOf(templateOf(message))}:${typeof level === "string" ? level : ""}`;
  const corrected = new Map<string, Label>();
  for (const record of corrections)
    corrected.set(keyOf(record.message, record.level), record.label);
  const reader = new DatasetReader({ maxMessageBytes: options.maxMessageBytes, path: "analysis" });
  const result: ImportResult = { records: [], errors: [] };
  for (const { line, text } of lines) {
    if (text.trim() === "") continue;
    let event: AnalyzedEvent;
    try {
      event = JSON.parse(text) as AnalyzedEvent;
    } catch (error) {
      result.errors.push({ line, error: `not JSON: ${(error as Error).message}` });
      continue;
    }
    const predicted = event.classification?.label;
    if (typeof event.message !== "string" || predicted === undefined) {
      result.errors.push({
        line,
        error:
          "not a classified event (sentinel analyze --output jsonl): no message or classification.label",
      });
      continue;
    }
    const correction = corrected.get(keyOf(event.message, event.level));
    const candidate: Record<string, unknown> = {
      message: event.message,
      label: correction ?? predicted,
    };
    if (event.level !== undefined) candidate.level = event.level;
    const outcome = validated(reader, line, candidate);
    if ("error" in outcome) {
      result.errors.push({ line, error: outcome.error });
      continue;
    }
    result.records.push({
      ...outcome.record,
      corrected: correction !== undefined && correction !== predicted,
      predicted,
      confidence: event.classification?.confidence,
      model: event.classification?.model,
    });
  }
  return result;
}
