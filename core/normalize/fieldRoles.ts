import type { Level } from "../events/types.js";
import { levelFromOtelSeverityNumber, levelFromValue } from "./level.js";
import { isoFromMs, timestampFromValue } from "./timestamp.js";

/**
 * Which structured fields (JSON keys, logfmt keys) carry the message, time, level, service and
 * event id, in the order they are preferred. One table for every structured format.
 *
 * A dotted name such as `log.level` matches both the flat key `"log.level"` (ECS, logfmt) and the
 * nested path `{"log":{"level":...}}`. A field counts only when its value is usable (a `message`
 * that is an object, or a `time` that is not a time, is left in the attributes).
 */

export type FieldRole = "message" | "timestamp" | "level" | "otelSeverity" | "service" | "id";

const ROLE_FIELDS: Readonly<Record<FieldRole, readonly string[]>> = {
  message: ["message", "msg", "log", "text", "@message", "@m", "MESSAGE", "body", "event", "@mt"],
  timestamp: [
    "timestamp",
    "time",
    "@timestamp",
    "ts",
    "datetime",
    "date",
    "eventTime",
    "t",
    "@t",
    "timeMillis", // log4j2 JsonLayout
    "instant", // log4j2 JsonTemplateLayout: {epochSecond, nanoOfSecond}
    "__REALTIME_TIMESTAMP", // journald, microseconds
    "timeUnixNano", // OpenTelemetry
  ],
  level: [
    "level",
    "severity",
    "lvl",
    "loglevel",
    "log.level",
    "severity_text",
    "severityText",
    "levelname",
    "level_name",
    "@l",
    "log_level",
    "@level",
    "PRIORITY", // journald, syslog severity
  ],
  otelSeverity: ["severity_number", "severityNumber"],
  service: [
    "service",
    "app",
    "application",
    "logger",
    "component",
    "service.name",
    "serviceName",
    "service_name",
    "logger_name",
    "log.logger",
    "kubernetes.labels.app",
    "fields.service",
    "fields.app",
    "SYSLOG_IDENTIFIER", // journald
    "name", // last: bunyan's app name, but often something else
  ],
  id: ["id", "eventId", "event_id", "eventID", "_id", "uuid", "event.id"],
};

export interface RoleNode {
  role?: FieldRole;
  /** Lower is preferred among fields of the same role. */
  priority: number;
  /** Where this node sits: `["log", "level"]` for the nested field, `["log.level"]` for the flat. */
  path: readonly string[];
  children?: Map<string, RoleNode>;
}

function buildRoleTree(): Map<string, RoleNode> {
  const root = new Map<string, RoleNode>();
  const nodeAt = (level: Map<string, RoleNode>, path: readonly string[]): RoleNode => {
    const key = path[path.length - 1] as string;
    let node = level.get(key);
    if (node === undefined) {
      node = { priority: Number.MAX_SAFE_INTEGER, path };
      level.set(key, node);
    }
    return node;
  };
  for (const [role, fields] of Object.entries(ROLE_FIELDS) as [FieldRole, readonly string[]][]) {
    fields.forEach((field, priority) => {
      const flat = nodeAt(root, [field]);
      flat.role = role;
      flat.priority = priority;
      const path = field.split(".");
      if (path.length === 1) return;
      let level = root;
      for (let depth = 1; depth < path.length; depth++) {
        const parent = nodeAt(level, path.slice(0, depth));
        parent.children ??= new Map();
        level = parent.children;
      }
      const nested = nodeAt(level, path);
      nested.role = role;
      nested.priority = priority;
    });
  }
  return root;
}

/** The field tree: top-level keys (flat dotted names included), with nested paths as children. */
export const ROLE_TREE: ReadonlyMap<string, RoleNode> = buildRoleTree();

/** Reads `value` as `role`; undefined when it does not fit (wrong type, empty, unparseable). */
export function readRoleValue(role: FieldRole, value: unknown): string | undefined {
  switch (role) {
    case "message": {
      if (typeof value !== "string") return undefined;
      const message = value.trimEnd();
      return message.length > 0 ? message : undefined;
    }
    case "timestamp": {
      const ms = timestampFromValue(value);
      return ms === undefined ? undefined : isoFromMs(ms);
    }
    case "level":
      return levelFromValue(value);
    case "otelSeverity": {
      const n = typeof value === "string" ? Number(value) : value;
      return typeof n === "number" ? levelFromOtelSeverityNumber(n) : undefined;
    }
    case "service": {
      if (typeof value !== "string") return undefined;
      const service = value.trim();
      return service.length > 0 ? service : undefined;
    }
    case "id":
      if (typeof value === "string") return value.length > 0 ? value : undefined;
      return typeof value === "number" && Number.isFinite(value) ? String(value) : undefined;
  }
}

/**
 * The winning field per role while walking one record: the candidate with the lowest priority
 * whose value is usable. `path` says where it was, so the caller can leave it out of attributes.
 */
export class RoleWinners {
  readonly values: Partial<Record<FieldRole, string>> = {};
  readonly #priority: Partial<Record<FieldRole, number>> = {};
  readonly paths: Partial<Record<FieldRole, readonly string[]>> = {};

  /** Offers a field; returns true when it became its role's winner. */
  offer(node: RoleNode, value: unknown): boolean {
    const role = node.role;
    if (role === undefined) return false;
    const best = this.#priority[role];
    if (best !== undefined && best <= node.priority) return false;
    const read = readRoleValue(role, value);
    if (read === undefined) return false;
    this.values[role] = read;
    this.#priority[role] = node.priority;
    this.paths[role] = node.path;
    return true;
  }

  get level(): Level | undefined {
    return (this.values.level ?? this.values.otelSeverity) as Level | undefined;
  }
}
