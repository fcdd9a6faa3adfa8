import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Checks `Authorization: Bearer <token>` against the configured token in constant time. Both sides
 * are hashed first so the comparison takes the same time whatever the presented token's length.
 * With no token configured every request is allowed.
 *
 * @example
 * const isAuthorized = bearerTokenCheck(config.CLASSIFIER_API_TOKEN);
 * isAuthorized(request.headers.authorization); // true or false
 */
export function bearerTokenCheck(
  token: string | undefined,
): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
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
