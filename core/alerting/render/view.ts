import type { ClassifiedEvent } from "../../events/types.js";
import { type MaskOptions, maskSensitive } from "../mask.js";
import type { Alert, AlertKind, Notification, Severity } from "../types.js";

/**
 * What every rendering (e-mail, Adaptive Card, MessageCard) shows, built once from a
 * notification: masked, cut to a budget, and with a note for everything that was cut.
 * Renderers only lay this out; none of them reads the alert itself, so nothing unmasked can
 * reach a channel.
 */

export interface RenderOptions {
  /** Shown in subjects and footers; default "SentinelLLM". */
  productName?: string;
  /** Where the footer's product name links to (SENTINEL_PRODUCT_URL). */
  productUrl?: string;
  mask?: MaskOptions;
}

/** How much of an alert's content a rendering may show. */
export interface ContentBudget {
  logLines: number;
  /** Longest log line shown, in characters. */
  lineChars: number;
  digestAlerts: number;
  /** Longest summary, suggestion, explanation or fact shown, in characters. */
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

export interface DigestRow {
  severity: Severity;
  /** "CRITICAL incident" */
  badge: string;
  service: string;
  summary: string;
  at: string;
  similar?: string;
  link?: Link;
}

export interface MessageView {
  kind: "alert" | "digest";
  severity: Severity;
  /** "CRITICAL · Incident" or "CRITICAL · Digest". */
  badge: string;
  /** "checkout: Database connection refused", or the digest's count and period. */
  title: string;
  /** The e-mail subject and the card's notification summary. */
  subject: string;
  facts: Fact[];
  /** "+12 similar since …": what dedup folded into this alert. */
  similar?: string;
  logLines: string[];
  suggestion?: string;
  explanation?: string;
  digestRows: DigestRow[];
  links: Link[];
  /** What was left out or shortened, in words ("Showing 3 of 40 log lines."). */
  notes: string[];
  productName: string;
  productUrl?: string;
  /** Alert id or digest period, for the footer. */
  reference: string;
}

const DEFAULT_PRODUCT_NAME = "SentinelLLM";

/** Links longer than this are left out rather than cut (a cut URL is a broken link). */
const MAX_LINK_CHARS = 4096;
const MAX_SERVICE_CHARS = 120;
const MAX_SUBJECT_CHARS = 160;

const SEVERITY_LABEL: Record<Severity, string> = { critical: "CRITICAL", warning: "WARNING" };
const KIND_LABEL: Record<AlertKind, string> = {
  incident: "Incident",
  preventive_action: "Preventive action",
  anomaly: "Anomaly",
};

/**
 * @param mask the masking to apply; pass one `createMasker` to several calls that render the
 *   same notification (as the Teams size fitting does) so each text is masked once.
 */
export function buildView(
  notification: Notification,
  budget: ContentBudget,
  options: RenderOptions = {},
  mask: Masker = createMasker(options),
): MessageView {
  return notification.type === "alert"
    ? alertView(notification.alert, budget, options, mask)
    : digestView(notification, budget, options, mask);
}

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

function alertView(
  alert: Alert,
  budget: ContentBudget,
  options: RenderOptions,
  mask: Masker,
): MessageView {
  const text = textHelpers(mask, budget);
  const notes: string[] = [];
  const service = text.short(alert.service, MAX_SERVICE_CHARS);
  const summary = text.cut(alert.summary);
  const badge = `${SEVERITY_LABEL[alert.severity]} · ${KIND_LABEL[alert.kind]}`;
  const title = `${service}: ${summary}`;
  const facts: Fact[] = [
    { name: "Service", value: service },
    { name: "Severity", value: SEVERITY_LABEL[alert.severity] },
    { name: "Kind", value: KIND_LABEL[alert.kind] },
    { name: "Time", value: formatTime(alert.at) },
  ];
  const events = alert.events ?? [];
  const first = events[0];
  if (first) facts.push(...eventFacts(first, events.length, text));
  if (alert.anomaly) {
    const a = alert.anomaly;
    facts.push(
      { name: "Anomaly", value: text.cut(a.kind) },
      { name: "Score", value: a.score.toFixed(2) },
      {
        name: "Observed",
        value: `${formatNumber(a.observed)} (expected ${formatNumber(a.expected)})`,
      },
      { name: "Window", value: `${formatTime(a.window.start)} to ${formatTime(a.window.end)}` },
    );
  }

  const shownEvents = events.slice(0, budget.logLines);
  let linesCut = false;
  const logLines = shownEvents.map((event) => {
    const line = text.mask(logLine(event));
    const shown = cutChars(line, budget.lineChars);
    if (shown !== line) linesCut = true;
    return shown;
  });
  if (events.length > 0 && shownEvents.length < events.length)
    notes.push(
      shownEvents.length === 0
        ? `${countOf(events.length, "log line")} left out to fit; open the logs to see them.`
        : `Showing ${shownEvents.length} of ${events.length} log lines.`,
    );
  if (linesCut) notes.push(`Log lines longer than ${budget.lineChars} characters are cut.`);

  const suggestionSource = events.find((event) => event.classification.suggestion)?.classification;
  const suggestion = suggestionSource?.suggestion
    ? text.cut(suggestionSource.suggestion)
    : undefined;
  const explanation = alert.anomaly ? text.cut(alert.anomaly.explanation) : undefined;
  if (text.textWasCut()) notes.push(`Texts longer than ${budget.textChars} characters are cut.`);

  const view: MessageView = {
    kind: "alert",
    severity: alert.severity,
    badge,
    title,
    subject: subjectLine(
      options,
      `${SEVERITY_LABEL[alert.severity]} ${KIND_LABEL[alert.kind].toLowerCase()} · ${service} · ${summary}`,
    ),
    facts,
    logLines,
    digestRows: [],
    links: alertLinks(alert),
    notes,
    productName: options.productName ?? DEFAULT_PRODUCT_NAME,
    reference: `alert ${text.short(alert.id, 200)}`,
  };
  if (alert.similar) view.similar = similarLine(alert.similar);
  if (suggestion) view.suggestion = suggestion;
  if (explanation) view.explanation = explanation;
  if (options.productUrl && isHttpUrl(options.productUrl)) view.productUrl = options.productUrl;
  return view;
}

function digestView(
  digest: Extract<Notification, { type: "digest" }>,
  budget: ContentBudget,
  options: RenderOptions,
  mask: Masker,
): MessageView {
  const text = textHelpers(mask, budget);
  const severity: Severity = digest.alerts.some((alert) => alert.severity === "critical")
    ? "critical"
    : "warning";
  const total = Math.max(digest.total, digest.alerts.length);
  const period = `${formatTime(digest.since)} to ${formatTime(digest.until)}`;
  const services = [...new Set(digest.alerts.map((alert) => text.short(alert.service, 60)))];
  const critical = digest.alerts.filter((alert) => alert.severity === "critical").length;
  const listedSuffix = digest.alerts.length < total ? ` (of ${digest.alerts.length} listed)` : "";
  const shownServices = services.slice(0, 10);
  const facts: Fact[] = [
    { name: "Alerts", value: String(total) },
    { name: "Period", value: period },
    {
      name: "Services",
      value:
        shownServices.join(", ") +
        (services.length > shownServices.length
          ? ` and ${services.length - shownServices.length} more`
          : ""),
    },
    {
      name: "Severity",
      value: `${critical} critical, ${digest.alerts.length - critical} warning${listedSuffix}`,
    },
  ];
  const rows = digest.alerts.slice(0, budget.digestAlerts).map((alert): DigestRow => {
    const row: DigestRow = {
      severity: alert.severity,
      badge: `${SEVERITY_LABEL[alert.severity]} ${KIND_LABEL[alert.kind].toLowerCase()}`,
      service: text.short(alert.service, MAX_SERVICE_CHARS),
      summary: text.cut(alert.summary),
      at: formatTime(alert.at),
    };
    if (alert.similar) row.similar = similarLine(alert.similar);
    const link = alertLinks(alert)[0];
    if (link) row.link = link;
    return row;
  });
  const notes: string[] = [];
  if (rows.length < total)
    notes.push(
      rows.length === 0
        ? `The list of ${total} alerts was left out to fit.`
        : `Showing ${rows.length} of ${total} alerts.`,
    );
  if (text.textWasCut()) notes.push(`Texts longer than ${budget.textChars} characters are cut.`);
  const title = `${countOf(total, "alert")} from ${period}`;
  const view: MessageView = {
    kind: "digest",
    severity,
    badge: `${SEVERITY_LABEL[severity]} · Digest`,
    title,
    subject: subjectLine(
      options,
      `${SEVERITY_LABEL[severity]} digest · ${countOf(total, "alert")} · ${services.slice(0, 3).join(", ")}${services.length > 3 ? ", …" : ""}`,
    ),
    facts,
    logLines: [],
    digestRows: rows,
    links: commonDashboard(digest.alerts),
    notes,
    productName: options.productName ?? DEFAULT_PRODUCT_NAME,
    reference: `digest ${digest.since} to ${digest.until}`,
  };
  if (options.productUrl && isHttpUrl(options.productUrl)) view.productUrl = options.productUrl;
  return view;
}

function eventFacts(
  event: ClassifiedEvent,
  count: number,
  text: ReturnType<typeof textHelpers>,
): Fact[] {
  const c = event.classification;
  const facts: Fact[] = [
    { name: "Label", value: `${c.label} (confidence ${Math.round(c.confidence * 100)}%)` },
    { name: "Model", value: `${text.short(c.model, 80)}${c.cached ? " (cached)" : ""}` },
  ];
  const source = sourceDescription(event, text);
  if (source) facts.push({ name: "Source", value: source });
  if (count > 1) facts.push({ name: "Log lines", value: String(count) });
  facts.push({ name: "Template", value: text.cut(c.template) });
  return facts;
}

const SOURCE_FIELDS = [
  "account",
  "region",
  "logGroup",
  "logStream",
  "workspace",
  "table",
  "path",
] as const;

function sourceDescription(
  event: ClassifiedEvent,
  text: ReturnType<typeof textHelpers>,
): string | undefined {
  const parts: string[] = [event.source.provider];
  for (const field of SOURCE_FIELDS) {
    const value = event.source[field];
    if (typeof value === "string" && value.length > 0) parts.push(value);
  }
  return text.short(parts.join(" "), 300);
}

function logLine(event: ClassifiedEvent): string {
  const level = event.level ? ` ${event.level.toUpperCase()}` : "";
  const cut =
    event.truncated && event.originalBytes !== undefined
      ? ` [cut at ingestion; ${event.originalBytes} bytes in all]`
      : "";
  return `${event.timestamp}${level} ${event.message}${cut}`;
}

function similarLine(similar: NonNullable<Alert["similar"]>): string {
  return `+${similar.count} similar since ${formatTime(similar.firstSeen)} (last seen ${formatTime(similar.lastSeen)})`;
}

function alertLinks(alert: Alert): Link[] {
  const links: Link[] = [];
  const add = (title: string, url: string | undefined) => {
    const safe = safeLink(url);
    if (safe) links.push({ title, url: safe });
  };
  add("Open dashboard", alert.links.dashboard);
  add("Open logs", alert.links.logs);
  add("Runbook", alert.links.runbook);
  return links;
}

function commonDashboard(alerts: Alert[]): Link[] {
  const dashboards = new Set(alerts.map((alert) => alert.links.dashboard));
  const only = dashboards.size === 1 ? [...dashboards][0] : undefined;
  const safe = safeLink(only);
  return safe ? [{ title: "Open dashboard", url: safe }] : [];
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

function textHelpers(mask: Masker, budget: ContentBudget) {
  let cut = false;
  return {
    mask,
    /** Masked, on one line, cut to `max` characters without a note (names and ids). */
    short: (value: string, max: number) => cutChars(mask(value).replace(/\s+/g, " ").trim(), max),
    /** Masked and cut to the budget's text length; the view notes that texts were cut. */
    cut: (value: string) => {
      const masked = mask(value);
      const shown = cutChars(masked, budget.textChars);
      if (shown !== masked) cut = true;
      return shown;
    },
    textWasCut: () => cut,
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

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
