import * as z from "zod";
import {
  type CrossFieldRule,
  decimal,
  httpUrl,
  nonNegativeInt,
  positiveInt,
  requiredWhen,
} from "../config/fields.js";
import type { Config } from "../config/schema.js";

/** Loki's variables (core/loki): where the forwarder reads, what, and how fast. */
export const lokiVariables = {
  LOKI_URL: httpUrl.default("http://localhost:3100"),
  /** LogQL stream selector (and filters) the forwarder reads, e.g. {app="api"}. */
  LOKI_QUERY: z.string().trim().min(1).optional(),
  /** Events per second sent on at most; 0 turns the limit off. */
  LOKI_RATE_LIMIT: decimal(
    z
      .number({ error: "expected a number of events per second (0: no limit)" })
      .min(0, { error: "expected a number of at least 0 (0: no limit)" }),
  ).default(0),
  /** Most events per batch handed to Kafka (the checkpoint advances after each batch). */
  LOKI_BATCH_SIZE: positiveInt(100_000).default(1000),
  /** Entries per query_range request; Loki refuses more than its max_entries_limit_per_query (5000). */
  LOKI_QUERY_LIMIT: positiveInt(100_000).default(1000),
  /** Reads stop this far behind now, so entries still being written are not stepped over. */
  LOKI_QUERY_LAG_SECONDS: nonNegativeInt(3600).default(5),
  /** With --follow, how long to wait once caught up before asking again. */
  LOKI_POLL_INTERVAL_SECONDS: positiveInt(3600).default(2),
  /** Multi-tenant Loki: sent as X-Scope-OrgID. */
  LOKI_TENANT_ID: z.string().min(1).optional(),
  LOKI_USERNAME: z.string().min(1).optional(),
  LOKI_PASSWORD: z.string().min(1).optional(),
};

export const lokiRules: readonly CrossFieldRule<Pick<Config, "LOKI_USERNAME" | "LOKI_PASSWORD">>[] =
  [
    {
      // Basic auth needs a user name; a user name alone is sent with an empty password.
      name: "loki-basic-auth",
      check: (config) =>
        requiredWhen(
          config,
          "LOKI_USERNAME",
          config.LOKI_PASSWORD !== undefined,
          "LOKI_PASSWORD is set",
        ),
    },
  ];
