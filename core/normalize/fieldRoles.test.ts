import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ROLE_TREE, RoleWinners, readRoleValue } from "./fieldRoles.js";

describe("ROLE_TREE", () => {
  it("knows dotted fields both flat and nested", () => {
    assert.deepEqual(ROLE_TREE.get("log.level")?.path, ["log.level"]);
    assert.deepEqual(ROLE_TREE.get("log")?.children?.get("level")?.path, ["log", "level"]);
    assert.equal(ROLE_TREE.get("log")?.role, "message"); // Docker's "log" string
    const app = ROLE_TREE.get("kubernetes")?.children?.get("labels")?.children?.get("app");
    assert.equal(app?.role, "service");
  });
});

describe("readRoleValue", () => {
  it("accepts only usable values", () => {
    assert.equal(readRoleValue("message", "line\n"), "line");
    assert.equal(readRoleValue("message", " \n"), undefined);
    assert.equal(readRoleValue("message", 42), undefined);
    assert.equal(readRoleValue("id", 7), "7");
    assert.equal(readRoleValue("id", ""), undefined);
    assert.equal(readRoleValue("id", { $oid: "x" }), undefined);
    assert.equal(readRoleValue("service", "  api "), "api");
    assert.equal(readRoleValue("otelSeverity", "17"), "error");
    assert.equal(readRoleValue("timestamp", 1709294400), "2024-03-01T12:00:00.000Z");
  });
});

describe("RoleWinners", () => {
  it("keeps the most preferred usable field per role", () => {
    const winners = new RoleWinners();
    const name = ROLE_TREE.get("name");
    const service = ROLE_TREE.get("service");
    assert.ok(name && service);
    assert.equal(winners.offer(name, "weak"), true);
    assert.equal(winners.offer(service, ""), false); // preferred, but empty
    assert.equal(winners.values.service, "weak");
    assert.equal(winners.offer(service, "api"), true);
    assert.equal(winners.offer(name, "later"), false);
    assert.equal(winners.values.service, "api");
    assert.deepEqual(winners.paths.service, ["service"]);
  });

  it("prefers a level name over an OpenTelemetry severity number", () => {
    const winners = new RoleWinners();
    const otel = ROLE_TREE.get("severityNumber");
    const level = ROLE_TREE.get("level");
    assert.ok(otel && level);
    winners.offer(otel, 21);
    assert.equal(winners.level, "fatal");
    winners.offer(level, "warn");
    assert.equal(winners.level, "warn");
  });
});
