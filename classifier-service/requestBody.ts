import type { IncomingMessage } from "node:http";
import { ClientGoneError, HttpError } from "./errors.js";

/**
 * Reads a JSON request body of at most `maxBytes`: 415 unless the Content-Type is JSON, 413 as soon
 * as the declared or received size passes the limit (without buffering the rest), 400 when the
 * bytes are not JSON or nest deeper than `maxDepth` (checked before parsing: V8 parses a deep
 * body without overflowing, but a 64 MB one of `[[[[` takes seconds and gigabytes).
 */
export async function readJsonBody(
  request: IncomingMessage,
  maxBytes: number,
  maxDepth = Number.POSITIVE_INFINITY,
): Promise<unknown> {
  assertJsonContentType(request.headers["content-type"]);

  const declared = request.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);

  const body = await collect(request, maxBytes);
  if (nestsDeeperThan(body, maxDepth)) {
    throw new HttpError(400, "invalid_json", `the JSON body nests deeper than ${maxDepth} levels`);
  }
  const text = body.toString("utf8");
  if (text.trim() === "") throw new HttpError(400, "invalid_json", "the request body is empty");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, "invalid_json", `invalid JSON: ${(error as Error).message}`);
  }
}

/**
 * Collects the body, or rejects once it passes `maxBytes`. The rest of an oversized body is read and
 * dropped rather than the stream destroyed: destroying a request destroys its socket, and the 413
 * could not be sent.
 */
function collect(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      cleanUp();
      request.resume();
      reject(tooLarge(maxBytes));
    };
    const onEnd = () => {
      cleanUp();
      resolve(Buffer.concat(chunks, received));
    };
    // A client that disconnects mid-body makes the request emit "error" (ECONNRESET, "aborted")
    // and then "close": either way the client is gone, not the service broken.
    const onError = (error: Error) => {
      cleanUp();
      reject(request.destroyed ? new ClientGoneError("mid-body") : error);
    };
    const onClose = () => {
      cleanUp();
      reject(new ClientGoneError("mid-body"));
    };
    const cleanUp = () => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onError);
      request.off("close", onClose);
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onError);
    request.on("close", onClose);
  });
}

/**
 * Whether the JSON bytes open more than `maxDepth` arrays or objects at once. Brackets inside
 * strings do not count; quotes, backslashes and brackets are ASCII, so never part of a UTF-8
 * sequence. Malformed JSON is left for JSON.parse to describe.
 */
function nestsDeeperThan(body: Buffer, maxDepth: number): boolean {
  if (!Number.isFinite(maxDepth)) return false;
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte === 0x22) {
      for (i++; i < body.length && body[i] !== 0x22; i++) if (body[i] === 0x5c) i++;
    } else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (byte === 0x5d || byte === 0x7d) {
      depth--;
    }
  }
  return false;
}

function assertJsonContentType(header: string | undefined): void {
  const [mediaType = "", ...parameters] = (header ?? "").split(";").map((part) => part.trim());
  const type = mediaType.toLowerCase();
  const isJson = type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type);
  const charset = parameters
    .map((parameter) => /^charset=(.+)$/i.exec(parameter)?.[1])
    .find((value) => value !== undefined)
    ?.replace(/"/g, "")
    .toLowerCase();
  if (!isJson || (charset !== undefined && charset !== "utf-8" && charset !== "utf8")) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `expected Content-Type: application/json (UTF-8), got ${header === undefined ? "none" : JSON.stringify(header)}`,
    );
  }
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    "payload_too_large",
    `the request body is larger than ${maxBytes} bytes (CLASSIFIER_MAX_BODY_BYTES)`,
  );
}
