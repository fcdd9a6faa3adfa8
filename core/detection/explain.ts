import type { AnomalyKind } from "./types.js";

export interface ExplanationFacts {
  service: string;
  kind: AnomalyKind;
  windowStart: number;
  windowEnd: number;
  observed: number;
  expected: number;
  /** How long the baseline the expectation came from was, in milliseconds. */
  baselineMs: number;
  /** new-templates: how many distinct never-seen templates the window held. */
  newTemplates?: number;
}

const WHAT: Record<AnomalyKind, string> = {
  "incident-spike": "incident",
  "preventive-spike": "preventive_action (warning)",
  "new-templates": "incident",
};

/**
 * One sentence an operator understands at a glance.
 *
 * @example
 * explainAnomaly({ service: "payment", kind: "incident-spike", observed: 54, expected: 4.5, ... });
 * // "payment logged 54 incident events in 2026-01-01 01:10–01:11 UTC, 12× the 4.5 expected
 * //  from the previous hour."
 */
export function explainAnomaly(facts: ExplanationFacts): string {
  const { service, kind, observed, expected } = facts;
  const events = `${observed} ${WHAT[kind]} event${observed === 1 ? "" : "s"}`;
  const fromNew =
    kind === "new-templates"
      ? facts.newTemplates && facts.newTemplates > 0
        ? ` from ${facts.newTemplates} template${facts.newTemplates === 1 ? "" : "s"} never seen before for this service`
        : " from templates never seen before for this service"
      : "";
  const comparison =
    expected >= 0.5
      ? `${formatNumber(observed / expected)}× the ${formatNumber(expected)} expected`
      : `against ${formatNumber(expected)} expected`;
  return `${service} logged ${events}${fromNew} in ${describeWindow(facts.windowStart, facts.windowEnd)}, ${comparison} from the previous ${describeDuration(facts.baselineMs)}.`;
}

/** "2026-01-01 01:10–01:12 UTC"; seconds only when the window does not fall on whole minutes. */
function describeWindow(startMs: number, endMs: number): string {
  const start = new Date(startMs).toISOString();
  const end = new Date(endMs).toISOString();
  const withSeconds = startMs % 60_000 !== 0 || endMs % 60_000 !== 0;
  const time = (iso: string) => iso.slice(11, withSeconds ? 19 : 16);
  const day = start.slice(0, 10);
  if (end.slice(0, 10) === day) return `${day} ${time(start)}–${time(end)} UTC`;
  if (endMs - startMs <= 86_400_000 && endMs % 86_400_000 === 0) {
    return `${day} ${time(start)}–24:00 UTC`;
  }
  return `${day} ${time(start)} – ${end.slice(0, 10)} ${time(end)} UTC`;
}

/** "hour", "30 minutes", "2 hours", "90 seconds": the largest whole unit. */
function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return n === 1 ? name : `${n} ${name}s`;
    }
  }
  return `${Math.round(ms / 1000)} seconds`;
}

function formatNumber(value: number): string {
  if (value >= 100) return String(Math.round(value));
  if (value >= 10) return String(Math.round(value * 10) / 10);
  if (value >= 0.1) return String(Math.round(value * 100) / 100);
  return String(Number(value.toPrecision(1)));
}
