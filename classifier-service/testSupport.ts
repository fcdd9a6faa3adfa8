import { mkdtempSync, writeFileSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BaselineModel } from "../core/classifier/baselineModel.js";
import type { ClassifierInput, LabelModel, Verdict } from "../core/classifier/types.js";
import { loadConfig } from "../core/config/load.js";
import type { LogEvent } from "../core/events/types.js";
import { createLogger } from "../core/logging/logger.js";
import type { ModelFactory } from "./modelFactory.js";
import { ClassifierService } from "./server.js";

/** Helpers for the service's tests: a real server on 127.0.0.1, a plain HTTP client, fake models. */

/** An empty .env file, so a developer's ./.env never leaks into a test's configuration. */
export const EMPTY_ENV_FILE = (() => {
  const path = join(mkdtempSync(join(tmpdir(), "sentinel-classifier-")), "empty.env");
  writeFileSync(path, "");
  return path;
})();

export interface TestService {
  service: ClassifierService;
  url: string;
  port: number;
  /** Every log line the service wrote, as JSON text. */
  logs: string[];
}

/**
 * Starts a service on 127.0.0.1 with a free port; `env` adds or overrides variables. Without a
 * CLASSIFIER_API_TOKEN in `env`, it runs with CLASSIFIER_AUTH=none.
 */
export async function startTestService(
  options: { env?: Record<string, string>; loadModel?: ModelFactory } = {},
): Promise<TestService> {
  const config = loadConfig({
    env: {
      CLASSIFIER_HOST: "127.0.0.1",
      CLASSIFIER_PORT: "0",
      // Tests that are not about authentication run without it, as the service allows when told.
      ...(options.env?.CLASSIFIER_API_TOKEN === undefined && { CLASSIFIER_AUTH: "none" }),
      ...options.env,
    },
    envFile: EMPTY_ENV_FILE,
  });
  const logs: string[] = [];
  const logger = createLogger({
    level: "debug",
    format: "json",
    destination: { write: (line: string) => logs.push(line) },
  });
  const service = new ClassifierService({
    config,
    logger,
    loadModel: options.loadModel ?? (async () => new BaselineModel()),
  });
  const url = await service.start();
  return { service, url, port: service.address.port, logs };
}

export interface TestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected freely
  json: any;
}

/**
 * One request on its own connection. The response is returned even when the server answers before
 * reading the whole body and the upload then fails (as it does for 413).
 */
export function send(
  url: string,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string | number>;
    body?: string | Buffer;
    signal?: AbortSignal;
  } = {},
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(options.path ?? "/", url);
    const request = httpRequest(target, {
      method: options.method ?? "GET",
      headers: options.headers,
      agent: false,
      ...(options.signal && { signal: options.signal }),
    });
    let answered = false;
    request.on("response", (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    if (options.body !== undefined) request.end(options.body);
    else request.end();
  });
}

/** POSTs `{"events": events}` as JSON. */
export function classify(
  url: string,
  events: unknown[],
  headers: Record<string, string> = {},
): Promise<TestResponse> {
  return send(url, {
    method: "POST",
    path: "/v1/classify",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify({ events }),
  });
}

/** A log event as a producer sends it: no id, ingestedAt or attributes. */
export function logEvent(message: string, extra: Partial<LogEvent> = {}): Partial<LogEvent> {
  return {
    timestamp: "2026-03-01T10:00:00.000Z",
    source: { provider: "http" },
    service: "payment",
    message,
    ...extra,
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * The baseline's verdicts, delivered only when the test calls `release()`: a batch that stays in
 * the model for as long as a test needs it to.
 */
export class SlowModel implements LabelModel {
  readonly name = "slow-fake";
  readonly #baseline = new BaselineModel();
  #gate = deferred();
  /** Resolves when classify is first called. */
  readonly started = deferred();
  calls = 0;
  disposed = false;

  async classify(inputs: readonly ClassifierInput[]): Promise<Verdict[]> {
    this.calls++;
    this.started.resolve();
    await this.#gate.promise;
    return this.#baseline.classify(inputs);
  }

  release(): void {
    this.#gate.resolve();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
