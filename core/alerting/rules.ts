import type { ClassifiedEvent } from "../events/types.js";
import type { Channel } from "./types.js";

export type { Channel };

export interface AlertRules {
  /** preventive_action goes to Teams always, and to e-mail only when this is set. */
  sendPreventiveEmails: boolean;
  /** Lines classified with less confidence than this never alert. */
  minConfidence: number;
}

/**
 * The product's alerting rules for a classified line:
 * incident → e-mail and Teams; preventive_action → Teams, plus e-mail when enabled; normal → none.
 */
export function channelsFor(event: ClassifiedEvent, rules: AlertRules): Channel[] {
  const { label, confidence } = event.classification;
  if (confidence < rules.minConfidence) return [];
  if (label === "incident") return ["email", "teams"];
  if (label === "preventive_action")
    return rules.sendPreventiveEmails ? ["email", "teams"] : ["teams"];
  return [];
}

/** Alerts with the same key inside the dedup window are one alert. */
export function alertKeyOf(event: ClassifiedEvent): string {
  return `${event.classification.label}:${event.service}:${event.classification.templateId}`;
}
