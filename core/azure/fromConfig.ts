import {
  ClientSecretCredential,
  DefaultAzureCredential,
  type TokenCredential,
} from "@azure/identity";
import type { LogsQueryClientOptions } from "@azure/monitor-query-logs";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { ConfigError } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { Logger } from "../logging/logger.js";
import { WorkspaceQuery } from "./logAnalyticsQuery.js";
import type { AzurePollerSettings } from "./poller.js";

/**
 * The Azure credential: a service principal when AZURE_TENANT_ID, AZURE_CLIENT_ID and
 * AZURE_CLIENT_SECRET are all set, else DefaultAzureCredential (managed identity in Azure,
 * environment, workload identity, `az login` on a workstation).
 */
export function azureCredential(config: Config): TokenCredential {
  if (config.AZURE_TENANT_ID && config.AZURE_CLIENT_ID && config.AZURE_CLIENT_SECRET)
    return new ClientSecretCredential(
      config.AZURE_TENANT_ID,
      config.AZURE_CLIENT_ID,
      config.AZURE_CLIENT_SECRET,
    );
  return new DefaultAzureCredential(
    config.AZURE_CLIENT_ID ? { managedIdentityClientId: config.AZURE_CLIENT_ID } : {},
  );
}

export function requireWorkspaceId(config: Config): string {
  if (!config.AZURE_WORKSPACE_ID)
    throw new ConfigError([
      {
        variable: "AZURE_WORKSPACE_ID",
        message: "required to read Azure Monitor logs (the Log Analytics workspace id, a GUID)",
      },
    ]);
  return config.AZURE_WORKSPACE_ID;
}

/** The poller's settings from AZURE_* variables. */
export function azurePollerSettings(config: Config): AzurePollerSettings {
  return {
    workspaceId: requireWorkspaceId(config),
    query: config.AZURE_QUERY,
    lagMs: config.AZURE_QUERY_LAG_SECONDS * 1000,
    overlapMs: config.AZURE_QUERY_OVERLAP_SECONDS * 1000,
    maxWindowMs: config.AZURE_MAX_WINDOW_SECONDS * 1000,
    maxWindowsPerRun: config.AZURE_MAX_WINDOWS_PER_RUN,
    startLookbackMs: config.AZURE_START_LOOKBACK_SECONDS * 1000,
    maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES,
  };
}

/** The configured query against the configured workspace. */
export function workspaceQuery(
  config: Config,
  credential: TokenCredential,
  logger?: Logger,
  clientOptions?: LogsQueryClientOptions,
): WorkspaceQuery {
  if (logger && /\bago\s*\(/.test(config.AZURE_QUERY))
    logger.warn(
      { variable: "AZURE_QUERY" },
      "AZURE_QUERY filters on ago(...): the poller sets each window's time range itself, and windows older than that filter (a catch-up) would come back empty",
    );
  return new WorkspaceQuery({
    credential,
    endpoint: config.AZURE_LOGS_ENDPOINT,
    workspaceId: requireWorkspaceId(config),
    query: config.AZURE_QUERY,
    ...(logger && { logger }),
    ...(clientOptions && { clientOptions }),
  });
}

/**
 * The checkpoint container: from AZURE_STORAGE_CONNECTION_STRING, else AZURE_STORAGE_ACCOUNT_URL
 * with the Azure credential (the identity needs Storage Blob Data Contributor).
 */
export function checkpointContainer(config: Config, credential: TokenCredential): ContainerClient {
  let service: BlobServiceClient;
  if (config.AZURE_STORAGE_CONNECTION_STRING) {
    try {
      service = BlobServiceClient.fromConnectionString(config.AZURE_STORAGE_CONNECTION_STRING);
    } catch {
      throw new ConfigError([
        {
          variable: "AZURE_STORAGE_CONNECTION_STRING",
          message:
            "expected a storage account connection string (AccountName=…;AccountKey=… or BlobEndpoint=…;SharedAccessSignature=…)",
        },
      ]);
    }
  } else if (config.AZURE_STORAGE_ACCOUNT_URL) {
    service = new BlobServiceClient(config.AZURE_STORAGE_ACCOUNT_URL, credential);
  } else {
    throw new ConfigError([
      {
        variable: "AZURE_STORAGE_CONNECTION_STRING",
        message:
          "required for the Azure checkpoint (or AZURE_STORAGE_ACCOUNT_URL, used with the Azure credential)",
      },
    ]);
  }
  return service.getContainerClient(config.AZURE_CHECKPOINT_CONTAINER);
}
