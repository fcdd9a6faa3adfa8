import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the stand-in webhook answers: a status, headers and a body; `hang` never answers. */
export type WebhookAnswer =
  | { status: number; headers?: Record<string, string>; body?: string }
  | "hang";

export interface ReceivedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string;
  bytes: number;
}

export interface TestWebhook {
  /** Shaped like a real Workflows URL: the signature in the query string is the secret. */
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Closes open connections (hung requests too) and the server. */
  stop(): Promise<void>;
}

/**
 * An HTTP server on loopback standing in for a Teams Workflows webhook: records each request
 * and answers from `answers` in turn (202 once they run out, as Workflows does).
 */
export async function startWebhook(answers: WebhookAnswer[] = []): Promise<TestWebhook> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks);
      received.push({
        method: request.method ?? "",
        path: request.url ?? "",
        contentType: request.headers["content-type"],
        body: raw.toString("utf8"),
        bytes: raw.length,
      });
      const answer = answers.shift() ?? { status: 202 };
      if (answer === "hang") return;
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sig=FAKE-SIGNATURE-0123456789`,
    received,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
