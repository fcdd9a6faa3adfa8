import type { Command } from "commander";
import { type MaskOptions, maskSensitive, maskValue } from "../core/alerting/mask.js";
import type { ClassifiedEvent } from "../core/events/types.js";
import { forTerminal, jsonForTerminal } from "../core/logging/terminalText.js";
import type { SummaryReport } from "./pipeline/summary.js";
import { renderSummary } from "./renderSummary.js";

/**
 * How `analyze`, `ingest --to embedded` and `run` print what they found. The summary (human or
 * JSON) is for people: its templates and examples are masked as alerts are (in AnalysisSummary).
 * `jsonl` events are data: their message is kept as read unless `--mask` is given. Whatever the
 * input held, the output carries no raw control or bidi characters (see terminalText).
 */

/** `--mask`: mask secrets in the events that `--output jsonl` prints. */
export function addMaskOption(command: Command): Command {
  return command.option(
    "--mask",
    "with --output jsonl, mask secrets in each event's message, template and attributes as alerts do (default: printed as read)",
    false,
  );
}

/** One `--output jsonl` line: the event as read, or with its secrets masked. */
export function eventLine(event: ClassifiedEvent, mask: MaskOptions | undefined): string {
  return jsonForTerminal(JSON.stringify(mask ? maskedEvent(event, mask) : event));
}

/** A batch's `--output jsonl` lines, joined by newlines: one terminal-safety pass for the lot. */
export function eventLines(
  events: readonly ClassifiedEvent[],
  mask: MaskOptions | undefined,
): string {
  const lines = events.map((event) => JSON.stringify(mask ? maskedEvent(event, mask) : event));
  return jsonForTerminal(lines.join("\n"));
}

/** The summary as printed for `--output summary` or `--output json`. */
export function summaryText(summary: SummaryReport, output: "summary" | "json"): string {
  return output === "json"
    ? jsonForTerminal(JSON.stringify(summary, null, 2))
    : forTerminal(renderSummary(summary));
}

function maskedEvent(event: ClassifiedEvent, mask: MaskOptions): ClassifiedEvent {
  const { classification } = event;
  const masked: ClassifiedEvent = {
    ...event,
    message: maskSensitive(event.message, mask),
    attributes: maskValue(event.attributes, mask) as ClassifiedEvent["attributes"],
    classification: { ...classification, template: maskSensitive(classification.template, mask) },
  };
  if (classification.suggestion !== undefined)
    masked.classification.suggestion = maskSensitive(classification.suggestion, mask);
  return masked;
}
