import { type MaskOptions, maskSensitive } from "../../core/alerting/mask.js";
import type { AlertRules, Channel } from "../../core/alerting/rules.js";
import type { AlertKind } from "../../core/alerting/types.js";
import type { CacheStats } from "../../core/classifier/classificationCache.js";
import type { DetectorStatus } from "../../core/detection/types.js";
import { type Anomaly, type ClassifiedEvent, LABELS, type Label } from "../../core/events/types.js";
import { WouldAlert, type WouldAlertDecision } from "./wouldAlert.js";

type LabelCounts = Record<Label, number>;
type TrackedTemplate = TemplateStat & { serviceSet: Set<string> };

export interface TemplateStat {
  templateId: string;
  template: string;
  count: number;
  example: string;
  services: string[];
}

export interface ServiceStat extends LabelCounts {
  service: string;
  total: number;
}

export interface AlertStat {
  key: string;
  /** incident, preventive_action, or anomaly (whose template is the anomaly kind). */
  label: AlertKind;
  service: string;
  template: string;
  example: string;
  channels: Channel[];
  /** Alerts that would go out for this key (one per dedup window). */
  sent: number;
  /** Lines (or anomalies) inside a window that dedup would have folded into the alert before them. */
  suppressed: number;
}

export interface SummaryReport {
  input: {
    lines: number;
    accepted: number;
    rejected: number;
    rejectReasons: Record<string, number>;
    truncated: number;
    repaired: number;
  };
  classifier: {
    model: string;
    modelCalls: number;
    cache: CacheStats & { hitRatio: number };
  };
  timeRange: { first: string; last: string } | null;
  labels: LabelCounts;
  services: ServiceStat[];
  templates: Record<Label, TemplateStat[]>;
  alerts: {
    sent: Record<Channel, number>;
    suppressed: number;
    items: AlertStat[];
  };
  /** Anomalies the detector raised, in window order. */
  anomalies: Anomaly[];
  detector: DetectorStatus;
}

export interface SummaryOptions {
  alertRules: AlertRules;
  dedupWindowMs: number;
  /** Templates listed per label, and alert keys listed. */
  top?: number;
  /** Bounds memory on inputs with huge numbers of distinct templates or services. */
  maxTracked?: number;
  /**
   * What the alerts mask beyond secrets (e-mail, IP addresses). Secrets are always masked in the
   * report: its templates, examples and explanations are for people, as alerts are.
   */
  mask?: MaskOptions;
}

const OTHER = "(other)";

const DETECTOR_OFF: DetectorStatus = {
  enabled: false,
  status: "disabled",
  message: "anomaly detection was not run",
  bucketSeconds: 0,
  baselineBuckets: 0,
  bucketsJudged: 0,
  bucketsLearning: 0,
  servicesReady: 0,
  servicesLearning: 0,
  eventsCounted: 0,
  eventsIgnored: {},
  anomalies: 0,
};

/** Aggregates an analysis as it streams: counts, top templates, and what would be alerted. */
export class AnalysisSummary {
  readonly #options: Required<SummaryOptions>;
  readonly #wouldAlert: WouldAlert;
  #lines = 0;
  #accepted = 0;
  #rejected = 0;
  #truncated = 0;
  #repaired = 0;
  readonly #rejectReasons = new Map<string, number>();
  readonly #labels: LabelCounts = { incident: 0, preventive_action: 0, normal: 0 };
  readonly #services = new Map<string, ServiceStat>();
  /** Per label, by template id: the keyer reuses one id string per template, so lookups hash nothing. */
  readonly #templates = Object.fromEntries(
    LABELS.map((label) => [label, new Map<string, TrackedTemplate>()]),
  ) as Record<Label, Map<string, TrackedTemplate>>;
  #templatesTracked = 0;
  readonly #alerts = new Map<string, AlertStat>();
  readonly #sent: Record<Channel, number> = { email: 0, teams: 0 };
  #suppressed = 0;
  #first: string | undefined;
  #last: string | undefined;
  readonly #anomalies: Anomaly[] = [];
  #detector: DetectorStatus | undefined;

  constructor(options: SummaryOptions) {
    this.#options = { top: 5, maxTracked: 50_000, mask: {}, ...options };
    this.#wouldAlert = new WouldAlert({
      rules: options.alertRules,
      dedupWindowMs: options.dedupWindowMs,
    });
  }

  recordRejected(reason: string): void {
    this.#lines++;
    this.#rejected++;
    const category = reasonCategory(reason);
    this.#rejectReasons.set(category, (this.#rejectReasons.get(category) ?? 0) + 1);
  }

  recordClassified(event: ClassifiedEvent): void {
    this.#lines++;
    this.#accepted++;
    if (event.truncated) this.#truncated++;
    if (event.attributes["sentinel.repaired"] !== undefined) this.#repaired++;
    const { label } = event.classification;
    this.#labels[label]++;
    if (this.#first === undefined || event.timestamp < this.#first) this.#first = event.timestamp;
    if (this.#last === undefined || event.timestamp > this.#last) this.#last = event.timestamp;
    this.#countService(event, label);
    this.#countTemplate(event, label);
    this.#considerAlert(event, label);
  }

  #countService(event: ClassifiedEvent, label: Label): void {
    let stat = this.#services.get(event.service);
    if (!stat) {
      const name = this.#services.size < this.#options.maxTracked ? event.service : OTHER;
      stat = this.#services.get(name) ?? {
        service: name,
        total: 0,
        incident: 0,
        preventive_action: 0,
        normal: 0,
      };
      this.#services.set(name, stat);
    }
    stat.total++;
    stat[label]++;
  }

  #countTemplate(event: ClassifiedEvent, label: Label): void {
    const { templateId, template } = event.classification;
    const tracked = this.#templates[label];
    let stat = tracked.get(templateId);
    if (!stat) {
      if (this.#templatesTracked >= this.#options.maxTracked) return;
      stat = {
        templateId,
        template: this.#mask(template),
        count: 0,
        example: this.#mask(event.message),
        services: [],
        serviceSet: new Set(),
      };
      tracked.set(templateId, stat);
      this.#templatesTracked++;
    }
    stat.count++;
    if (stat.serviceSet.size < 10) stat.serviceSet.add(event.service);
  }

  #considerAlert(event: ClassifiedEvent, label: Label): void {
    const decision = this.#wouldAlert.classified(event);
    if (!decision) return;
    this.#countAlert(decision, () => ({
      label: label as AlertKind,
      service: event.service,
      template: event.classification.template,
      example: event.message,
    }));
  }

  /** An anomaly the detector raised: listed in the report, and considered for alerting. */
  recordDetected(anomaly: Anomaly): void {
    if (this.#anomalies.length < this.#options.maxTracked)
      this.#anomalies.push({ ...anomaly, explanation: this.#mask(anomaly.explanation) });
    this.recordAnomaly(anomaly);
  }

  /** The detector's state at the end of the analysis; without it the report says it was off. */
  setDetectorStatus(status: DetectorStatus): void {
    this.#detector = status;
  }

  /** An anomaly from the detector: counted in "would alert" when it scores at the threshold. */
  recordAnomaly(anomaly: Anomaly): void {
    const decision = this.#wouldAlert.anomaly(anomaly);
    if (!decision) return;
    this.#countAlert(decision, () => ({
      label: "anomaly",
      service: anomaly.service,
      template: anomaly.kind,
      example: anomaly.explanation,
    }));
  }

  #countAlert(
    decision: WouldAlertDecision,
    describe: () => Pick<AlertStat, "label" | "service" | "template" | "example">,
  ): void {
    const { key, channels, sentOn } = decision;
    let stat = this.#alerts.get(key);
    if (!stat && this.#alerts.size < this.#options.maxTracked) {
      const { template, example, ...described } = describe();
      stat = {
        key,
        ...described,
        template: this.#mask(template),
        example: this.#mask(example),
        channels,
        sent: 0,
        suppressed: 0,
      };
      this.#alerts.set(key, stat);
    }
    for (const channel of sentOn) this.#sent[channel]++;
    if (sentOn.length > 0) {
      if (stat) stat.sent++;
    } else {
      this.#suppressed++;
      if (stat) stat.suppressed++;
    }
  }

  #mask(text: string): string {
    return maskSensitive(text, this.#options.mask);
  }

  report(classifier: { model: string; modelCalls: number; cache: CacheStats }): SummaryReport {
    const top = this.#options.top;
    const templates = Object.fromEntries(
      LABELS.map((label) => [
        label,
        [...this.#templates[label].values()]
          .map(({ serviceSet, ...stat }) => ({ ...stat, services: [...serviceSet].sort() }))
          .sort(byCountThenTemplate)
          .slice(0, top),
      ]),
    ) as Record<Label, TemplateStat[]>;
    const lookups = classifier.cache.hits + classifier.cache.misses;
    return {
      input: {
        lines: this.#lines,
        accepted: this.#accepted,
        rejected: this.#rejected,
        rejectReasons: Object.fromEntries([...this.#rejectReasons].sort((a, b) => b[1] - a[1])),
        truncated: this.#truncated,
        repaired: this.#repaired,
      },
      classifier: {
        ...classifier,
        cache: {
          ...classifier.cache,
          hitRatio: lookups === 0 ? 0 : round(classifier.cache.hits / lookups),
        },
      },
      timeRange: this.#first && this.#last ? { first: this.#first, last: this.#last } : null,
      labels: { ...this.#labels },
      services: [...this.#services.values()].sort(
        (a, b) => b.total - a.total || a.service.localeCompare(b.service),
      ),
      templates,
      alerts: {
        sent: { ...this.#sent },
        suppressed: this.#suppressed,
        items: [...this.#alerts.values()]
          .sort(
            (a, b) =>
              severity(b.label) - severity(a.label) ||
              b.sent + b.suppressed - (a.sent + a.suppressed),
          )
          .slice(0, top * 4),
      },
      anomalies: [...this.#anomalies].sort(
        (a, b) =>
          a.window.start.localeCompare(b.window.start) || a.service.localeCompare(b.service),
      ),
      detector: this.#detector ?? DETECTOR_OFF,
    };
  }
}

function byCountThenTemplate(a: TemplateStat, b: TemplateStat): number {
  return b.count - a.count || a.template.localeCompare(b.template);
}

function severity(label: AlertKind): number {
  return label === "incident" || label === "anomaly" ? 2 : label === "preventive_action" ? 1 : 0;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** "invalid JSON: Unexpected token x" → "invalid JSON", so reasons group into a few counts. */
function reasonCategory(reason: string): string {
  const cut = reason.search(/[:(]/);
  return (cut === -1 ? reason : reason.slice(0, cut)).trim();
}
