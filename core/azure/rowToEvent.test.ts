import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { logEventSchema } from "../events/schema.js";
import { type AzureTable, tableToEvents } from "./rowToEvent.js";

function fixtureTable(name: string): AzureTable {
  const response = JSON.parse(
    readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8"),
  ) as { tables: AzureTable[] };
  return response.tables[0] as AzureTable;
}

const context = {
  workspace: "00000000-0000-0000-0000-0000000000aa",
  ingestedAt: "2026-01-05T10:05:00.000Z",
  maxMessageBytes: 16_384,
  fallbackTimestamp: "2026-01-05T10:02:00.000Z",
};

describe("tableToEvents", () => {
  it("maps AppTraces rows: _ItemId, severity 0-4, role name, custom dimensions", () => {
    const events = tableToEvents(fixtureTable("appTraces"), context);
    assert.equal(events.length, 3);
    const [timeout, cache, healthy] = events;
    assert.equal(timeout?.id, "5f6a1c8e-0000-4000-8000-000000000001");
    assert.equal(timeout?.timestamp, "2026-01-05T10:00:01.123Z");
    assert.equal(timeout?.service, "checkout-api");
    assert.equal(timeout?.level, "error");
    assert.equal(timeout?.message, "Payment provider timeout after 30000 ms for order 4411");
    assert.deepEqual(timeout?.source, {
      provider: "azure",
      workspace: context.workspace,
      table: "AppTraces",
    });
    assert.deepEqual(timeout?.attributes.Properties, {
      orderId: "4411",
      provider: "example-pay",
      attempt: "3",
    });
    assert.equal(timeout?.attributes.OperationName, "POST /api/checkout");
    assert.equal("Measurements" in (timeout?.attributes ?? {}), false, "null columns are left out");
    assert.equal(cache?.level, "warn");
    assert.equal(cache?.service, "cart-api");
    assert.equal(healthy?.level, "info");
    for (const event of events) assert.ok(logEventSchema.safeParse(event).success);
  });

  it("maps ContainerLogV2 rows: JSON log messages, container names, content ids for twins", () => {
    const events = tableToEvents(fixtureTable("containerLogV2"), context);
    const [refused, first, twin] = events;
    assert.equal(refused?.message, "database connection refused");
    assert.equal(refused?.level, "error");
    assert.equal(refused?.service, "orders");
    assert.deepEqual(refused?.attributes.LogMessage, {
      level: "error",
      msg: "database connection refused",
      db: "orders-primary",
      retry: 2,
    });
    assert.equal(first?.message, "GET /orders/17 200 4ms");
    assert.equal(first?.level, "info");
    assert.match(first?.id ?? "", /^[0-9a-f]{32}$/);
    assert.notEqual(first?.id, twin?.id, "identical rows stay two events");
    assert.deepEqual(
      tableToEvents(fixtureTable("containerLogV2"), context).map((e) => e.id),
      events.map((e) => e.id),
      "a re-read gives the same ids",
    );
  });

  it("gives a row the same content id whatever empty columns other tables add to the result", () => {
    const syslog = fixtureTable("syslog");
    const padded: AzureTable = {
      name: syslog.name,
      columns: [
        ...syslog.columns,
        { name: "Message", type: "string" },
        { name: "Properties", type: "dynamic" },
      ],
      rows: syslog.rows.map((row) => [...row, "", null]),
    };
    assert.deepEqual(
      tableToEvents(padded, context).map((e) => e.id),
      tableToEvents(syslog, context).map((e) => e.id),
    );
  });

  it("maps Syslog rows: severity words, host or resource name as the service", () => {
    const [ssh, oom] = tableToEvents(fixtureTable("syslog"), context);
    assert.equal(ssh?.level, "warn");
    assert.equal(ssh?.service, "web-vm-01");
    assert.equal(ssh?.attributes.ProcessName, "sshd");
    assert.match(ssh?.message ?? "", /^Failed password for invalid user admin/);
    assert.equal(oom?.level, "fatal");
    assert.equal(oom?.service, "db-vm-02", "empty Computer falls back to the resource name");
    assert.equal(oom?.source.table, "Syslog");
  });

  it("keeps a row without a message column as its JSON, and without a time at the window's end", () => {
    const [event] = tableToEvents(
      {
        name: "PrimaryResult",
        columns: [
          { name: "Name", type: "string" },
          { name: "ResultCode", type: "string" },
          { name: "Success", type: "bool" },
        ],
        rows: [["GET /api/cart", "500", false]],
      },
      context,
    );
    assert.equal(event?.message, '{"Name":"GET /api/cart","ResultCode":"500","Success":false}');
    assert.equal(event?.timestamp, context.fallbackTimestamp);
    assert.equal(event?.service, "PrimaryResult");
  });

  it("reads the SDK's converted cells (Date, parsed dynamic) like the wire ones", () => {
    const wire = fixtureTable("appTraces");
    const converted: AzureTable = {
      ...wire,
      rows: wire.rows.map((row) =>
        row.map((cell, i) => {
          const type = wire.columns[i]?.type;
          if (cell === null) return null;
          if (type === "datetime") return new Date(String(cell));
          if (type === "dynamic") return JSON.parse(String(cell)) as unknown;
          return cell;
        }),
      ),
    };
    assert.deepEqual(tableToEvents(converted, context), tableToEvents(wire, context));
  });

  it("cuts a long message and says so", () => {
    const [event] = tableToEvents(
      {
        name: "AppTraces",
        columns: [
          { name: "TimeGenerated", type: "datetime" },
          { name: "Message", type: "string" },
        ],
        rows: [["2026-01-05T10:00:00Z", "x".repeat(100)]],
      },
      { ...context, maxMessageBytes: 10 },
    );
    assert.equal(event?.message, "x".repeat(10));
    assert.equal(event?.truncated, true);
    assert.equal(event?.originalBytes, 100);
  });
});
