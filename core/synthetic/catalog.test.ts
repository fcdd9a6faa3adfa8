import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getCatalog, listServices, listTemplates, STEADY_MIX } from "./catalog.js";
import { CREDENTIAL_PATTERNS } from "./credentialPatterns.js";
import { compilePattern } from "./template.js";
import type { TemplateInfo } from "./types.js";

/**
 * What a reasonable template keyer would keep of a pattern: placeholders, numbers, paths and
 * quoted values become `<*>`, literal words stay.
 */
function skeleton(pattern: string): string[] {
  const masked = pattern
    .replace(/\{[^{}]*\}/g, "<*>")
    .replace(/"[^"]*"/g, "<*>")
    .replace(/(^|[\s=(:])'[^']*'/g, "$1<*>");
  return masked
    .split(/\s+/)
    .filter((token) => token !== "")
    .map((token) => (/<\*>|\d|^\//.test(token) ? "<*>" : token));
}

const templates = listTemplates();
const regular = templates.filter((t) => !t.reserved);
const reserved = templates.filter((t) => t.reserved);

/** Pairs of templates that differ only in one literal word and carry different labels. */
function constantWordPairs(): [TemplateInfo, TemplateInfo, string, string][] {
  const pairs: [TemplateInfo, TemplateInfo, string, string][] = [];
  const skeletons = regular.map((t) => skeleton(t.pattern));
  for (let i = 0; i < regular.length; i++) {
    for (let j = i + 1; j < regular.length; j++) {
      const a = skeletons[i] as string[];
      const b = skeletons[j] as string[];
      const ta = regular[i] as TemplateInfo;
      const tb = regular[j] as TemplateInfo;
      if (a.length !== b.length || ta.label === tb.label) continue;
      const diffs = a.flatMap((token, k) => (token === b[k] ? [] : [k]));
      if (diffs.length !== 1) continue;
      const k = diffs[0] as number;
      const wa = (a[k] as string).replace(/[^A-Za-z-]/g, "");
      const wb = (b[k] as string).replace(/[^A-Za-z-]/g, "");
      if (/^[A-Za-z-]+$/.test(wa) && /^[A-Za-z-]+$/.test(wb)) pairs.push([ta, tb, wa, wb]);
    }
  }
  return pairs;
}

describe("synthetic template catalogue", () => {
  it("has at least 400 regular templates over at least 10 services", () => {
    assert.ok(regular.length >= 400, `only ${regular.length} templates`);
    const services = listServices();
    assert.ok(services.length >= 10);
    for (const service of services) {
      const own = regular.filter((t) => t.service === service);
      assert.ok(own.length >= 25, `${service} has only ${own.length} templates`);
      for (const label of ["normal", "preventive_action", "incident"] as const)
        assert.ok(
          own.filter((t) => t.label === label).length >= 5,
          `${service} has too few ${label} templates`,
        );
      assert.ok(
        reserved.filter((t) => t.service === service).length >= 3,
        `${service} has too few burst templates`,
      );
    }
  });

  it("compiles every pattern and gives every template a unique stable id", () => {
    for (const t of templates) assert.doesNotThrow(() => compilePattern(t.pattern), t.pattern);
    assert.equal(new Set(templates.map((t) => t.id)).size, templates.length);
    assert.match(templates[0]?.id ?? "", /^web-api-[0-9a-f]{8}$/);
  });

  it("rejects malformed patterns and unknown placeholders", () => {
    assert.throws(() => compilePattern("value {nosuchkind}"), /unknown placeholder/);
    assert.throws(() => compilePattern("value {int:1:2"), /unbalanced/);
    assert.throws(() => compilePattern("value int:1:2}"), /unbalanced/);
    assert.throws(() => compilePattern("{message=int:1:2}"), /reserved/);
    assert.throws(() => compilePattern("{int:a:b}"), /numeric/);
  });

  it("logs each label at a plausible level", () => {
    const byLabel = (label: string) => templates.filter((t) => t.label === label);
    for (const t of byLabel("normal"))
      assert.ok(["trace", "debug", "info", "notice"].includes(t.level), t.pattern);
    const preventive = byLabel("preventive_action");
    for (const t of preventive) assert.ok(["info", "notice", "warn"].includes(t.level), t.pattern);
    assert.ok(preventive.filter((t) => t.level === "warn").length / preventive.length >= 0.8);
    const incidents = byLabel("incident");
    for (const t of incidents) assert.ok(["warn", "error", "fatal"].includes(t.level), t.pattern);
    const loud = incidents.filter((t) => t.level === "error" || t.level === "fatal").length;
    assert.ok(loud / incidents.length >= 0.85, "incidents should mostly be error or fatal");
    assert.ok(loud < incidents.length, "a few incidents are logged at warn, as people do");
  });

  it("never gives two templates the same keyed shape with different labels", () => {
    const seen = new Map<string, TemplateInfo>();
    for (const t of templates) {
      const key = skeleton(t.pattern).join(" ");
      const other = seen.get(key);
      assert.ok(
        other === undefined || other.label === t.label,
        `"${t.pattern}" (${t.label}) and "${other?.pattern}" (${other?.label}) key alike`,
      );
      seen.set(key, t);
    }
  });

  it("keeps every template's keyed shape distinct within its service", () => {
    for (const service of listServices()) {
      const keys = templates
        .filter((t) => t.service === service)
        .map((t) => skeleton(t.pattern).join(" "));
      const dupes = keys.filter((k, i) => keys.indexOf(k) !== i);
      assert.deepEqual(dupes, [], `${service} has templates that key alike`);
    }
  });

  it("has constant-word pairs with different labels, to catch an over-merging keyer", () => {
    const pairs = constantWordPairs();
    assert.ok(pairs.length >= 15, `only ${pairs.length} pairs`);
    const words = new Set(pairs.map(([, , a, b]) => [a, b].sort().join("/")));
    for (const expected of [
      "established/failed",
      "captured/declined",
      "failed/processed",
      "invalid/valid",
      "broken/healthy",
      "fail/ok",
      "locked/unlocked",
      "mismatch/verified",
      "failed/succeeded",
    ])
      assert.ok(words.has(expected), `missing pair ${expected}; have ${[...words].join(", ")}`);
    const connection = pairs.find(([a, b]) =>
      [a.pattern, b.pattern].every((p) => p.startsWith("connection ")),
    );
    assert.ok(connection, "connection established/failed pair");
    assert.deepEqual(
      new Set([connection[0].label, connection[1].label]),
      new Set(["normal", "incident"]),
    );
  });

  it("reserves burst templates whose shape no regular template has", () => {
    const regularKeys = new Set(regular.map((t) => skeleton(t.pattern).join(" ")));
    for (const t of reserved) {
      assert.equal(t.label, "incident");
      assert.ok(!regularKeys.has(skeleton(t.pattern).join(" ")), t.pattern);
    }
  });

  it("rescales per-service shares so steady traffic hits the target mix exactly", () => {
    const catalog = getCatalog();
    let preventive = 0;
    let incident = 0;
    let previous = 0;
    catalog.services.forEach((service, i) => {
      const weight = (catalog.trafficCumulative[i] as number) - previous;
      previous = catalog.trafficCumulative[i] as number;
      preventive += weight * service.preventiveShare;
      incident += weight * service.incidentShare;
    });
    assert.ok(Math.abs(preventive / catalog.trafficTotal - STEADY_MIX.preventive_action) < 1e-9);
    assert.ok(Math.abs(incident / catalog.trafficTotal - STEADY_MIX.incident) < 1e-9);
    assert.equal(catalog.services[0]?.name, "web-api", "web-api is the busiest service");
  });

  it("recognises credential shapes, so the check below means something", () => {
    const samples = [
      `AKIA${"IOSFODNN7EXAMPLE"}`,
      `password=${"hunter2"}`,
      `postgres://app:${"pw"}@db.example.com/shop`,
      `${"eyJhbGciOiJIUzI1NiJ9"}.${"eyJzdWIiOiIxIn0"}.sig`,
    ];
    for (const sample of samples)
      assert.ok(
        CREDENTIAL_PATTERNS.some((p) => p.test(sample)),
        sample,
      );
  });

  it("contains nothing that looks like a credential", () => {
    for (const t of templates)
      for (const pattern of CREDENTIAL_PATTERNS) assert.doesNotMatch(t.pattern, pattern, t.pattern);
  });
});
