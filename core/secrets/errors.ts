import { ConfigError } from "../config/load.js";

/**
 * A secret named by a configuration variable could not be used: not found, access denied, not
 * the expected shape. Reported as a configuration problem naming the variable (the CLI exits 2);
 * the message never holds the secret's value, nor any part of it.
 */
export class SecretError extends ConfigError {
  override name = "SecretError";
  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super([{ variable, message }]);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
