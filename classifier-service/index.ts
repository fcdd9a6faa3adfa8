export { bearerTokenCheck } from "./auth.js";
export { BatchQueue } from "./batchQueue.js";
export { HttpError, QueueFullError } from "./errors.js";
export type { Readiness } from "./handlers.js";
export { type RunOptions, runClassifierService } from "./main.js";
export { ServiceMetrics } from "./metrics.js";
export {
  createModelFromConfig,
  type LlmLoader,
  type ModelConfig,
  type ModelFactory,
} from "./modelFactory.js";
export {
  ClassifierService,
  type ClassifierServiceOptions,
  type ServiceState,
  type ShutdownResult,
} from "./server.js";
export { type ClassifyRequestLimits, parseClassifyRequest } from "./validation.js";
