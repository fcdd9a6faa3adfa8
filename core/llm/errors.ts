/**
 * A model file that exists but cannot be used: not a valid GGUF, refused by llama.cpp, or not
 * loaded within SENTINEL_MODEL_LOAD_TIMEOUT_SECONDS. Unlike ModelUnavailableError (no model to
 * load), nothing falls back from it: the model that was asked for is broken, and the message says
 * which file.
 */
export class ModelLoadError extends Error {
  override name = "ModelLoadError";
}

export class ModelLoadTimeoutError extends ModelLoadError {
  override name = "ModelLoadTimeoutError";
  constructor(
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super(
      `${path} did not load within ${timeoutMs / 1000} s (SENTINEL_MODEL_LOAD_TIMEOUT_SECONDS); the load was abandoned`,
    );
  }
}
