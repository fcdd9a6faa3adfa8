/** The shape of one simulated service: its traffic, its label mix, its hosts and its vocabulary. */

import type { Rng } from "../prng.js";
import type { TemplateSpec } from "../template.js";
import { podName } from "../values.js";

export interface ServiceSpec {
  name: string;
  /** Relative share of all records in steady state. */
  traffic: number;
  /**
   * Relative preventive_action and incident shares; the catalogue rescales them so the
   * traffic-weighted mix over all services is exactly the steady target (8% and 2%).
   */
  preventiveShare: number;
  incidentShare: number;
  /** Whether records carry a W3C trace id. */
  traced: boolean;
  /** The service's host names for one run, drawn from the run's seed. */
  hosts: (rng: Rng) => string[];
  /** Ordered by how common they are: rank sets the default weight inside a label bucket. */
  templates: readonly TemplateSpec[];
  /** Incident templates reserved for the new-error-burst scenario: never emitted otherwise. */
  burst: readonly TemplateSpec[];
}

/** Hosts named like the pods of a Kubernetes deployment with `replicas` replicas. */
export function podHosts(deployment: string, replicas: number): (rng: Rng) => string[] {
  return (rng) => {
    const replicaSet = podName(rng, deployment).split("-").slice(0, -1).join("-");
    const hosts: string[] = [];
    for (let i = 0; i < replicas; i++) {
      const suffix = podName(rng, "x").split("-").at(-1) as string;
      hosts.push(`${replicaSet}-${suffix}`);
    }
    return hosts;
  };
}

/** Hosts of a StatefulSet or fixed fleet: `prefix-0` .. `prefix-(count-1)`. */
export function ordinalHosts(...groups: [prefix: string, count: number][]): () => string[] {
  return () =>
    groups.flatMap(([prefix, count]) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`));
}
