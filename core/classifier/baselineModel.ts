import type { Level } from "../events/types.js";
import type { ClassifierInput, LabelModel, Verdict } from "./types.js";

/**
 * A deterministic rule classifier: the level first, then wording. It stands in where no LLM can be
 * loaded, and names itself "baseline" in every classification so nobody mistakes it for the LLM.
 */

const INCIDENT_WORDS =
  /\b(?:fatal|panic(?:ked)?|crash(?:ed|ing)?|outage|unavailable|unreachable|exception|traceback|segfault|segmentation fault|core dumped|out of memory|oom(?:killed)?|killed|corrupt(?:ed|ion)?|breach|intrusion|unauthori[sz]ed access|data loss|failed|failure|fail(?:s|ing)?|error|refused|denied|timed? ?out|aborted|cannot|can't|could not|unable to|rejected|lost|down\b)/i;

const PREVENTIVE_WORDS =
  /\b(?:warn(?:ing)?|deprecat(?:ed|ion)|slow|latency (?:high|above)|high (?:memory|cpu|load|latency|error rate)|nearly full|almost full|approaching|threshold|exceed(?:ed|s|ing)?|above \d|low (?:disk|memory|space)|running low|degraded|retry(?:ing)?|retries|backoff|throttl(?:ed|ing)|rate limit(?:ed)?|expir(?:es|ing) (?:soon|in)|will expire|certificate expires|queue (?:depth|backlog)|backlog|lag(?:ging)?|pressure|saturat(?:ed|ion)|unhealthy|flapping|stale|fallback|not recommended|insecure)\b/i;

// Words that say an error-looking line is in fact routine.
const ROUTINE_WORDS =
  /\b(?:no errors?|0 errors|errors?=0|without errors?|succe(?:ss|ssful|ssfully|eded)|recovered|resolved|completed|healthy|ok)\b/i;

const SUGGESTIONS: [RegExp, string][] = [
  [
    /\b(?:disk|volume|filesystem|inode|space)\b/i,
    "Free space or grow the volume before it fills; check log rotation and retention.",
  ],
  [
    /\b(?:memory|heap|gc|oom)\b/i,
    "Check for leaks and raise the memory limit or heap size if usage is legitimate.",
  ],
  [
    /\b(?:cpu|load)\b/i,
    "Find the hot process, then scale out or raise CPU limits if the load is expected.",
  ],
  [
    /\b(?:certificate|cert|tls|ssl)\b/i,
    "Renew the certificate and automate renewal before it expires.",
  ],
  [
    /\b(?:deprecat\w*)\b/i,
    "Move to the supported replacement before the deprecated feature is removed.",
  ],
  [
    /\b(?:latency|slow|timeout|timed out)\b/i,
    "Profile the slow dependency; add indexes, caching or capacity, and review timeouts.",
  ],
  [
    /\b(?:retry|retrying|retries|backoff)\b/i,
    "Find why the first attempts fail; fix the dependency rather than relying on retries.",
  ],
  [
    /\b(?:rate limit\w*|throttl\w*|quota)\b/i,
    "Reduce request rate, batch calls, or ask for a higher quota.",
  ],
  [/\b(?:queue|backlog|lag)\b/i, "Add consumers or capacity and check for a stuck consumer."],
  [
    /\b(?:connection|pool)\b/i,
    "Review connection pool size and leaks; make sure connections are released.",
  ],
];
const DEFAULT_SUGGESTION =
  "Investigate the warning before it becomes an incident; check recent changes to this service.";

const LEVEL_LABEL: Partial<Record<Level, Verdict>> = {
  fatal: { label: "incident", confidence: 0.95 },
  error: { label: "incident", confidence: 0.85 },
  warn: { label: "preventive_action", confidence: 0.8 },
};

function suggestionFor(message: string): string {
  for (const [pattern, suggestion] of SUGGESTIONS) if (pattern.test(message)) return suggestion;
  return DEFAULT_SUGGESTION;
}

export function classifyByRules(input: ClassifierInput): Verdict {
  const { message, level } = input;
  const byLevel = level ? LEVEL_LABEL[level] : undefined;
  let verdict: Verdict;
  if (byLevel) {
    verdict = { ...byLevel };
  } else if (level === "debug" || level === "trace") {
    // Debug output is diagnostic by definition; alerting on it would page people for noise.
    verdict = { label: "normal", confidence: 0.8 };
  } else if (INCIDENT_WORDS.test(message) && !ROUTINE_WORDS.test(message)) {
    verdict = { label: "incident", confidence: 0.7 };
  } else if (PREVENTIVE_WORDS.test(message)) {
    verdict = { label: "preventive_action", confidence: 0.65 };
  } else {
    verdict = { label: "normal", confidence: level ? 0.9 : 0.75 };
  }
  if (verdict.label === "preventive_action") verdict.suggestion = suggestionFor(message);
  return verdict;
}

export class BaselineModel implements LabelModel {
  readonly name = "baseline";

  async classify(inputs: readonly ClassifierInput[]): Promise<Verdict[]> {
    return inputs.map(classifyByRules);
  }
}
