import type { RawLine } from "../../cli/sources/file/lineReader.js";
import { LineToEvent } from "../../cli/sources/file/lineToEvent.js";
import { classifierInputOf } from "../../core/classifier/cachingClassifier.js";
import type { ClassifierInput } from "../../core/classifier/types.js";
import { LABELS, type Label, type Level } from "../../core/events/types.js";

/**
 * One labelled example of a dataset file (JSON lines): `{"message": ..., "label": ...}`, with an
 * optional `level`. Other keys are allowed and ignored (an import may add `confidence`, say).
 */
export interface DatasetRecord {
  message: string;
  label: Label;
  level?: Level;
}

/** A valid line: the record as the pipeline reads it, and what the model is shown for it. */
export interface DatasetExample {
  /** 1-based line number in its file. */
  line: number;
  record: DatasetRecord;
  input: ClassifierInput;
}

export interface DatasetError {
  line: number;
  error: string;
}

export type DatasetLineOutcome =
  | { ok: true; example: DatasetExample }
  | ({ ok: false } & DatasetError);

function isLabel(value: unknown): value is Label {
  return (LABELS as readonly unknown[]).includes(value);
}

/** `"Incident "` → a hint that the label is nearly right, so the fix is obvious. */
function labelHint(value: unknown): string {
  if (typeof value !== "string") return "";
  const near = value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  return isLabel(near) && near !== value ? ` (did you mean "${near}"?)` : "";
}

/**
 * Reads dataset lines. The message and level are taken through the same line reader `sentinel
 * eval` and `sentinel analyze` use (cli/sources/file/lineToEvent.ts), so the input a record stands
 * for is exactly what the classifier is given for that line: control characters cleaned, the level
 * normalised (`"WARNING"` → `warn`), the message cut to SENTINEL_MAX_MESSAGE_BYTES.
 */
export class DatasetReader {
  readonly #lineToEvent: LineToEvent;

  constructor(options: { maxMessageBytes: number; path: string }) {
    this.#lineToEvent = new LineToEvent({
      format: "json",
      source: { provider: "file", path: options.path },
      defaultService: "dataset",
      maxMessageBytes: options.maxMessageBytes,
    });
  }

  /** A blank line is `undefined`: it holds no example and is not an error. */
  read(line: RawLine): DatasetLineOutcome | undefined {
    if (line.text.trim() === "") return undefined;
    const fail = (error: string): DatasetLineOutcome => ({ ok: false, line: line.number, error });
    if (line.cut) return fail(`longer than the line limit (${line.byteLength} bytes)`);
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      return fail(`not JSON: ${(error as Error).message}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return fail('expected a JSON object {"message": ..., "label": ...}');
    }
    const fields = value as Record<string, unknown>;
    if (!("message" in fields)) return fail('no "message"');
    if (typeof fields.message !== "string") return fail('"message" must be a string');
    if (fields.message.trim() === "") return fail('"message" is empty');
    if (!("label" in fields)) return fail('no "label"');
    if (!isLabel(fields.label)) {
      return fail(
        `"label" must be one of ${LABELS.join(", ")}, got ${JSON.stringify(fields.label)}${labelHint(fields.label)}`,
      );
    }
    const converted = this.#lineToEvent.convert(line, new Date(0).toISOString());
    if (!converted.ok) return fail(converted.reason);
    const { event } = converted;
    if (fields.level !== undefined && event.level === undefined) {
      return fail(`"level" ${JSON.stringify(fields.level)} is not a log level`);
    }
    const record: DatasetRecord = { message: event.message, label: fields.label };
    if (event.level !== undefined) record.level = event.level;
    return { ok: true, example: { line: line.number, record, input: classifierInputOf(event) } };
  }
}
