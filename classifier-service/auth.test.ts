import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../core/config/load.js";
import { bearerTokenCheck, serviceAuthorization } from "./auth.js";

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
});

describe("serviceAuthorization", () => {
  it("refuses to serve without a token unless CLASSIFIER_AUTH=none says so", () => {
    assert.throws(
      () => serviceAuthorization(loadConfig({ env: {}, envFile: false })),
      (error: unknown) =>
        error instanceof ConfigError &&
        /^ {2}CLASSIFIER_API_TOKEN: required by the classifier service/m.test(error.message) &&
        error.message.includes("CLASSIFIER_AUTH=none"),
    );
    const open = serviceAuthorization(
      loadConfig({ env: { CLASSIFIER_AUTH: "none" }, envFile: false }),
    );
    assert.equal(open.mode, "none");
    assert.equal(open.isAuthorized(undefined), true);
    const token = "0123456789abcdef0123";
    const guarded = serviceAuthorization(
      loadConfig({ env: { CLASSIFIER_API_TOKEN: token }, envFile: false }),
    );
    assert.equal(guarded.mode, "bearer token");
    assert.equal(guarded.isAuthorized(undefined), false);
    assert.equal(guarded.isAuthorized(`Bearer ${token}`), true);
  });
});
