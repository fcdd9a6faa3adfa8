import * as z from "zod";
import {
  type CrossFieldRule,
  httpUrl,
  nonNegativeInt,
  positiveInt,
  requiredWhen,
} from "../config/fields.js";
import type { Config } from "../config/schema.js";

/** Azure Monitor's variables (core/azure): the credential, the Log Analytics query, checkpoints. */
export const azureVariables = {
  AZURE_TENANT_ID: z.uuid({ error: "expected a tenant id (a GUID)" }).optional(),
  AZURE_CLIENT_ID: z.uuid({ error: "expected a client id (a GUID)" }).optional(),
  AZURE_CLIENT_SECRET: z.string().min(1).optional(),
  AZURE_WORKSPACE_ID: z.uuid({ error: "expected a workspace id (a GUID)" }).optional(),
  /** KQL without a time filter of its own: the poller sets each query's time range (timespan). */
  AZURE_QUERY: z.string().min(1).default("union * | order by TimeGenerated asc"),
  AZURE_POLL_INTERVAL_SECONDS: positiveInt().default(60),
  /** Log Analytics query API base URL (sovereign clouds, or a local stand-in); /v1 is added. */
  AZURE_LOGS_ENDPOINT: httpUrl.default("https://api.loganalytics.io"),
  /** Each window ends this far behind now: data becomes queryable 20 s to 3 min (sometimes 5+) late. */
  AZURE_QUERY_LAG_SECONDS: nonNegativeInt(86_400).default(180),
  /** Each query re-reads this much of the previous window for late rows; ids dedup the re-read. */
  AZURE_QUERY_OVERLAP_SECONDS: nonNegativeInt(86_400).default(600),
  /** Most new time one query reads (besides the overlap); a run catching up walks forward in such steps. */
  AZURE_MAX_WINDOW_SECONDS: positiveInt(7 * 86_400).default(900),
  /** Windows one run (one timer invocation) reads at most, so a catch-up stays inside the function timeout. */
  AZURE_MAX_WINDOWS_PER_RUN: positiveInt(1000).default(8),
  /** Where a first run without a checkpoint starts, seconds before now. */
  AZURE_START_LOOKBACK_SECONDS: positiveInt(90 * 86_400).default(3600),
  /** NCRONTAB (six fields, seconds first) of the timer function. */
  AZURE_POLL_SCHEDULE: z
    .string()
    .trim()
    .regex(/^\S+(\s+\S+){5}$/, {
      error: "expected an NCRONTAB expression of six fields, e.g. 0 */1 * * * *",
    })
    .default("0 */1 * * * *"),
  /** Checkpoint storage: a connection string, or AZURE_STORAGE_ACCOUNT_URL with the Azure credential. */
  AZURE_STORAGE_CONNECTION_STRING: z.string().min(1).optional(),
  AZURE_STORAGE_ACCOUNT_URL: httpUrl.optional(),
  AZURE_CHECKPOINT_CONTAINER: z
    .string()
    .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, {
      error: "expected a blob container name: 3-63 lower-case letters, digits and single hyphens",
    })
    .default("sentinel-checkpoints"),
};

type PrincipalConfig = Pick<Config, "AZURE_TENANT_ID" | "AZURE_CLIENT_ID" | "AZURE_CLIENT_SECRET">;

export const azureRules: readonly CrossFieldRule<PrincipalConfig>[] = [
  {
    // A client secret is used only with its tenant and client ids (azureCredential); alone it
    // would be dropped for DefaultAzureCredential without a word.
    name: "azure-service-principal",
    check: (config) => [
      ...requiredWhen(
        config,
        "AZURE_TENANT_ID",
        config.AZURE_CLIENT_SECRET !== undefined,
        "AZURE_CLIENT_SECRET is set",
      ),
      ...requiredWhen(
        config,
        "AZURE_CLIENT_ID",
        config.AZURE_CLIENT_SECRET !== undefined,
        "AZURE_CLIENT_SECRET is set",
      ),
    ],
  },
];
