import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "../logging/logger.js";

/** What `GET /readyz` answers: 200 when ready, else 503, with the reason either way. */
export interface Readiness {
  ready: boolean;
  reason: string;
}

export interface ScrapeServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A tiny HTTP server for Prometheus-style scraping of a long-running process: `GET /metrics`
 * answers the registry in the text exposition format, `GET /readyz` the process's readiness when
 * it says how to tell (a container health check); anything else is 404.
 *
 * @example
 * const server = await startScrapeServer({ registry, host: "0.0.0.0", port: 9464 });
 */
export async function startScrapeServer(options: {
  registry: Registry;
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger?: Logger;
  readiness?: () => Readiness;
}): Promise<ScrapeServer> {
  const { registry, logger, readiness } = options;
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const readable = request.method === "GET" || request.method === "HEAD";
    if (path === "/readyz" && readiness && readable) {
      const { ready, reason } = readiness();
      response.writeHead(ready ? 200 : 503, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ status: ready ? "ready" : "not_ready", reason }));
      return;
    }
    if (path !== "/metrics" || !readable) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { "Content-Type": registry.contentType });
        response.end(request.method === "HEAD" ? undefined : text);
      },
      (error: unknown) => {
        logger?.warn({ err: error }, "metrics exposition failed");
        response.writeHead(500, { "Content-Type": "text/plain" }).end("metrics unavailable\n");
      },
    );
  });
  // Scrapers keep connections alive between scrapes; none should hold the process open.
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost =
    options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host;
  return {
    url: `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
