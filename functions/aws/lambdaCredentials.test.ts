import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { defaultProvider } from "./lambdaCredentials.js";

const VARIABLES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

afterEach(() => {
  for (const name of VARIABLES)
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
});

describe("Lambda credentials", () => {
  it("are the execution role's keys from the environment", async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "ASIAEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret-example",
      AWS_SESSION_TOKEN: "session-example",
    });
    const credentials = await defaultProvider()();
    assert.equal(credentials.accessKeyId, "ASIAEXAMPLE");
    assert.equal(credentials.secretAccessKey, "secret-example");
    assert.equal(credentials.sessionToken, "session-example");
  });

  it("name the variables that hold them when they are missing", async () => {
    for (const name of VARIABLES) delete process.env[name];
    await assert.rejects(defaultProvider()(), /AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY/);
  });
});
