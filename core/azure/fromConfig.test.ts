import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClientSecretCredential, DefaultAzureCredential } from "@azure/identity";
import { ConfigError, loadConfig } from "../config/load.js";
import {
  azureCredential,
  azurePollerSettings,
  checkpointContainer,
  requireWorkspaceId,
} from "./fromConfig.js";

const WORKSPACE = "00000000-0000-4000-8000-0000000000dd";
const config = (env: Record<string, string>) => loadConfig({ env, envFile: false });
const configError = (variable: string) => (error: Error) =>
  error instanceof ConfigError && error.problems.some((p) => p.variable === variable);

describe("Azure settings from configuration", () => {
  it("turns AZURE_* seconds into the poller's windows", () => {
    const settings = azurePollerSettings(
      config({
        AZURE_WORKSPACE_ID: WORKSPACE,
        AZURE_QUERY_LAG_SECONDS: "120",
        AZURE_MAX_WINDOW_SECONDS: "300",
      }),
    );
    assert.equal(settings.workspaceId, WORKSPACE);
    assert.equal(settings.lagMs, 120_000);
    assert.equal(settings.overlapMs, 600_000);
    assert.equal(settings.maxWindowMs, 300_000);
  });

  it("names AZURE_WORKSPACE_ID when it is missing", () => {
    assert.throws(() => requireWorkspaceId(config({})), configError("AZURE_WORKSPACE_ID"));
  });

  it("uses the service principal when all three variables are set, else DefaultAzureCredential", () => {
    const principal = azureCredential(
      config({
        AZURE_TENANT_ID: "00000000-0000-4000-8000-000000000001",
        AZURE_CLIENT_ID: "00000000-0000-4000-8000-000000000002",
        AZURE_CLIENT_SECRET: "not-a-real-secret",
      }),
    );
    assert.ok(principal instanceof ClientSecretCredential);
    assert.ok(azureCredential(config({})) instanceof DefaultAzureCredential);
  });

  it("needs a checkpoint store, and never repeats a bad connection string", () => {
    const credential = azureCredential(config({}));
    assert.throws(
      () => checkpointContainer(config({}), credential),
      configError("AZURE_STORAGE_CONNECTION_STRING"),
    );
    assert.throws(
      () =>
        checkpointContainer(
          config({ AZURE_STORAGE_CONNECTION_STRING: "secret-looking-garbage" }),
          credential,
        ),
      (error: Error) =>
        configError("AZURE_STORAGE_CONNECTION_STRING")(error) && !error.message.includes("garbage"),
    );
    const byUrl = checkpointContainer(
      config({ AZURE_STORAGE_ACCOUNT_URL: "https://example.blob.core.windows.net" }),
      credential,
    );
    assert.equal(byUrl.containerName, "sentinel-checkpoints");
  });

  it("refuses a schedule that is not six NCRONTAB fields, naming the variable", () => {
    assert.throws(() => config({ AZURE_POLL_SCHEDULE: "*/5 * * * *" }), /AZURE_POLL_SCHEDULE/);
    assert.equal(config({}).AZURE_POLL_SCHEDULE, "0 */1 * * * *");
  });
});
