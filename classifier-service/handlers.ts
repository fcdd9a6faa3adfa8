import type { IncomingMessage } from "node:http";
import type { CachingClassifier } from "../core/classifier/cachingClassifier.js";
import type { Config } from "../core/config/schema.js";
import { MAX_ATTRIBUTE_DEPTH } from "../core/events/attributeBounds.js";
import type { Logger } from "../core/logging/logger.js";
import type { BatchQueue } from "./batchQueue.js";
import { ClientGoneError, HttpError, QueueFullError } from "./errors.js";
import type { ServiceMetrics } from "./metrics.js";
import { readJsonBody } from "./requestBody.js";
import { parseClassifyRequest } from "./validation.js";

/** Why the service can or cannot classify right now; what `/readyz` reports. */
export type Readiness =
  | { ready: true; status: "ready"; model: string }
  | {
      ready: false;
      status: "starting" | "loading" | "failed" | "draining" | "stopped";
      reason: string;
    };

/** What the route handlers need from the service. */
export interface RouteContext {
  config: Config;
  logger: Logger;
  metrics: ServiceMetrics;
  queue: BatchQueue;
  readiness(): Readiness;
  classifier(): CachingClassifier | undefined;
  /** Said on /healthz: set when the service runs unauthenticated. */
  warning?: string;
}

/** A handler's answer: a JSON body, or text with its own content type. */
export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; contentType: string; headers?: Record<string, string> };

export interface Route {
  method: "GET" | "POST";
  /** Routes that answer without a bearer token: the orchestrator's probes. */
  public?: boolean;
  handle(context: RouteContext, request: IncomingMessage): Promise<Reply>;
}

/** 200 while the process is up, whatever the model is doing; says so if it is unauthenticated. */
const healthz: Route = {
  method: "GET",
  public: true,
  async handle(context) {
    const body = context.warning === undefined ? {} : { warning: context.warning };
    return { status: 200, json: { status: "ok", ...body } };
  },
};

/** 200 only with a loaded model and no shutdown under way; 503 with the reason otherwise. */
const readyz: Route = {
  method: "GET",
  public: true,
  async handle(context) {
    const readiness = context.readiness();
    const { ready, ...body } = readiness;
    return { status: ready ? 200 : 503, json: body };
  },
};

const metrics: Route = {
  method: "GET",
  async handle(context) {
    const { registry } = context.metrics;
    return { status: 200, text: await registry.metrics(), contentType: registry.contentType };
  },
};

/**
 * `{"events": [{"attributes": {...}}]}` is 4 levels deep before the attributes' own values, which
 * may nest MAX_ATTRIBUTE_DEPTH levels (validation.ts says which event and path go past). A body
 * nested far deeper than that is refused before it is parsed.
 */
const CLASSIFY_BODY_MAX_DEPTH = 4 * (4 + MAX_ATTRIBUTE_DEPTH);

/**
 * `{"events": LogEvent[]}` in, `{"events": ClassifiedEvent[]}` out, in the same order.
 * Batches go through the service's BatchQueue, so the model sees at most CLASSIFIER_CONCURRENCY
 * of them at a time.
 */
const classify: Route = {
  method: "POST",
  async handle(context, request) {
    const { config, metrics: meter } = context;
    const readiness = context.readiness();
    const classifier = context.classifier();
    if (!readiness.ready || classifier === undefined) throw notReady(readiness);

    const body = await readJsonBody(
      request,
      config.CLASSIFIER_MAX_BODY_BYTES,
      CLASSIFY_BODY_MAX_DEPTH,
    );
    const events = parseClassifyRequest(body, {
      maxBatchSize: config.CLASSIFIER_MAX_BATCH_SIZE,
      maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES,
    });
    meter.batchSize.observe(events.length);
    if (events.length === 0) return { status: 200, json: { events: [] } };

    const enqueuedAt = performance.now();
    try {
      const classified = await context.queue.run(async () => {
        meter.queueWait.observe((performance.now() - enqueuedAt) / 1000);
        // A client that gave up while its batch waited gets no model time spent on it.
        if (request.socket.destroyed) return undefined;
        const stopTimer = meter.batchDuration.startTimer();
        try {
          return await classifier.classify(events);
        } finally {
          stopTimer();
        }
      });
      if (classified === undefined) throw new ClientGoneError("while its batch waited");
      meter.countLabels(classified);
      return { status: 200, json: { events: classified } };
    } catch (error) {
      if (error instanceof QueueFullError) {
        meter.rejectedBatches.inc();
        throw new HttpError(503, "busy", `${error.message}; retry shortly`, {
          headers: { "Retry-After": "1" },
        });
      }
      meter.batchFailures.inc();
      context.logger.error(
        { err: error, events: events.length, model: classifier.modelName },
        "classification failed",
      );
      throw new HttpError(500, "classification_failed", "the model failed to classify the batch");
    }
  },
};

function notReady(readiness: Readiness): HttpError {
  const reason = readiness.ready ? "the model is not available" : readiness.reason;
  if (!readiness.ready && (readiness.status === "draining" || readiness.status === "stopped")) {
    return new HttpError(503, "shutting_down", reason, { headers: { "Retry-After": "1" } });
  }
  return new HttpError(503, "not_ready", reason, { headers: { "Retry-After": "5" } });
}

/** Every route the service answers, by path. */
export const ROUTES: Readonly<Record<string, Route>> = {
  "/healthz": healthz,
  "/readyz": readyz,
  "/metrics": metrics,
  "/v1/classify": classify,
};
