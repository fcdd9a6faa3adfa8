import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../config/load.js";
import { lokiClient, lokiForwarderSettings } from "./fromConfig.js";

const config = (env: Record<string, string>) => loadConfig({ env, envFile: false });

describe("Loki settings from configuration", () => {
  it("reads LOKI_* and lets the command line override the query, rate and batch size", () => {
    const settings = lokiForwarderSettings(
      config({ LOKI_QUERY: '{app="api"}', LOKI_RATE_LIMIT: "2500", LOKI_BATCH_SIZE: "200" }),
      { batchSize: 50 },
    );
    assert.equal(settings.query, '{app="api"}');
    assert.equal(settings.ratePerSecond, 2500);
    assert.equal(settings.batchSize, 50);
    assert.equal(settings.lagMs, 5000);
  });

  it("names LOKI_QUERY when no query is given", () => {
    assert.throws(
      () => lokiForwarderSettings(config({})),
      (error: Error) => error instanceof ConfigError && /LOKI_QUERY: required/.test(error.message),
    );
  });

  it("names LOKI_USERNAME when only the password is set", () => {
    assert.throws(
      () => lokiClient(config({ LOKI_PASSWORD: "not-a-real-password" })),
      (error: Error) =>
        error instanceof ConfigError &&
        /LOKI_USERNAME: required/.test(error.message) &&
        !error.message.includes("not-a-real-password"),
    );
  });

  it("refuses a negative rate limit, naming the variable", () => {
    assert.throws(() => config({ LOKI_RATE_LIMIT: "-1" }), /LOKI_RATE_LIMIT/);
  });
});
