/**
 * The record loop: pick a service by traffic, a label by the service's (scenario-adjusted) mix, a
 * template by rank-skewed weight, then render it. One PRNG stream drives the records, so the same
 * options always give the same sequence.
 */

import { type CatalogService, getCatalog, pickWeighted, searchCumulative } from "./catalog.js";
import { deriveSeed, Rng } from "./prng.js";
import { EFFECT_TUNING, planRun, type RunPlan } from "./scenarios.js";
import { type CompiledTemplate, renderTemplate } from "./template.js";
import type { SyntheticOptions, SyntheticRecord } from "./types.js";
import { hex } from "./values.js";

/** Share of traced records that continue a recent trace instead of starting one. */
const TRACE_REUSE_SHARE = 0.3;
const TRACE_RING_SIZE = 64;

const MILLIS = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(3, "0")}Z`);

/** ISO-8601 timestamps for a non-decreasing clock, formatting each second only once. */
class IsoClock {
  private second = Number.NaN;
  private prefix = "";

  format(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      this.prefix = new Date(second * 1000).toISOString().slice(0, 20);
    }
    return this.prefix + (MILLIS[ms - second * 1000] as string);
  }
}

/**
 * Generates synthetic log records with ground-truth labels. Options are checked at once (a
 * `SyntheticOptionsError` names the bad one); records are produced lazily.
 *
 * @example
 * for (const record of generateSyntheticLogs({ scenario: "incident-spike", seed: 42, rate: 50 })) {
 *   process.stdout.write(`${JSON.stringify(record)}\n`);
 * }
 */
export function generateSyntheticLogs(options: SyntheticOptions): Generator<SyntheticRecord> {
  return records(planRun(options));
}

function* records(plan: RunPlan): Generator<SyntheticRecord> {
  const catalog = getCatalog();
  const services = catalog.services;
  const trafficCumulative = catalog.trafficCumulative;
  const trafficTotal = catalog.trafficTotal;
  const effects = plan.effects;
  const includeTemplateId = plan.includeTemplateId;
  const intervalMs = plan.intervalMs;

  const hostRng = new Rng(deriveSeed(plan.seed, "hosts"));
  const hosts = services.map((s) => s.hosts(hostRng));
  const rng = new Rng(deriveSeed(plan.seed, "records"));
  const traceRing: string[] = [];
  let traceCount = 0;

  const clock = new IsoClock();
  let time = plan.startMs;
  for (let i = 0; i < plan.count; i++) {
    if (i > 0) time += intervalMs * (0.5 + rng.float());
    const ms = Math.floor(time);
    const service = services[
      searchCumulative(trafficCumulative, rng.float() * trafficTotal)
    ] as CatalogService;
    const serviceHosts = hosts[service.index] as string[];

    let incidentShare = service.incidentShare;
    let preventiveShare = service.preventiveShare;
    let template: CompiledTemplate | undefined;
    let host: string | undefined;
    const effect = effects[service.index];
    if (effect != null && ms >= effect.fromMs) {
      if (effect.kind === "spike") {
        if (ms < effect.toMs) {
          if (rng.float() < effect.incidentShare) {
            template =
              rng.float() < EFFECT_TUNING.spikeFocusShare
                ? rng.pick(effect.outageTemplates)
                : pickWeighted(service.incident, rng);
            if (rng.float() < EFFECT_TUNING.spikeHotHostShare) host = serviceHosts[effect.hotHost];
          } else {
            incidentShare = 0;
          }
        } else if (ms < effect.recoveryToMs) {
          incidentShare *= 2;
          preventiveShare *= 3;
        }
      } else if (effect.kind === "drift") {
        const progress =
          ms >= effect.toMs ? 1 : (ms - effect.fromMs) / (effect.toMs - effect.fromMs);
        preventiveShare = effect.fromShare + (effect.toShare - effect.fromShare) * progress;
        if (rng.float() < preventiveShare) {
          template =
            rng.float() < EFFECT_TUNING.driftFocusShare
              ? pickWeighted(effect.themed, rng)
              : pickWeighted(service.preventive, rng);
        }
        // The drift took its own draw: what is left is the incident-or-normal choice.
        preventiveShare = 0;
      } else if (ms < effect.toMs) {
        if (rng.float() < EFFECT_TUNING.burstIncidentShare) {
          template =
            rng.float() < EFFECT_TUNING.burstNewTemplateShare
              ? pickWeighted(effect.newTemplates, rng)
              : pickWeighted(service.incident, rng);
        } else {
          incidentShare = 0;
        }
      }
    }

    if (template === undefined) {
      const u = rng.float();
      template =
        u < incidentShare
          ? pickWeighted(service.incident, rng)
          : u < incidentShare + preventiveShare
            ? pickWeighted(service.preventive, rng)
            : pickWeighted(service.normal, rng);
    }
    host ??= serviceHosts[rng.uint32() % serviceHosts.length] as string;

    const record: SyntheticRecord = {
      timestamp: clock.format(ms),
      level: template.level,
      service: service.name,
      host,
      message: "",
      label: template.label,
    };
    if (includeTemplateId) record.templateId = template.id;
    if (service.traced) {
      let traceId: string;
      if (traceCount > 0 && rng.float() < TRACE_REUSE_SHARE) {
        traceId = traceRing[rng.uint32() % traceRing.length] as string;
      } else {
        traceId = hex(rng, 32);
        traceRing[traceCount % TRACE_RING_SIZE] = traceId;
        traceCount++;
      }
      record.traceId = traceId;
    }
    record.message = renderTemplate(template, rng, record);
    yield record;
  }
}
