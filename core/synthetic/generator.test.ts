import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CREDENTIAL_PATTERNS } from "./credentialPatterns.js";
import {
  DEFAULT_START,
  generateSyntheticLogs,
  listTemplates,
  SCENARIOS,
  type SyntheticOptions,
  SyntheticOptionsError,
  type SyntheticRecord,
  scenarioDefaults,
} from "./index.js";

function take(options: SyntheticOptions): SyntheticRecord[] {
  return [...generateSyntheticLogs(options)];
}

function lines(options: SyntheticOptions): string[] {
  return take(options).map((r) => JSON.stringify(r));
}

const BASE_KEYS = ["timestamp", "level", "service", "host", "message", "label"];

describe("generateSyntheticLogs", () => {
  it("gives byte-identical output for the same seed and options", () => {
    for (const scenario of SCENARIOS) {
      const options = { scenario, seed: 1234, rate: 40, count: 5000 };
      assert.deepEqual(lines(options), lines(options), scenario);
    }
  });

  it("does not share state between concurrent generators", () => {
    const options: SyntheticOptions = { scenario: "steady", seed: 9, rate: 20, count: 2000 };
    const alone = lines(options);
    const a = generateSyntheticLogs(options);
    const b = generateSyntheticLogs({ ...options, seed: 10 });
    const interleaved: string[] = [];
    for (let i = 0; i < 2000; i++) {
      interleaved.push(JSON.stringify(a.next().value));
      b.next();
    }
    assert.deepEqual(interleaved, alone);
  });

  it("gives different output for a different seed", () => {
    const one = lines({ scenario: "steady", seed: 1, rate: 40, count: 2000 });
    const two = lines({ scenario: "steady", seed: 2, rate: 40, count: 2000 });
    const shared = one.filter((line, i) => line === two[i]).length;
    assert.ok(shared < 20, `${shared} identical lines`);
    const seeds = [0, -1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER];
    const firsts = seeds.map((seed) =>
      lines({ scenario: "steady", seed, rate: 1, count: 3 }).join(),
    );
    assert.equal(new Set(firsts).size, seeds.length, "seeds beyond 32 bits still matter");
  });

  it("writes keys in a stable order: base fields, then templateId, traceId and extras", () => {
    const records = take({
      scenario: "steady",
      seed: 5,
      rate: 50,
      count: 3000,
      includeTemplateId: true,
    });
    for (const record of records) {
      const keys = Object.keys(record);
      assert.deepEqual(keys.slice(0, 7), [...BASE_KEYS, "templateId"]);
      if (record.traceId !== undefined) {
        assert.equal(keys[7], "traceId");
        assert.match(record.traceId, /^[0-9a-f]{32}$/);
      }
      for (const key of keys.slice(6)) {
        const value = record[key];
        assert.ok(typeof value === "string" || typeof value === "number", key);
      }
    }
    const plain = take({ scenario: "steady", seed: 5, rate: 50, count: 100 });
    assert.ok(
      plain.every((r) => !("templateId" in r)),
      "templateId only when asked for",
    );
  });

  it("fills extra fields consistently with the message", () => {
    const records = take({ scenario: "steady", seed: 11, rate: 50, count: 20000 });
    const access = records.filter((r) => r.service === "web-api" && r.method !== undefined);
    assert.ok(access.length > 100);
    for (const r of access) {
      assert.ok(r.message.includes(String(r.path ?? "")));
      if (r.status !== undefined) assert.equal(typeof r.status, "number");
      if (r.durationMs !== undefined) assert.ok(r.message.includes(`${r.durationMs}ms`));
    }
    const traced = records.filter((r) => r.traceId !== undefined);
    const traceIds = new Set(traced.map((r) => r.traceId));
    assert.ok(traceIds.size < traced.length, "some traces span several records");
    const crossService = [...traceIds].some(
      (id) => new Set(traced.filter((r) => r.traceId === id).map((r) => r.service)).size > 1,
    );
    assert.ok(crossService, "some traces cross services");
  });

  it("spaces timestamps by about 1/rate, never going backwards", () => {
    const rate = 25;
    const records = take({ scenario: "steady", seed: 3, rate, count: 20000 });
    assert.equal(records[0]?.timestamp, DEFAULT_START.toISOString());
    const times = records.map((r) => Date.parse(r.timestamp));
    let total = 0;
    for (let i = 1; i < times.length; i++) {
      const gap = (times[i] as number) - (times[i - 1] as number);
      assert.ok(gap >= 0, "monotonic");
      assert.ok(gap >= 0.5 * (1000 / rate) - 1 && gap <= 1.5 * (1000 / rate) + 1, `gap ${gap}`);
      total += gap;
    }
    const mean = total / (times.length - 1);
    assert.ok(Math.abs(mean - 1000 / rate) < 0.02 * (1000 / rate), `mean gap ${mean}`);
  });

  it("starts at the given start time and stays monotonic at high rates", () => {
    const start = new Date("2025-06-30T23:59:59.500Z");
    const records = take({ scenario: "steady", seed: 3, rate: 5000, count: 20000, start });
    assert.equal(records[0]?.timestamp, start.toISOString());
    for (const r of records) assert.equal(new Date(r.timestamp).toISOString(), r.timestamp);
    for (let i = 1; i < records.length; i++)
      assert.ok((records[i]?.timestamp as string) >= (records[i - 1]?.timestamp as string));
    const last = Date.parse(records.at(-1)?.timestamp as string);
    assert.ok(Math.abs(last - start.getTime() - 4000) < 100);
  });

  it("defaults the count to the scenario's duration times the rate", () => {
    const defaults = scenarioDefaults("steady");
    let count = 0;
    for (const _ of generateSyntheticLogs({ scenario: "steady", seed: 1, rate: 2 })) count++;
    assert.equal(count, defaults.durationMinutes * 60 * 2);
  });

  it("hits the steady label mix, with web-api the busiest service", () => {
    const labels = new Map<string, number>();
    const services = new Map<string, number>();
    const count = 200_000;
    for (const r of generateSyntheticLogs({ scenario: "steady", seed: 21, rate: 50, count })) {
      labels.set(r.label, (labels.get(r.label) ?? 0) + 1);
      services.set(r.service, (services.get(r.service) ?? 0) + 1);
    }
    const share = (label: string) => (labels.get(label) ?? 0) / count;
    assert.ok(Math.abs(share("normal") - 0.9) < 0.01, `normal ${share("normal")}`);
    assert.ok(Math.abs(share("preventive_action") - 0.08) < 0.008);
    assert.ok(Math.abs(share("incident") - 0.02) < 0.004, `incident ${share("incident")}`);
    const busiest = [...services].sort((x, y) => y[1] - x[1]);
    assert.equal(busiest[0]?.[0], "web-api");
    assert.ok(services.size >= 10);
  });

  it("skews template frequency: a few very common, a rare tail, nearly all seen", () => {
    const perTemplate = new Map<string, number>();
    const count = 300_000;
    const options = {
      scenario: "steady",
      seed: 21,
      rate: 50,
      count,
      includeTemplateId: true,
    } as const;
    for (const r of generateSyntheticLogs(options))
      perTemplate.set(r.templateId as string, (perTemplate.get(r.templateId as string) ?? 0) + 1);
    const counts = [...perTemplate.values()].sort((x, y) => y - x);
    const top5 = counts.slice(0, 5).reduce((x, y) => x + y, 0) / count;
    assert.ok(top5 > 0.2, `top five templates: ${top5}`);
    assert.ok((counts.at(-1) as number) / count < 0.0002, "a rare tail exists");
    const regular = listTemplates().filter((t) => !t.reserved).length;
    assert.ok(perTemplate.size >= 0.95 * regular, `${perTemplate.size} of ${regular} seen`);
  });

  it("is not trivially cacheable: messages vary far more than templates", () => {
    const records = take({ scenario: "steady", seed: 8, rate: 50, count: 50_000 });
    const distinct = new Set(records.map((r) => r.message)).size;
    assert.ok(distinct / records.length > 0.8, `${distinct} distinct messages`);
  });

  it("uses only reserved domains and addresses, and no credential-like strings", () => {
    const docOrPrivate =
      /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|0\.0\.0\.0$)/;
    const runs = [
      generateSyntheticLogs({ scenario: "incident-spike", seed: 13, rate: 50, count: 100_000 }),
      generateSyntheticLogs({ scenario: "new-error-burst", seed: 13, rate: 50, count: 30_000 }),
      generateSyntheticLogs({ scenario: "warning-drift", seed: 13, rate: 50, count: 30_000 }),
    ];
    for (const run of runs)
      for (const r of run) {
        const text = JSON.stringify(r);
        for (const pattern of CREDENTIAL_PATTERNS) assert.doesNotMatch(text, pattern);
        for (const [, domain] of r.message.matchAll(/[\w.+-]+@([\w.-]+\.[a-z]+)/g))
          assert.match(domain as string, /(^|\.)example\.(com|org)$/, r.message);
        for (const [ip] of r.message.matchAll(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g))
          assert.match(ip, docOrPrivate, r.message);
      }
  });

  it("rejects bad options with a named error", () => {
    const bad: Partial<SyntheticOptions>[] = [
      { scenario: "nope" as never },
      { seed: 1.5 },
      { seed: Number.NaN },
      { rate: 0 },
      { rate: Number.POSITIVE_INFINITY },
      { count: -1 },
      { count: 2.5 },
      { start: new Date("not a date") },
      { start: new Date("1969-12-31T00:00:00Z") },
    ];
    for (const override of bad)
      assert.throws(
        () => generateSyntheticLogs({ scenario: "steady", seed: 1, rate: 10, ...override }),
        SyntheticOptionsError,
        JSON.stringify(override),
      );
  });

  it("generates fast enough for million-record benchmarks", () => {
    const options: SyntheticOptions = {
      scenario: "incident-spike",
      seed: 4,
      rate: 200,
      count: 200_000,
    };
    for (const _ of generateSyntheticLogs({ ...options, count: 20_000 }));
    const started = performance.now();
    let n = 0;
    for (const _ of generateSyntheticLogs(options)) n++;
    const perSecond = n / ((performance.now() - started) / 1000);
    // The target is ≥ 300k records/s; the floor here only catches pathological regressions.
    assert.ok(perSecond > 50_000, `${Math.round(perSecond)} records/s`);
  });
});
