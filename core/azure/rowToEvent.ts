import { contentId } from "../events/ids.js";
import { cutToBytes, markCut } from "../events/truncate.js";
import type { Level, LogEvent } from "../events/types.js";
import { limitDepth, setAttribute } from "../normalize/attributes.js";
import { levelFromName } from "../normalize/level.js";

/**
 * A Log Analytics result table, as the query API sends it (`columns`, rows of wire values) or as
 * the SDK hands it over (datetime cells already `Date`s, dynamic cells already parsed). Both work.
 */
export interface AzureTable {
  name: string;
  columns: readonly { name?: string; type?: string }[];
  rows: readonly (readonly unknown[])[];
}

export interface RowContext {
  workspace: string;
  ingestedAt: string;
  maxMessageBytes: number;
  /** For a row without TimeGenerated (a query that projected it away): the window's end. */
  fallbackTimestamp: string;
}

/** The columns a row's message is read from, in order of preference (AppTraces, Syslog, ContainerLogV2, Event, AzureDiagnostics…). */
const MESSAGE_COLUMNS = [
  "Message",
  "SyslogMessage",
  "LogMessage",
  "RenderedDescription",
  "ResultDescription",
  "Description",
  "LogEntry",
  "Msg",
  "message",
] as const;
const SERVICE_COLUMNS = ["AppRoleName", "ContainerName", "Computer", "_ResourceId"] as const;
const LEVEL_COLUMNS = [
  "SeverityLevel",
  "SeverityText",
  "LogLevel",
  "Level",
  "EventLevelName",
] as const;
const TIME_COLUMNS = ["TimeGenerated", "timestamp"] as const;
const ID_COLUMNS = ["_ItemId", "itemId"] as const;
/** Keys inside a structured (dynamic) message that hold the text proper. */
const INNER_MESSAGE_KEYS = ["message", "msg", "Message", "log"] as const;

/**
 * Rows of a query result as log events. Pure: the same table gives the same events.
 *
 * - id: the row's `_ItemId` (Log Analytics' own row identity) when the query returns it, else a
 *   hash of the row's non-empty cells plus its occurrence among identical rows, so two identical
 *   rows stay two events and a re-read gives the same ids, whichever other tables share the result.
 * - timestamp: TimeGenerated; service: AppRoleName, ContainerName, Computer or the resource's name;
 *   level: SeverityLevel (Application Insights' 0-4 when a number, a syslog word when text),
 *   SeverityText or LogLevel; source: `{ provider: "azure", workspace, table }` with the table
 *   from the row's `Type` column (a `union *` answers in one table named PrimaryResult).
 * - every other non-empty column goes into `attributes`.
 */
export function tableToEvents(table: AzureTable, context: RowContext): LogEvent[] {
  const names = table.columns.map((column, index) => column.name ?? `column${index}`);
  const types = table.columns.map((column) => column.type ?? "string");
  const occurrences = new Map<string, number>();
  const events: LogEvent[] = [];
  for (const cells of table.rows) {
    const row = rowRecord(names, types, cells);
    // Empty cells are left out: `union *` pads a row with the columns of the other tables present
    // in the same result, so the set of empty columns changes from one window to the next.
    const identity = stableJson(withoutEmpty(row, NOTHING));
    const occurrence = occurrences.get(identity) ?? 0;
    occurrences.set(identity, occurrence + 1);
    events.push(rowToEvent(row, table.name, identity, occurrence, context));
  }
  return events;
}

type Row = Record<string, unknown>;
const NOTHING: ReadonlySet<string> = new Set();

function rowRecord(names: readonly string[], types: readonly string[], cells: readonly unknown[]) {
  const row: Row = {};
  for (let i = 0; i < names.length; i++)
    setAttribute(row, names[i] as string, wireValue(cells[i], types[i] as string));
  return row;
}

/** Datetimes as ISO strings (millisecond precision, as the SDK's Dates have), dynamic cells parsed. */
function wireValue(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === "datetime") {
    const date = value instanceof Date ? value : new Date(String(value));
    return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
  }
  if (type === "dynamic" && typeof value === "string") {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  if (value instanceof Date) return value.toISOString();
  return value;
}

function rowToEvent(
  row: Row,
  resultTable: string,
  identity: string,
  occurrence: number,
  context: RowContext,
): LogEvent {
  const table = nonEmptyString(row.Type) ?? resultTable;
  const used = new Set<string>(["Type"]);
  const pick = (columns: readonly string[]) => {
    for (const column of columns) {
      const value = row[column];
      if (value !== null && value !== undefined && value !== "") return { column, value };
    }
    return undefined;
  };

  const idCell = pick(ID_COLUMNS);
  const id =
    typeof idCell?.value === "string"
      ? idCell.value
      : contentId("azure", context.workspace, table, identity, occurrence);

  const time = pick(TIME_COLUMNS);
  if (time) used.add(time.column);
  const parsedTime = time ? Date.parse(String(time.value)) : Number.NaN;
  const timestamp = Number.isNaN(parsedTime)
    ? context.fallbackTimestamp
    : new Date(parsedTime).toISOString();

  const service = serviceOf(pick(SERVICE_COLUMNS)) ?? table;

  let level: Level | undefined;
  for (const column of LEVEL_COLUMNS) {
    level = levelOf(row[column]);
    if (level) break;
  }

  const attributes: Record<string, unknown> = {};
  const messageCell = pick(MESSAGE_COLUMNS);
  let message: string;
  if (messageCell === undefined) {
    message = stableJson(withoutEmpty(row, used));
  } else {
    used.add(messageCell.column);
    const structured = structuredMessage(messageCell.value);
    message = structured.text;
    if (structured.fields) setAttribute(attributes, messageCell.column, structured.fields);
    level ??= structured.level;
  }
  for (const [column, value] of Object.entries(withoutEmpty(row, used)))
    setAttribute(attributes, column, value);
  limitDepth(attributes);

  const bounded = cutToBytes(message, context.maxMessageBytes);
  const event: LogEvent = {
    id,
    timestamp,
    ingestedAt: context.ingestedAt,
    source: { provider: "azure", workspace: context.workspace, table },
    service,
    message: bounded.text,
    attributes,
  };
  if (level) event.level = level;
  markCut(event, bounded);
  return event;
}

function serviceOf(cell: { column: string; value: unknown } | undefined): string | undefined {
  if (!cell || typeof cell.value !== "string") return undefined;
  if (cell.column !== "_ResourceId") return cell.value.slice(0, 512);
  // /subscriptions/…/providers/Microsoft.Compute/virtualMachines/web-vm-01 → web-vm-01
  const parts = cell.value.split("/").filter((part) => part.length > 0);
  return parts.at(-1)?.slice(0, 512);
}

/** Application Insights' SeverityLevel: 0 Verbose, 1 Information, 2 Warning, 3 Error, 4 Critical. */
const APP_INSIGHTS_SEVERITY: readonly Level[] = ["debug", "info", "warn", "error", "fatal"];

function levelOf(value: unknown): Level | undefined {
  if (typeof value === "number") return APP_INSIGHTS_SEVERITY[value];
  if (typeof value === "string") return levelFromName(value);
  return undefined;
}

/** A dynamic message cell (ContainerLogV2's LogMessage holds parsed JSON for JSON log lines). */
function structuredMessage(value: unknown): {
  text: string;
  fields?: Record<string, unknown>;
  level?: Level;
} {
  if (typeof value === "string") return { text: value };
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { text: JSON.stringify(value) };
  const fields = value as Record<string, unknown>;
  const inner = INNER_MESSAGE_KEYS.map((key) => fields[key]).find(
    (candidate) => typeof candidate === "string" && candidate.length > 0,
  ) as string | undefined;
  const level = levelOf(fields.level ?? fields.severity ?? fields.lvl);
  return {
    text: inner ?? stableJson(fields),
    fields,
    ...(level && { level }),
  };
}

function withoutEmpty(row: Row, skip: ReadonlySet<string>): Row {
  const kept: Row = {};
  for (const [column, value] of Object.entries(row)) {
    if (skip.has(column) || value === null || value === "") continue;
    setAttribute(kept, column, value);
  }
  return kept;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** JSON with object keys sorted, so equal rows hash equal whatever order their keys came in. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== "object" || inner === null || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort())
      setAttribute(sorted, key, (inner as Record<string, unknown>)[key]);
    return sorted;
  });
}
