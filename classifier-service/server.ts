import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CachingClassifier } from "../core/classifier/cachingClassifier.js";
import { ClassificationCache } from "../core/classifier/classificationCache.js";
import type { LabelModel } from "../core/classifier/types.js";
import type { Config } from "../core/config/schema.js";
import {
  loadTemplateKeyerState,
  saveTemplateKeyerState,
} from "../core/files/templateKeyerState.js";
import type { Logger } from "../core/logging/logger.js";
import { serviceAuthorization, UNAUTHENTICATED_WARNING } from "./auth.js";
import { BatchQueue } from "./batchQueue.js";
import { ClientGoneError, HttpError } from "./errors.js";
import { type Readiness, type Reply, ROUTES, type RouteContext } from "./handlers.js";
import { ServiceMetrics } from "./metrics.js";
import type { ModelFactory } from "./modelFactory.js";

export type ServiceState = Readiness["status"];

export interface ClassifierServiceOptions {
  config: Config;
  /** Called once, after the server listens; the service is ready when it resolves. */
  loadModel: ModelFactory;
  logger: Logger;
  /** Adds process metrics (memory, CPU, event loop, GC) to /metrics. */
  processMetrics?: boolean;
}

export interface ShutdownResult {
  /** False when the timeout cut batches or connections short. */
  drained: boolean;
}

const ROUTE_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * The classifier over HTTP (node:http, no framework).
 *
 * It listens first and loads the model in the background, since a 1 GB GGUF takes seconds:
 * `/healthz` answers at once, `/readyz` and `/v1/classify` answer 503 until the model is loaded.
 * If loading fails the service stays unready, says why on `/readyz`, and never falls back to
 * another model. `shutdown()` refuses new connections, turns `/readyz` to 503 at once, lets
 * batches in flight finish and answer, then disposes the model; after
 * CLASSIFIER_SHUTDOWN_TIMEOUT_SECONDS it cuts whatever is left.
 *
 * @example
 * const service = new ClassifierService({ config, loadModel: async () => new BaselineModel(), logger });
 * const url = await service.start();
 * process.once("SIGTERM", () => void service.shutdown("SIGTERM"));
 */
export class ClassifierService {
  readonly metrics: ServiceMetrics;
  readonly #config: Config;
  readonly #logger: Logger;
  readonly #loadModel: ModelFactory;
  readonly #server: Server;
  readonly #queue: BatchQueue;
  readonly #isAuthorized: (header: string | undefined) => boolean;
  readonly #authMode: "bearer token" | "none";
  readonly #context: RouteContext;
  #state: ServiceState = "starting";
  #failure = "";
  #model: LabelModel | undefined;
  #classifier: CachingClassifier | undefined;
  #modelSettled: Promise<void> = Promise.resolve();
  #shutdown: Promise<ShutdownResult> | undefined;

  constructor(options: ClassifierServiceOptions) {
    this.#config = options.config;
    this.#logger = options.logger;
    this.#loadModel = options.loadModel;
    this.#queue = new BatchQueue({
      concurrency: options.config.CLASSIFIER_CONCURRENCY,
      maxQueued: options.config.CLASSIFIER_MAX_QUEUED_BATCHES,
    });
    const auth = serviceAuthorization(options.config);
    this.#isAuthorized = auth.isAuthorized;
    this.#authMode = auth.mode;
    this.metrics = new ServiceMetrics({
      classifier: () => this.#classifier,
      queue: this.#queue,
      processMetrics: options.processMetrics ?? false,
    });
    this.#context = {
      config: this.#config,
      logger: this.#logger,
      metrics: this.metrics,
      queue: this.#queue,
      readiness: () => this.readiness(),
      ...(auth.mode === "none" && { warning: UNAUTHENTICATED_WARNING }),
      classifier: () => this.#classifier,
    };

    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) =>
        this.#lastResort(error, request, response),
      );
    });
    // Longer than a load balancer's idle timeout (ALB: 60 s), so the balancer closes idle
    // connections first and never sends a request down one the server is closing.
    this.#server.keepAliveTimeout = 65_000;
    this.#server.headersTimeout = 66_000;
  }

  get state(): ServiceState {
    return this.#state;
  }

  /** The classifier once the model has loaded. */
  get classifier(): CachingClassifier | undefined {
    return this.#classifier;
  }

  /** Where the server listens; only after start(). */
  get address(): AddressInfo {
    const address = this.#server.address();
    if (address === null || typeof address === "string")
      throw new Error("the server is not listening");
    return address;
  }

  get url(): string {
    const { address, port, family } = this.address;
    return `http://${family === "IPv6" ? `[${address}]` : address}:${port}`;
  }

  readiness(): Readiness {
    switch (this.#state) {
      case "ready":
        return { ready: true, status: "ready", model: this.#model?.name ?? "" };
      case "starting":
        return { ready: false, status: "starting", reason: "the server is starting" };
      case "loading":
        return { ready: false, status: "loading", reason: "the model is loading" };
      case "failed":
        return { ready: false, status: "failed", reason: this.#failure };
      case "draining":
        return { ready: false, status: "draining", reason: "the service is shutting down" };
      case "stopped":
        return { ready: false, status: "stopped", reason: "the service has stopped" };
    }
  }

  /** Listens, then starts loading the model in the background. Resolves with the service's URL. */
  async start(): Promise<string> {
    if (this.#state !== "starting")
      throw new Error(`cannot start a service that is ${this.#state}`);
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#config.CLASSIFIER_PORT, this.#config.CLASSIFIER_HOST, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    this.#state = "loading";
    if (this.#authMode === "none") this.#logger.warn({ url: this.url }, UNAUTHENTICATED_WARNING);
    this.#logger.info(
      {
        url: this.url,
        auth: this.#authMode === "none" ? "none (CLASSIFIER_AUTH=none)" : "bearer token",
        concurrency: this.#config.CLASSIFIER_CONCURRENCY,
        maxBatchSize: this.#config.CLASSIFIER_MAX_BATCH_SIZE,
        maxBodyBytes: this.#config.CLASSIFIER_MAX_BODY_BYTES,
      },
      "classifier service listening; loading the model",
    );
    this.#modelSettled = this.#loadModelInBackground();
    return this.url;
  }

  /** Resolves once the model factory has resolved or rejected (it never rejects itself). */
  modelSettled(): Promise<void> {
    return this.#modelSettled;
  }

  /**
   * Stops the service gracefully; calling it again returns the same promise.
   * Resolves `{ drained: false }` when the timeout cut batches short; the model is then not
   * disposed, since a batch may still be inside it, and the process should exit.
   */
  shutdown(reason = "shutdown requested"): Promise<ShutdownResult> {
    this.#shutdown ??= this.#drain(reason);
    return this.#shutdown;
  }

  async #loadModelInBackground(): Promise<void> {
    const started = performance.now();
    try {
      const model = await Promise.resolve().then(() => this.#loadModel());
      if (this.#state !== "loading") {
        // Shutdown began while the model loaded.
        await model.dispose?.();
        return;
      }
      this.#model = model;
      this.#classifier = new CachingClassifier(
        model,
        new ClassificationCache({
          maxEntries: this.#config.SENTINEL_CACHE_SIZE,
          ttlMs: this.#config.SENTINEL_CACHE_TTL_SECONDS * 1000,
        }),
        { suggestions: this.#config.SENTINEL_SUGGESTIONS },
      );
      const templateState = this.#config.CLASSIFIER_TEMPLATE_STATE_FILE;
      if (templateState !== undefined) {
        // A file that cannot be read leaves the keys to be learned again, not the service down.
        await loadTemplateKeyerState(templateState, this.#classifier.keyer, {
          logger: this.#logger,
        }).catch((error: unknown) =>
          this.#logger.warn(
            { err: error, path: templateState },
            "could not load the template key state",
          ),
        );
      }
      this.#state = "ready";
      this.metrics.modelReady.set(1);
      this.metrics.modelInfo.set({ model: model.name }, 1);
      this.#logger.info(
        {
          model: model.name,
          gpu: "gpu" in model ? model.gpu || "none (CPU)" : undefined,
          loadMs: Math.round(performance.now() - started),
        },
        "model loaded; the classifier service is ready",
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.#state !== "loading") {
        this.#logger.warn({ err: error }, "the model failed to load during shutdown");
        return;
      }
      this.#state = "failed";
      this.#failure = `the model failed to load: ${message}`;
      this.#logger.error(
        { err: error, loadMs: Math.round(performance.now() - started) },
        "THE MODEL FAILED TO LOAD: the classifier service stays unready and classifies nothing (there is no fallback model)",
      );
    }
  }

  /** Saves what the template keys learned, when a file is configured; a failure is only logged. */
  async #saveTemplateState(): Promise<void> {
    const path = this.#config.CLASSIFIER_TEMPLATE_STATE_FILE;
    if (path === undefined || this.#classifier === undefined) return;
    try {
      await saveTemplateKeyerState(path, this.#classifier.keyer);
    } catch (error) {
      this.#logger.warn({ err: error, path }, "could not save the template key state");
    }
  }

  async #drain(reason: string): Promise<ShutdownResult> {
    const timeoutMs = this.#config.CLASSIFIER_SHUTDOWN_TIMEOUT_SECONDS * 1000;
    const deadline = performance.now() + timeoutMs;
    this.#state = "draining";
    this.metrics.modelReady.set(0);
    this.#logger.info(
      { reason, running: this.#queue.running, waiting: this.#queue.waiting, timeoutMs },
      "shutting down: refusing new connections, finishing batches in flight",
    );

    const closed = this.#server.listening
      ? new Promise<void>((resolve) => this.#server.close(() => resolve()))
      : Promise.resolve();
    this.#server.closeIdleConnections();
    // Background suggestions run in the model too: let them finish before it is disposed.
    const finished = Promise.all([closed, this.#queue.idle()])
      .then(() => this.#classifier?.drainSuggestions())
      .then(() => this.#saveTemplateState());
    const drained = await settlesWithin(finished, timeoutMs);

    if (!drained) {
      this.#logger.warn(
        { running: this.#queue.running, waiting: this.#queue.waiting, timeoutMs },
        "shutdown timeout: closing the remaining connections with work unfinished; the model is not disposed",
      );
      this.#server.closeAllConnections();
    } else if (this.#model?.dispose) {
      const model = this.#model;
      const left = Math.max(deadline - performance.now(), 1000);
      const disposed = await settlesWithin(
        Promise.resolve()
          .then(() => model.dispose?.())
          .catch((error: unknown) => {
            this.#logger.warn({ err: error }, "the model failed to dispose");
          }),
        left,
      );
      if (!disposed) this.#logger.warn("the model did not dispose within the shutdown timeout");
    }
    this.#state = "stopped";
    this.#logger.info({ drained }, "classifier service stopped");
    return { drained };
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = pathOf(request.url);
    const route = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
    const method = ROUTE_METHODS.has(request.method ?? "") ? (request.method as string) : "OTHER";
    let reply: Reply | undefined;
    try {
      if (!route?.public && !this.#isAuthorized(request.headers.authorization)) {
        throw new HttpError(401, "unauthorized", "a valid bearer token is required", {
          headers: { "WWW-Authenticate": 'Bearer realm="sentinel-classifier"' },
        });
      }
      if (route === undefined) throw new HttpError(404, "not_found", `no route ${path}`);
      if (method !== route.method && !(route.method === "GET" && method === "HEAD")) {
        const allow = route.method === "GET" ? "GET, HEAD" : route.method;
        throw new HttpError(405, "method_not_allowed", `${path} accepts ${allow}`, {
          headers: { Allow: allow },
        });
      }
      reply = await route.handle(this.#context, request);
    } catch (error) {
      if (!(error instanceof ClientGoneError)) {
        reply = errorReply(error);
        if (!(error instanceof HttpError)) {
          this.#logger.error({ err: error, method, route: path }, "request failed");
        }
      }
    }

    // A client gone before its answer went out is no failure of the service: counted apart.
    const gone = reply === undefined || response.destroyed;
    if (reply !== undefined && !gone) {
      try {
        this.#send(request, response, reply);
      } catch (error) {
        // Say, a reply too deep for JSON.stringify: the client gets a 500, the process lives on.
        this.#logger.error({ err: error, method, route: path }, "the reply could not be sent");
        reply = errorReply(error);
        this.#send(request, response, reply);
      }
    }
    const status = gone ? "aborted" : String(reply?.status);
    this.metrics.requests.inc({ route: route === undefined ? "unmatched" : path, method, status });
    this.#logger.debug(
      { method, route: path, status, ms: Math.round(performance.now() - started) },
      gone ? "request aborted: the client went away before the answer" : "request",
    );
  }

  /**
   * Whatever escaped #handle: logged, answered 500 if nothing was sent yet, and never allowed to
   * become an unhandled rejection, which would end the process for every other client.
   */
  #lastResort(error: unknown, request: IncomingMessage, response: ServerResponse): void {
    try {
      this.#logger.error({ err: error, url: request.url }, "request handling failed");
      if (!response.headersSent && !response.destroyed) {
        response.writeHead(500, { "Content-Type": "application/json; charset=utf-8" });
        response.end('{"error":"internal","message":"internal error"}');
      } else {
        response.destroy();
      }
    } catch {
      response.destroy();
    }
  }

  #send(request: IncomingMessage, response: ServerResponse, reply: Reply): void {
    if (response.headersSent || response.destroyed) return;
    const isJson = "json" in reply;
    const body = isJson ? JSON.stringify(reply.json) : reply.text;
    response.statusCode = reply.status;
    response.setHeader(
      "Content-Type",
      isJson ? "application/json; charset=utf-8" : reply.contentType,
    );
    response.setHeader("Content-Length", Buffer.byteLength(body));
    response.setHeader("Cache-Control", "no-store");
    for (const [name, value] of Object.entries(reply.headers ?? {}))
      response.setHeader(name, value);
    // Close the connection when shutting down, and when the request body was left unread
    // (refused before reading it, or cut off at the size limit).
    if (this.#state === "draining" || !request.complete) response.setHeader("Connection", "close");
    response.end(body);
  }
}

function errorReply(error: unknown): Reply {
  if (error instanceof HttpError) {
    const reply: Reply = { status: error.status, json: error.toBody() };
    if (error.options.headers) reply.headers = error.options.headers;
    return reply;
  }
  return { status: 500, json: { error: "internal", message: "internal error" } };
}

function pathOf(url: string | undefined): string {
  const end = (url ?? "/").search(/[?#]/);
  return end === -1 ? (url ?? "/") : (url ?? "/").slice(0, end);
}

/** Whether `promise` settles within `ms`; the timer never outlives the wait. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
