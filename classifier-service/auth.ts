import { createHash, timingSafeEqual } from "node:crypto";
import { ConfigError } from "../core/config/load.js";
import type { Config } from "../core/config/schema.js";

/** What /healthz and the start-up warning say when the service runs with CLASSIFIER_AUTH=none. */
export const UNAUTHENTICATED_WARNING =
  "CLASSIFIER_AUTH=none: the classifier service is unauthenticated; anyone who can reach its port can classify and read /metrics";

/**
 * The service's request check from its configuration: the bearer token, or, only with an explicit
 * CLASSIFIER_AUTH=none, nothing. Throws a ConfigError naming CLASSIFIER_API_TOKEN when token
 * authentication (the default) has no token, so the service never listens open by omission.
 */
export function serviceAuthorization(
  config: Pick<Config, "CLASSIFIER_AUTH" | "CLASSIFIER_API_TOKEN">,
): { mode: "bearer token" | "none"; isAuthorized: (header: string | undefined) => boolean } {
  if (config.CLASSIFIER_AUTH === "none") return { mode: "none", isAuthorized: () => true };
  if (config.CLASSIFIER_API_TOKEN === undefined) {
    throw new ConfigError([
      {
        variable: "CLASSIFIER_API_TOKEN",
        message:
          "required by the classifier service (at least 16 printable characters); set CLASSIFIER_AUTH=none to serve without authentication, on a machine of your own only",
      },
    ]);
  }
  return { mode: "bearer token", isAuthorized: bearerTokenCheck(config.CLASSIFIER_API_TOKEN) };
}

/**
 * Checks `Authorization: Bearer <token>` against the configured token in constant time. Both sides
 * are hashed first so the comparison takes the same time whatever the presented token's length.
 *
 * @example
 * const isAuthorized = bearerTokenCheck("0123456789abcdef0123");
 * isAuthorized(request.headers.authorization); // true or false
 */
export function bearerTokenCheck(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    // Compare even when the header is missing or malformed, so timing says nothing about which.
    const presented = digest(match?.[1] ?? "");
    return timingSafeEqual(expected, presented) && match !== null;
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
