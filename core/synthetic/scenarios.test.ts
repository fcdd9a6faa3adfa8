import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  describeScenario,
  generateSyntheticLogs,
  listTemplates,
  SCENARIOS,
  type ScenarioDescription,
  type SyntheticOptions,
  type SyntheticRecord,
  scenarioDefaults,
} from "./index.js";

function minuteOf(record: SyntheticRecord, d: ScenarioDescription): number {
  return Math.floor((Date.parse(record.timestamp) - Date.parse(d.runStart)) / 60_000);
}

/** Counts, per minute of event time, the records of a run that match `keep`. */
function perMinute(options: SyntheticOptions, keep: (r: SyntheticRecord) => boolean): number[] {
  const d = describeScenario(options);
  const buckets = new Array<number>(Math.ceil(d.durationMinutes) + 1).fill(0);
  for (const r of generateSyntheticLogs(options)) {
    const minute = minuteOf(r, d);
    if (keep(r)) buckets[minute] = (buckets[minute] ?? 0) + 1;
  }
  return buckets;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe("scenarioDefaults", () => {
  it("leaves a detector at least 60 one-minute buckets of baseline before any effect", () => {
    for (const scenario of SCENARIOS) {
      const d = scenarioDefaults(scenario);
      assert.ok(d.durationMinutes >= 60 && d.rate > 0);
      if (scenario === "incident-spike" || scenario === "new-error-burst")
        assert.ok((d.effectStartMinute as number) >= 60, scenario);
      if (scenario !== "steady") {
        assert.ok((d.effectEndMinute as number) <= d.durationMinutes);
        assert.ok(d.candidateServices.length >= d.affectedServiceCount);
      }
    }
  });
});

describe("describeScenario", () => {
  it("picks the affected service from the seed, deterministically", () => {
    const pick = (seed: number) =>
      describeScenario({ scenario: "incident-spike", seed, rate: 50 }).affectedService;
    assert.equal(pick(7), pick(7));
    const picks = new Set(Array.from({ length: 30 }, (_, seed) => pick(seed)));
    assert.ok(picks.size >= 3, `only ${[...picks].join(", ")}`);
    assert.equal(describeScenario({ scenario: "steady", seed: 1, rate: 50 }).affectedService, null);
  });

  it("places the window at the default minutes and stretches it with the run", () => {
    const d = describeScenario({ scenario: "incident-spike", seed: 1, rate: 50 });
    assert.equal(d.startMinute, 70);
    assert.equal(d.endMinute, 75);
    assert.equal(d.start, "2026-01-01T01:10:00.000Z");
    assert.equal(d.end, "2026-01-01T01:15:00.000Z");
    const short = describeScenario({ scenario: "incident-spike", seed: 1, rate: 10, count: 9000 });
    assert.equal(short.durationMinutes, 15);
    assert.ok(Math.abs((short.startMinute as number) - (70 * 15) / 90) < 1e-9);
    const drift = describeScenario({ scenario: "warning-drift", seed: 1, rate: 50 });
    assert.equal(drift.affectedServices.length, 2);
    assert.equal(drift.affectedLabel, "preventive_action");
  });
});

describe("incident-spike", () => {
  const options: SyntheticOptions = { scenario: "incident-spike", seed: 7, rate: 20 };
  const d = describeScenario(options);
  const start = d.startMinute as number;
  const end = d.endMinute as number;

  it("raises the affected service's incident rate at least fivefold, then recovers", () => {
    const incidents = perMinute(
      options,
      (r) => r.service === d.affectedService && r.label === "incident",
    );
    const baseline = mean(incidents.slice(0, start));
    const spike = mean(incidents.slice(start, end));
    const after = mean(incidents.slice(end + 5, Math.floor(d.durationMinutes)));
    assert.ok(baseline > 0);
    assert.ok(spike >= 5 * baseline, `spike ${spike}/min vs baseline ${baseline}/min`);
    assert.ok(after < 2 * baseline, `after ${after}/min vs baseline ${baseline}/min`);
  });

  it("leaves the other services alone", () => {
    const others = perMinute(
      options,
      (r) => r.service !== d.affectedService && r.label === "incident",
    );
    assert.ok(mean(others.slice(start, end)) < 1.5 * mean(others.slice(0, start)));
  });

  it("matches the steady run record for record before the spike", () => {
    const spiky = generateSyntheticLogs(options);
    const steady = generateSyntheticLogs({ ...options, scenario: "steady", count: d.count });
    let compared = 0;
    for (const record of spiky) {
      if (record.timestamp >= (d.start as string)) break;
      assert.deepEqual(record, steady.next().value);
      compared++;
    }
    assert.ok(compared > 1000);
  });
});

describe("new-error-burst", () => {
  const options: SyntheticOptions = {
    scenario: "new-error-burst",
    seed: 3,
    rate: 20,
    includeTemplateId: true,
  };
  const d = describeScenario(options);
  const reserved = new Set(d.newTemplateIds);

  it("emits its new templates only inside the burst, all of them, from the affected service", () => {
    assert.ok(reserved.size >= 3);
    const seen = new Set<string>();
    for (const r of generateSyntheticLogs(options)) {
      if (!reserved.has(r.templateId as string)) continue;
      assert.ok(r.timestamp >= (d.start as string) && r.timestamp < (d.end as string), r.timestamp);
      assert.equal(r.service, d.affectedService);
      assert.equal(r.label, "incident");
      seen.add(r.templateId as string);
    }
    assert.deepEqual(seen, reserved);
  });

  it("makes the burst stand out in the affected service's incident rate", () => {
    const incidents = perMinute(
      options,
      (r) => r.service === d.affectedService && r.label === "incident",
    );
    const baseline = mean(incidents.slice(0, d.startMinute as number));
    const burst = mean(incidents.slice(d.startMinute as number, d.endMinute as number));
    assert.ok(burst >= 5 * baseline, `burst ${burst}/min vs baseline ${baseline}/min`);
  });

  it("never emits reserved templates in the other scenarios", () => {
    const reservedAny = new Set(
      listTemplates()
        .filter((t) => t.reserved)
        .map((t) => t.id),
    );
    for (const scenario of ["steady", "incident-spike", "warning-drift"] as const) {
      const run = generateSyntheticLogs({ scenario, seed: 3, rate: 20, includeTemplateId: true });
      for (const r of run) assert.ok(!reservedAny.has(r.templateId as string), scenario);
    }
  });
});

describe("warning-drift", () => {
  const options: SyntheticOptions = { scenario: "warning-drift", seed: 5, rate: 20 };
  const d = describeScenario(options);
  const segments = 6;
  /** Per service: [preventive, total] per sixth of the run. */
  const counts = new Map<string, [number, number][]>();
  for (const r of generateSyntheticLogs(options)) {
    let perSegment = counts.get(r.service);
    if (perSegment === undefined) {
      perSegment = Array.from({ length: segments }, () => [0, 0] as [number, number]);
      counts.set(r.service, perSegment);
    }
    const segment = perSegment[Math.floor((minuteOf(r, d) * segments) / d.durationMinutes)];
    if (segment === undefined) continue;
    if (r.label === "preventive_action") segment[0]++;
    segment[1]++;
  }

  it("grows the affected services' preventive share slowly to about 30%", () => {
    for (const service of d.affectedServices) {
      const shares = (counts.get(service) ?? []).map(([p, n]) => p / n);
      assert.equal(shares.length, segments);
      assert.ok((shares[0] as number) < 0.14, `${service} starts at ${shares[0]}`);
      assert.ok((shares.at(-1) as number) > 0.24, `${service} ends at ${shares.at(-1)}`);
      for (let s = 1; s < segments; s++)
        assert.ok(
          (shares[s] as number) > (shares[s - 1] as number) - 0.01,
          `${service}: ${shares}`,
        );
    }
  });

  it("keeps the other services at the steady mix", () => {
    let preventive = 0;
    let total = 0;
    for (const [service, perSegment] of counts) {
      if (d.affectedServices.includes(service)) continue;
      for (const [p, n] of perSegment) {
        preventive += p;
        total += n;
      }
    }
    assert.ok(preventive / total < 0.1, `others at ${preventive / total}`);
  });
});
