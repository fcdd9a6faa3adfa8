import type { GroupingOptions } from "../../core/alerting/grouping/grouping.js";
import type { GroupNotification } from "../../core/alerting/grouping/groupState.js";
import { type MaskOptions, maskSensitive } from "../../core/alerting/mask.js";
import {
  type NamedAlertKeysOptions,
  namedAlertKeys,
} from "../../core/alerting/render/namedAlertKeys.js";
import type { AlertRouting, AlertRules, Channel } from "../../core/alerting/rules.js";
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
  /** Lines (or anomalies) that alerted for this key. */
  alerts: number;
  /** Notifications that named it, over both channels. */
  notifications: number;
}

/** One notification that would go out, as `--output json` lists it. */
export interface WouldNotification {
  channel: Channel;
  /** Group clock (event time) when it would go out. */
  at: string;
  /** After the input's last event: what the stream going quiet would still send (resolved notices). */
  afterInput: boolean;
  reason: GroupNotification["reason"];
  group: string;
  labels: Record<string, string>;
  urgent: boolean;
  severity: GroupNotification["severity"];
  /** The templates (and anomalies) it names, most important first. */
  templates: { key: string; label: AlertKind; template: string; count: number; newCount: number }[];
  /** Templates and alerts of the group it only counts. */
  omitted: { templates: number; alerts: number };
}

export interface GroupStat {
  group: string;
  channel: Channel;
  labels: Record<string, string>;
  notifications: number;
  byReason: Partial<Record<GroupNotification["reason"], number>>;
  /** Distinct templates (and anomaly kinds) its notifications named. */
  templates: number;
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
    /** Notifications per channel during the input's time span. */
    sent: Record<Channel, number>;
    /** After its last event, as the stream goes quiet: updates still due, then resolved notices. */
    sentAfterInput: Record<Channel, number>;
    /** Lines and anomalies that alerted (each joins one group per channel). */
    alerts: number;
    /** Per group, the most notified first. */
    groups: GroupStat[];
    /** Every notification in the order it would go out (up to the tracking bound). */
    notifications: WouldNotification[];
    /** Alerting templates, the most frequent first. */
    items: AlertStat[];
  };
  /** Anomalies the detector raised, in window order. */
  anomalies: Anomaly[];
  detector: DetectorStatus;
}

export interface SummaryOptions {
  alertRules: AlertRules;
  grouping: GroupingOptions;
  routing?: AlertRouting;
  flood?: { ratePerMinute: number; burst: number } | false;
  /** How the channels render (masking, Teams card format): what a notification names depends on it. */
  render?: NamedAlertKeysOptions;
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
  readonly #options: SummaryOptions & Required<Pick<SummaryOptions, "top" | "maxTracked" | "mask">>;
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
  readonly #sentAfter: Record<Channel, number> = { email: 0, teams: 0 };
  #alertCount = 0;
  readonly #groups = new Map<string, GroupStat & { named: Set<string> }>();
  readonly #notifications: WouldNotification[] = [];
  #finished = false;
  #first: string | undefined;
  #last: string | undefined;
  readonly #anomalies: Anomaly[] = [];
  #detector: DetectorStatus | undefined;

  constructor(options: SummaryOptions) {
    this.#options = { top: 5, maxTracked: 50_000, mask: {}, ...options };
    this.#wouldAlert = new WouldAlert({
      rules: options.alertRules,
      grouping: options.grouping,
      ...(options.routing && { routing: options.routing }),
      ...(options.flood !== undefined && { flood: options.flood }),
    });
    this.#wouldAlert.onNotification = (notification) => this.#countNotification(notification);
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
    const { alert, channels } = decision;
    this.#alertCount++;
    let stat = this.#alerts.get(alert.key);
    if (!stat && this.#alerts.size < this.#options.maxTracked) {
      const { template, example, ...described } = describe();
      stat = {
        key: alert.key,
        ...described,
        template: this.#mask(template),
        example: this.#mask(example),
        channels,
        alerts: 0,
        notifications: 0,
      };
      this.#alerts.set(alert.key, stat);
    }
    if (stat) stat.alerts++;
  }

  #countNotification(notification: GroupNotification): void {
    const ended = this.#wouldAlert.endedAt;
    const afterInput = ended !== undefined && Date.parse(notification.at) > ended;
    (afterInput ? this.#sentAfter : this.#sent)[notification.channel]++;
    let group = this.#groups.get(notification.groupId);
    if (!group) {
      group = {
        group: notification.groupId,
        channel: notification.channel,
        labels: notification.labels,
        notifications: 0,
        byReason: {},
        templates: 0,
        named: new Set(),
      };
      this.#groups.set(notification.groupId, group);
    }
    group.notifications++;
    group.byReason[notification.reason] = (group.byReason[notification.reason] ?? 0) + 1;
    // What the channel's rendering lists after fitting its size limit, not the whole group.
    const keys = new Set(namedAlertKeys(notification, notification.channel, this.#options.render));
    const named = notification.alerts.filter((alert) => keys.has(alert.key));
    for (const alert of named) {
      group.named.add(alert.key);
      const stat = this.#alerts.get(alert.key);
      if (stat) stat.notifications++;
    }
    group.templates = group.named.size;
    if (this.#notifications.length >= this.#options.maxTracked) return;
    this.#notifications.push({
      channel: notification.channel,
      at: notification.at,
      afterInput,
      reason: notification.reason,
      group: notification.groupId,
      labels: notification.labels,
      urgent: notification.urgent,
      severity: notification.severity,
      templates: named.map((alert) => ({
        key: alert.key,
        label: alert.kind,
        template: this.#mask(
          alert.example.events?.[0]?.classification.template ?? alert.example.anomaly?.kind ?? "",
        ),
        count: alert.count,
        newCount: alert.newCount,
      })),
      omitted: notification.omitted,
    });
  }

  #mask(text: string): string {
    return maskSensitive(text, this.#options.mask);
  }

  report(classifier: { model: string; modelCalls: number; cache: CacheStats }): SummaryReport {
    if (!this.#finished) {
      this.#finished = true;
      this.#wouldAlert.finish();
    }
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
        sentAfterInput: { ...this.#sentAfter },
        alerts: this.#alertCount,
        groups: [...this.#groups.values()]
          .map(({ named: _named, ...group }) => group)
          .sort((a, b) => b.notifications - a.notifications || a.group.localeCompare(b.group)),
        notifications: [...this.#notifications],
        items: [...this.#alerts.values()]
          .sort((a, b) => severity(b.label) - severity(a.label) || b.alerts - a.alerts)
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
