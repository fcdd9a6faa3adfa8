/**
 * Synthetic multi-service logs with ground-truth labels: the source behind `sentinel produce` and
 * every benchmark. Deterministic from the seed; scenarios add a spike, a drift or a burst of new
 * errors whose place `describeScenario` reports.
 */

export { listServices, listTemplates } from "./catalog.js";
export { SyntheticOptionsError } from "./errors.js";
export { generateSyntheticLogs } from "./generator.js";
export { DEFAULT_START, describeScenario, scenarioDefaults } from "./scenarios.js";
export {
  SCENARIOS,
  type Scenario,
  type ScenarioDefaults,
  type ScenarioDescription,
  type ScenarioEffect,
  type SyntheticOptions,
  type SyntheticRecord,
  type TemplateInfo,
} from "./types.js";
