import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bearerTokenCheck } from "./auth.js";

describe("bearerTokenCheck", () => {
  const isAuthorized = bearerTokenCheck("0123456789abcdef0123");

  it("accepts exactly the configured token, with any casing of the scheme", () => {
    assert.equal(isAuthorized("Bearer 0123456789abcdef0123"), true);
    assert.equal(isAuthorized("bearer 0123456789abcdef0123"), true);
  });

  it("refuses a missing header, another scheme, a prefix or an extension of the token", () => {
    for (const header of [
      undefined,
      "",
      "Bearer",
      "Bearer ",
      "Basic 0123456789abcdef0123",
      "Bearer 0123456789abcdef012",
      "Bearer 0123456789abcdef01234",
      "Bearer 0123456789abcdef0123 extra",
      "0123456789abcdef0123",
    ]) {
      assert.equal(isAuthorized(header), false, String(header));
    }
  });

  it("lets everything through when no token is configured", () => {
    assert.equal(bearerTokenCheck(undefined)(undefined), true);
  });
});
