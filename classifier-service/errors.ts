/**
 * A request the service refuses, with the HTTP status and the JSON body the client gets:
 * `{"error": code, "message": message, "problems"?: [...]}`.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly options: { problems?: string[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "HttpError";
  }

  toBody(): { error: string; message: string; problems?: string[] } {
    const body: { error: string; message: string; problems?: string[] } = {
      error: this.code,
      message: this.message,
    };
    if (this.options.problems !== undefined) body.problems = this.options.problems;
    return body;
  }
}

/** Thrown by BatchQueue when more batches wait than it allows. */
export class QueueFullError extends Error {
  constructor(readonly limit: number) {
    super(`${limit} batches are already waiting for the model`);
    this.name = "QueueFullError";
  }
}

/**
 * The client closed the connection before its answer was sent: mid-body, or while its batch
 * waited for the model. Nobody reads an answer; the service counts it as `status="aborted"`.
 */
export class ClientGoneError extends Error {
  constructor(when: string) {
    super(`the client closed the connection ${when}`);
    this.name = "ClientGoneError";
  }
}
