import type { ClassifiedEvent } from "../../events/types.js";
import type { NotificationReason } from "../grouping/groupState.js";
import { type MaskOptions, maskSensitive } from "../mask.js";
import type { Alert, AlertKind, GroupedAlert, Notification, Severity } from "../types.js";

/**
 * What every rendering (e-mail, Adaptive Card, MessageCard) shows of a group notification, built
 * once: masked, cut to a budget, and with a note for everything that was cut. Renderers only lay
 * this out; none of them reads the notification itself, so nothing unmasked can reach a channel.
 */

export interface RenderOptions {
  /** Shown in subjects and footers; default "SentinelLLM". */
  productName?: string;
  /** Where the footer's product name links to (SENTINEL_PRODUCT_URL). */
  productUrl?: string;
  mask?: MaskOptions;
}

/** How much of a group a rendering may show. */
export interface ContentBudget {
  /** Templates (and anomalies) listed; the rest are folded into "+N more templates". */
  rows: number;
  /** Listed rows, from the top, that show their example line, suggestion and explanation. */
  detailRows: number;
  /** Longest example log line shown, in characters. */
  lineChars: number;
  /** Longest template, suggestion, explanation or fact shown, in characters. */
  textChars: number;
}

export interface Fact {
  name: string;
  value: string;
}

export interface Link {
  title: string;
  url: string;
}

/** critical and warning follow the group's severity; a resolved notice has its own look. */
export type Tone = Severity | "resolved";

/** An anomaly, as prominently as a rendering can show it. */
export interface AnomalyDetail {
  kind: string;
  /** "0.94" */
  score: string;
  observed: string;
  expected: string;
  /** "09:20:00 → 09:25:00" (UTC, date left out when it is the group's) */
  window: string;
  explanation: string;
}

/** One template or anomaly of the group, a row of the table every rendering shows. */
export interface TemplateRow {
  /** The alert key, for `namedAlertKeys`; never rendered. */
  alertKey: string;
  kind: AlertKind;
  severity: Severity;
  /** "CRITICAL incident", "WARNING preventive action", "CRITICAL anomaly" */
  badge: string;
  /** The template, or for an anomaly its kind and score. */
  title: string;
  /** "1,204" */
  count: string;
  /** "+12 new" (part of the count is new), "new" (never named before); absent when nothing is. */
  newCount?: string;
  /** First → last seen, event time: "09:16:02 → 09:26:53" (UTC, date left out when the group's). */
  seen: string;
  /** Occurrences per trend bucket as a sparkline: "▁▂▅█▃". */
  trend: string;
  /** One masked example log line. */
  example?: string;
  suggestion?: string;
  anomaly?: AnomalyDetail;
  /** The example alert's logs and runbook links. */
  links: Link[];
}

export interface MessageView {
  reason: NotificationReason;
  severity: Severity;
  tone: Tone;
  /** An anomaly is in it: subjects and titles say so. */
  urgent: boolean;
  /** "ANOMALY · CRITICAL · FIRING", "WARNING · UPDATE #3", "RESOLVED". */
  badge: string;
  /** "checkout: 1 anomaly, 5 templates, 1,234 events"; "checkout: resolved, quiet since …". */
  title: string;
  /** Why it is sent, one sentence. */
  why: string;
  /** The e-mail subject and the card's notification summary. */
  subject: string;
  facts: Fact[];
  /** The templates and anomalies listed, in the notification's order (most important first). */
  rows: TemplateRow[];
  /** "+12 more templates (340 events) not listed": what the list leaves out, by the group or to fit. */
  more?: string;
  /** "12 marks of 5 min, oldest first": how to read the trend column. */
  trendLegend: string;
  /** Once for the group: the dashboard (over the group's window), the top template's logs, a runbook. */
  links: Link[];
  /** What was left out or shortened to fit, in words ("Listing 20 of 300 templates to fit."). */
  notes: string[];
  productName: string;
  productUrl?: string;
  /** Group and notification number, for the footer. */
  reference: string;
}

const DEFAULT_PRODUCT_NAME = "SentinelLLM";

/** Links longer than this are left out rather than cut (a cut URL is a broken link). */
const MAX_LINK_CHARS = 4096;
const MAX_LABEL_CHARS = 120;
const MAX_SUBJECT_CHARS = 160;
const MAX_HEADLINE_CHARS = 80;

const SEVERITY_LABEL: Record<Severity, string> = { critical: "CRITICAL", warning: "WARNING" };
const KIND_LABEL: Record<AlertKind, string> = {
  incident: "incident",
  preventive_action: "preventive action",
  anomaly: "anomaly",
};
const SPARKS = "▁▂▃▄▅▆▇█";
const NUMBER = new Intl.NumberFormat("en-US");

export type Masker = (text: string) => string;

/** Masking with the options' settings, remembering what it masked. */
export function createMasker(options: RenderOptions = {}): Masker {
  const seen = new Map<string, string>();
  return (text) => {
    let masked = seen.get(text);
    if (masked === undefined) {
      masked = maskSensitive(text, options.mask);
      seen.set(text, masked);
    }
    return masked;
  };
}

/**
 * The view of a group notification within `budget`.
 *
 * @param mask the masking to apply; pass one `createMasker` to several calls that render the
 *   same notification (as size fitting does) so each text is masked once.
 */
export function buildView(
  notification: Notification,
  budget: ContentBudget,
  options: RenderOptions = {},
  mask: Masker = createMasker(options),
): MessageView {
  const text = textHelpers(mask, budget);
  const n = notification;
  const resolved = n.reason === "resolved";
  const group = groupName(n.labels, text);
  const day = n.until.slice(0, 10);
  const counts = countsLine(n);
  const shown = n.alerts.slice(0, Math.max(0, budget.rows));
  // A resolved notice lists what the episode had, compactly: counts, with examples and links only
  // for what no notification named before.
  const detailed = (alert: GroupedAlert) => !resolved || alert.isNew;
  const rows = shown.map((alert, index) =>
    templateRow(alert, n.reason, day, text, budget, detailed(alert) && index < budget.detailRows),
  );
  const headline = rows[0]?.title ?? (n.alerts[0] ? rowTitle(n.alerts[0], text) : undefined);

  const notes: string[] = [];
  if (shown.length < n.alerts.length)
    notes.push(
      shown.length === 0
        ? `The list of ${countOf(n.alerts.length, "template")} was left out to fit.`
        : `Listing ${shown.length} of ${n.alerts.length} templates to fit.`,
    );
  const withoutDetails = shown
    .slice(budget.detailRows)
    .filter((alert) => detailed(alert) && hasDetails(alert)).length;
  if (withoutDetails > 0)
    notes.push(
      budget.detailRows <= 0
        ? "Example lines and suggestions were left out to fit."
        : `Example lines and suggestions are shown for the first ${countOf(budget.detailRows, "template")} only.`,
    );
  if (text.lineWasCut())
    notes.push(`Log lines longer than ${budget.lineChars} characters are cut.`);
  if (text.textWasCut()) notes.push(`Texts longer than ${budget.textChars} characters are cut.`);

  const facts: Fact[] = Object.entries(n.labels).map(([name, value]) => ({
    name: capitalised(text.short(name, 40)),
    value: text.short(value, MAX_LABEL_CHARS),
  }));
  if (n.route !== "default") facts.push({ name: "Route", value: text.short(n.route, 200) });
  facts.push(
    { name: "Window", value: `${formatSpan(n.since, n.until)} (event time)` },
    { name: "Reason", value: reasonFact(n) },
    { name: "Events", value: eventsFact(n) },
    { name: "Trend", value: `${sparkline(groupTrend(n.alerts))} (${trendLegend(n)})` },
  );

  const view: MessageView = {
    reason: n.reason,
    severity: n.severity,
    tone: resolved ? "resolved" : n.severity,
    urgent: n.urgent && !resolved,
    badge: badgeOf(n),
    title: resolved
      ? `${group}: resolved, quiet since ${formatTime(n.until)}`
      : `${group}: ${counts}`,
    why: whyLine(n),
    subject: subjectOf(n, group, counts, headline, options),
    facts,
    rows,
    trendLegend: trendLegend(n),
    links: groupLinks(n.alerts),
    notes,
    productName: options.productName ?? DEFAULT_PRODUCT_NAME,
    reference: `group ${text.short(n.groupId, 200)} · notification #${n.sequence} · ${formatTime(n.at)}`,
  };
  const more = moreLine(n, shown.length, resolved);
  if (more) view.more = more;
  if (options.productUrl && isHttpUrl(options.productUrl)) view.productUrl = options.productUrl;
  return view;
}

/**
 * The first budget, in order, whose rendering fits `maxBytes`; the last one when none does
 * (`fits: false`). Every budget is tried with the same masker, so each text is masked once.
 */
export function fitView<T>(
  notification: Notification,
  budgets: readonly ContentBudget[],
  options: RenderOptions,
  render: (view: MessageView) => T,
  bytesOf: (rendered: T) => number,
  maxBytes: number,
): { view: MessageView; rendered: T; bytes: number; fits: boolean } {
  const mask = createMasker(options);
  let last: { view: MessageView; rendered: T; bytes: number; fits: boolean } | undefined;
  for (const budget of budgets) {
    const view = buildView(notification, budget, options, mask);
    const rendered = render(view);
    const bytes = bytesOf(rendered);
    last = { view, rendered, bytes, fits: bytes <= maxBytes };
    if (last.fits) return last;
  }
  if (!last) throw new Error("fitView needs at least one budget");
  return last;
}

function templateRow(
  alert: GroupedAlert,
  reason: NotificationReason,
  day: string,
  text: TextHelpers,
  budget: ContentBudget,
  details: boolean,
): TemplateRow {
  const row: TemplateRow = {
    alertKey: alert.key,
    kind: alert.kind,
    severity: alert.severity,
    badge: `${SEVERITY_LABEL[alert.severity]} ${KIND_LABEL[alert.kind]}`,
    title: rowTitle(alert, text),
    count: NUMBER.format(alert.count),
    seen: formatSpan(alert.firstSeen, alert.lastSeen, day),
    trend: sparkline(alert.trend),
    links: reason === "resolved" && !alert.isNew ? [] : rowLinks(alert.example),
  };
  const fresh = newCountText(alert, reason);
  if (fresh) row.newCount = fresh;
  if (!details) return row;
  const event = alert.example.events?.[0];
  if (event && budget.lineChars > 0) row.example = text.line(logLine(event), budget.lineChars);
  const suggestion = alert.example.events?.find((e) => e.classification.suggestion)?.classification
    .suggestion;
  if (suggestion) row.suggestion = text.cut(suggestion);
  const anomaly = alert.example.anomaly;
  if (anomaly)
    row.anomaly = {
      kind: text.short(anomaly.kind, 80),
      score: anomaly.score.toFixed(2),
      observed: formatNumber(anomaly.observed),
      expected: formatNumber(anomaly.expected),
      window: formatSpan(anomaly.window.start, anomaly.window.end, day),
      explanation: text.cut(anomaly.explanation),
    };
  return row;
}

/** The template, or an anomaly's kind and score; the alert's summary when it has neither. */
function rowTitle(alert: GroupedAlert, text: TextHelpers): string {
  const { example } = alert;
  if (example.anomaly)
    return `${text.short(example.anomaly.kind, 80)}, score ${example.anomaly.score.toFixed(2)}: ${formatNumber(example.anomaly.observed)} observed, ${formatNumber(example.anomaly.expected)} expected`;
  const template = example.events?.[0]?.classification.template;
  return text.cut(template ?? example.summary);
}

function hasDetails(alert: GroupedAlert): boolean {
  return (alert.example.events?.length ?? 0) > 0 || alert.example.anomaly !== undefined;
}

/** "+12 new" when part of the count is new, "new" for a template never named before. */
function newCountText(alert: GroupedAlert, reason: NotificationReason): string | undefined {
  // In the first notification everything is new: saying so on every row says nothing. A
  // resolved notice sums up the episode, marking only what no notification named before.
  if (reason === "firing") return undefined;
  if (alert.isNew) return "new";
  if (reason === "resolved") return undefined;
  if (alert.newCount > 0 && alert.newCount < alert.count)
    return `+${NUMBER.format(alert.newCount)} new`;
  return undefined;
}

/**
 * A sparkline of `trend`: one mark per bucket, ▁ for nothing and ▂…█ scaled to the largest (so a
 * single occurrence still shows); all-zero (or empty) is flat "▁".
 *
 * @example sparkline([0, 1, 4, 7, 2]) // "▁▂▅█▃"
 */
export function sparkline(trend: readonly number[]): string {
  const max = Math.max(0, ...trend);
  if (trend.length === 0) return SPARKS[0] as string;
  return trend
    .map((value) => {
      if (!(value > 0) || max === 0) return SPARKS[0];
      const level = Math.max(1, Math.round((value / max) * (SPARKS.length - 1)));
      return SPARKS[Math.min(level, SPARKS.length - 1)];
    })
    .join("");
}

/** The group's trend: its templates' trends added up, bucket by bucket. */
function groupTrend(alerts: readonly GroupedAlert[]): number[] {
  const width = Math.max(0, ...alerts.map((alert) => alert.trend.length));
  const sum = new Array<number>(width).fill(0);
  for (const alert of alerts)
    alert.trend.forEach((value, index) => {
      sum[index] = (sum[index] ?? 0) + value;
    });
  return sum;
}

function trendLegend(n: Notification): string {
  const marks = Math.max(0, ...n.alerts.map((alert) => alert.trend.length));
  return `${countOf(marks, "mark")} of ${formatDuration(n.trendBucketMs)}, oldest first`;
}

function groupName(labels: Record<string, string>, text: TextHelpers): string {
  const values = Object.values(labels).map((value) => text.short(value, MAX_LABEL_CHARS));
  return values.length > 0 ? values.join(", ") : "all alerts";
}

/** "1 anomaly, 5 templates, 1,234 events" (templates the group only counted included). */
function countsLine(n: Notification): string {
  return `${kindsLine(n)}, ${countOf(n.total, "event")}`;
}

/** "1 anomaly, 5 templates": the anomalies and templates of the group. */
function kindsLine(n: Notification): string {
  const anomalies = n.alerts.filter((alert) => alert.kind === "anomaly").length;
  const templates = n.alerts.length - anomalies + n.omitted.templates;
  const parts: string[] = [];
  if (anomalies > 0) parts.push(countOf(anomalies, "anomaly", "anomalies"));
  parts.push(countOf(templates, "template"));
  return parts.join(", ");
}

function badgeOf(n: Notification): string {
  if (n.reason === "resolved") return "RESOLVED";
  const parts: string[] = [];
  if (n.urgent) parts.push("ANOMALY");
  parts.push(SEVERITY_LABEL[n.severity]);
  parts.push(n.reason === "firing" ? "FIRING" : `${n.reason.toUpperCase()} #${n.sequence}`);
  return parts.join(" · ");
}

function subjectOf(
  n: Notification,
  group: string,
  counts: string,
  headline: string | undefined,
  options: RenderOptions,
): string {
  const parts: string[] = [];
  if (n.reason === "resolved")
    parts.push("RESOLVED", group, `quiet since ${formatTime(n.until)}`, `had ${counts}`);
  else {
    parts.push(n.urgent ? "ANOMALY" : SEVERITY_LABEL[n.severity], group);
    if (n.reason === "update") parts.push(`update #${n.sequence}`);
    if (n.reason === "repeat") parts.push(`still firing (#${n.sequence})`);
    parts.push(counts);
    if (headline) parts.push(cutChars(headline.replace(/\s+/g, " "), MAX_HEADLINE_CHARS));
  }
  return subjectLine(options, parts.join(" · "));
}

function reasonFact(n: Notification): string {
  const previous = n.sequence > 1 ? ` since #${n.sequence - 1}` : "";
  switch (n.reason) {
    case "firing":
      return `firing: first notification (#${n.sequence})`;
    case "update":
      return `update #${n.sequence}: something changed${previous}`;
    case "repeat":
      return `repeat #${n.sequence}: still firing, nothing new${previous}`;
    case "resolved":
      return `resolved #${n.sequence}: quiet since ${formatTime(n.until)}`;
  }
}

function whyLine(n: Notification): string {
  const newTemplates = n.alerts.filter((alert) => alert.isNew).length;
  const grown = n.alerts.filter((alert) => !alert.isNew && alert.newCount > 0).length;
  const fresh = n.alerts.reduce((sum, alert) => sum + Math.max(0, alert.newCount), 0);
  // The first notification waits for the group's first alerts; later ones skip the interval.
  const urgent = n.urgent ? " An anomaly is in it, so it went out at once." : "";
  switch (n.reason) {
    case "firing":
      return `First notification for this group since ${formatTime(n.since)}.${n.urgent ? " An anomaly is in it." : ""}`;
    case "update": {
      const changes: string[] = [];
      if (newTemplates > 0) changes.push(countOf(newTemplates, "new template"));
      if (grown > 0) changes.push(`${countOf(grown, "template")} with new events`);
      return `Changed since the last notification: ${changes.length > 0 ? changes.join(", ") : "new events"}.${urgent}`;
    }
    case "repeat":
      return `Still firing: ${countOf(fresh, "more event")} since the last notification, no new templates.`;
    case "resolved": {
      const unnamed =
        newTemplates > 0
          ? ` (${countOf(newTemplates, "template")} named for the first time, marked new)`
          : "";
      return `No alerts since ${formatTime(n.until)}; the episode is over. What it had${unnamed}:`;
    }
  }
}

function eventsFact(n: Notification): string {
  const base = `${NUMBER.format(n.total)} in ${kindsLine(n)}`;
  if (n.reason === "firing") return base;
  const fresh = n.alerts.reduce((sum, alert) => sum + Math.max(0, alert.newCount), 0);
  return fresh > 0 ? `${base}; ${NUMBER.format(fresh)} since the last notification` : base;
}

function moreLine(n: Notification, listed: number, resolved: boolean): string | undefined {
  const rest = n.alerts.slice(listed);
  const templates = rest.length + n.omitted.templates;
  if (templates === 0) return undefined;
  const events = rest.reduce((sum, alert) => sum + alert.count, 0) + n.omitted.alerts;
  const where = resolved ? "" : "; the dashboard shows them all";
  return `+${NUMBER.format(templates)} more template${templates === 1 ? "" : "s"} (${countOf(events, "event")}) not listed${where}.`;
}

function logLine(event: ClassifiedEvent): string {
  const level = event.level ? ` ${event.level.toUpperCase()}` : "";
  const cut =
    event.truncated && event.originalBytes !== undefined
      ? ` [cut at ingestion; ${event.originalBytes} bytes in all]`
      : "";
  return `${event.timestamp}${level} ${event.message}${cut}`;
}

function rowLinks(alert: Alert): Link[] {
  const links: Link[] = [];
  const logs = safeLink(alert.links.logs);
  if (logs) links.push({ title: "Logs", url: logs });
  const runbook = safeLink(alert.links.runbook);
  if (runbook) links.push({ title: "Runbook", url: runbook });
  return links;
}

/**
 * The group's buttons: its dashboard once (widened to cover every listed alert's time span when
 * the links carry Grafana's `from`/`to`), the most important template's logs, and its runbook.
 */
function groupLinks(alerts: readonly GroupedAlert[]): Link[] {
  const links: Link[] = [];
  const dashboard = groupDashboard(alerts);
  if (dashboard) links.push({ title: "Open dashboard", url: dashboard });
  const logs = alerts.map((alert) => safeLink(alert.example.links.logs)).find(Boolean);
  if (logs) links.push({ title: "Open logs", url: logs });
  const runbook = alerts.map((alert) => safeLink(alert.example.links.runbook)).find(Boolean);
  if (runbook) links.push({ title: "Runbook", url: runbook });
  return links;
}

function groupDashboard(alerts: readonly GroupedAlert[]): string | undefined {
  const urls = alerts
    .map((alert) => alert.example.links.dashboard)
    .filter((url): url is string => safeLink(url) !== undefined);
  const first = urls[0];
  if (!first) return undefined;
  const base = new URL(first);
  const spanOf = (url: URL) => ({
    from: Number(url.searchParams.get("from") ?? Number.NaN),
    to: Number(url.searchParams.get("to") ?? Number.NaN),
  });
  const sameView = (url: URL) =>
    url.origin === base.origin &&
    url.pathname === base.pathname &&
    url.searchParams.get("var-service") === base.searchParams.get("var-service");
  let { from, to } = spanOf(base);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return safeLink(first);
  for (const other of urls.slice(1)) {
    const url = new URL(other);
    const span = spanOf(url);
    if (!sameView(url) || !Number.isFinite(span.from) || !Number.isFinite(span.to)) continue;
    from = Math.min(from, span.from);
    to = Math.max(to, span.to);
  }
  base.searchParams.set("from", String(from));
  base.searchParams.set("to", String(to));
  return safeLink(base.toString());
}

/**
 * Links come from configuration (GRAFANA_URL, console deep links), so only secrets are masked
 * in them: masking an e-mail or IP inside a URL would break the link. Only http(s) is linked.
 */
function safeLink(url: string | undefined): string | undefined {
  if (!url || url.length > MAX_LINK_CHARS || !isHttpUrl(url)) return undefined;
  return maskSensitive(url);
}

function isHttpUrl(url: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(url) && URL.canParse(url);
}

function subjectLine(options: RenderOptions, text: string): string {
  const product = options.productName ?? DEFAULT_PRODUCT_NAME;
  return cutChars(`[${product}] ${text}`.replace(/\s+/g, " "), MAX_SUBJECT_CHARS);
}

type TextHelpers = ReturnType<typeof textHelpers>;

function textHelpers(mask: Masker, budget: ContentBudget) {
  let textCut = false;
  let lineCut = false;
  return {
    /** Masked, on one line, cut to `max` characters without a note (names and ids). */
    short: (value: string, max: number) => cutChars(mask(value).replace(/\s+/g, " ").trim(), max),
    /** Masked and cut to the budget's text length; the view notes that texts were cut. */
    cut: (value: string) => {
      const masked = mask(value);
      const shown = cutChars(masked, budget.textChars);
      if (shown !== masked) textCut = true;
      return shown;
    },
    /** A log line, masked before it is cut (so a cut cannot keep half a secret unmasked). */
    line: (value: string, max: number) => {
      const masked = mask(value);
      const shown = cutChars(masked, max);
      if (shown !== masked) lineCut = true;
      return shown;
    },
    textWasCut: () => textCut,
    lineWasCut: () => lineCut,
  };
}

/** Cuts to `max` characters (code points, so no emoji is split), ending with "…" when cut. */
export function cutChars(value: string, max: number): string {
  if (value.length <= max) return value;
  if (max <= 0) return "";
  const keep = codePointEnd(value, max - 1);
  // At most one code point after `keep`: the value has no more than `max` and fits as it is.
  if (codePointEnd(value, 1, keep) >= value.length) return value;
  return `${value.slice(0, keep)}…`;
}

/** The index just after `count` code points from `start` (or the length when there are fewer). */
function codePointEnd(value: string, count: number, start = 0): number {
  let index = start;
  for (let n = 0; n < count && index < value.length; n++)
    index += (value.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  return index;
}

/** "2026-01-01 10:02:11 UTC"; a value that is not a time is shown as it is. */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return cutChars(maskSensitive(iso), 40);
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * "2026-03-14 09:16:02 → 09:26:53 UTC" (one instant: just it). With `day` (YYYY-MM-DD), a span
 * within that day leaves out the date and the zone: "09:16:02 → 09:26:53".
 */
export function formatSpan(startIso: string, endIso: string, day?: string): string {
  const start = formatTime(startIso);
  const end = formatTime(endIso);
  const date = (time: string) => (/^\d{4}-\d\d-\d\d /.test(time) ? time.slice(0, 10) : undefined);
  const clock = (time: string) => time.slice(11, 19);
  const sameDay = date(start) !== undefined && date(start) === date(end);
  if (day !== undefined && sameDay && date(start) === day)
    return start === end ? clock(start) : `${clock(start)} → ${clock(end)}`;
  if (start === end) return start;
  return sameDay ? `${start.slice(0, 19)} → ${clock(end)} UTC` : `${start} → ${end}`;
}

function formatDuration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? NUMBER.format(value) : value.toFixed(2);
}

function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${NUMBER.format(count)} ${count === 1 ? noun : plural}`;
}

function capitalised(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
