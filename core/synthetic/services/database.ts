import { incident, normal, preventive } from "../template.js";
import { ordinalHosts, type ServiceSpec } from "./spec.js";

/** PostgreSQL primaries and replicas, with their pooler: the server's own log lines. */
export const database: ServiceSpec = {
  name: "database",
  traffic: 10,
  preventiveShare: 0.1,
  incidentShare: 0.025,
  traced: false,
  hosts: ordinalHosts(["pg-core", 3], ["pg-orders", 2]),
  templates: [
    normal("debug", "duration: {durationMs=float:0.05:40:3} ms  statement: {sql}", 4),
    normal(
      "info",
      "connection authorized: user={pick:app|readonly|migrator|replicator} database={database=db} application_name={pick:web-api|payment|inventory|psql}",
      2,
    ),
    normal("info", "connection received: host={ip} port={port}", 2),
    normal(
      "info",
      "disconnection: session time: 0:{int:10:59}:{int:10:59}.{int:100:999} user={pick:app|readonly} database={database=db} host={ip} port={port}",
      2,
    ),
    normal("info", "checkpoint starting: {pick:time|wal}"),
    normal(
      "info",
      "checkpoint complete: wrote {int:100:90000} buffers ({float:0.1:30:1}%); {int:0:3} WAL file(s) added, {int:0:12} removed, {int:0:20} recycled; write={float:0.5:270:3} s, sync={float:0.001:2:3} s, total={float:0.5:280:3} s",
    ),
    normal(
      "info",
      'automatic vacuum of table "{database=db}.public.{table=table}": index scans: {int:0:3}',
    ),
    normal(
      "info",
      'automatic analyze of table "{database=db}.public.{table=table}" system usage: CPU: user: {float:0.01:3:2} s, system: {float:0:0.5:2} s, elapsed: {float:0.01:9:2} s',
    ),
    normal(
      "info",
      "connection established to {upstream=ipport:5432|6432} (pool {pick:orders|core|payments}, {int:1:50} active)",
    ),
    normal("info", "started streaming WAL from primary at {walpos} on timeline {int:1:4}"),
    normal("info", "restartpoint complete: wrote {int:100:90000} buffers ({float:0.1:30:1}%)"),
    normal("info", "replication healthy on {pick:pg-core-1|pg-core-2|pg-orders-1}"),
    normal("info", "database system is ready to accept connections", 0.2),
    normal(
      "info",
      'logical replication apply worker for subscription "{pick:orders_sub|inventory_sub|analytics_sub}" has started',
    ),
    normal("info", "backup completed for database {database=db} after {dur:60000:5400000}"),
    normal(
      "info",
      'index "{table=table}_{pick:created_at_idx|user_id_idx|status_idx}" created concurrently in {dur:500:900000}',
    ),
    normal(
      "info",
      "migration {int:20250101000000:20251231235959} applied: {pick:add_column|create_index|backfill}_{table=table}",
    ),
    normal("debug", 'prepared statement "S_{int:1:400}" cached for backend {int:1000:60000}'),
    normal(
      "info",
      'temporary file: path "base/pgsql_tmp/pgsql_tmp{int:1000:60000}.{int:0:99}", size {int:1000000:900000000}',
    ),
    normal("info", "disk usage normal on {pick:/var/lib/postgresql|/pgwal}: {pct:20:70} used"),
    normal(
      "info",
      "pgbouncer stats: {int:50:4000} xacts/s, {int:100:9000} queries/s, avg wait {int:0:900} us",
    ),
    preventive(
      "warn",
      "slow query ({durationMs=float:1000:30000:1} ms) on {table=table}: Seq Scan over {lat:100000:50000000} rows",
      3,
    ),
    preventive("warn", "checkpoints are occurring too frequently ({int:5:29} seconds apart)", 2),
    preventive(
      "warn",
      "replication lag on {pick:pg-core-1|pg-core-2|pg-orders-1}: {dur:5000:120000} behind primary",
      2,
    ),
    preventive(
      "warn",
      "connection pool {pick:orders|core|payments} at {pct:85:98} utilisation ({int:85:98}/100)",
    ),
    preventive(
      "warn",
      'table "{table=table}" bloat estimated at {pct:30:60}; schedule VACUUM FULL or pg_repack',
    ),
    preventive(
      "warn",
      'database "{database=db}" must be vacuumed within {int:1000000:10000000} transactions',
    ),
    preventive("warn", "disk usage high on {pick:/var/lib/postgresql|/pgwal}: {pct:85:96} used"),
    preventive(
      "warn",
      "process {int:1000:60000} still waiting for ShareLock on transaction {int:1000000:90000000} after {float:1000:5000:3} ms",
    ),
    preventive("warn", "idle in transaction session {int:1000:60000} open for {dur:60000:1800000}"),
    preventive(
      "info",
      "retrying connection to {upstream=ipport:5432|6432} in {dur:500:8000} (attempt {attempt=int:1:3})",
    ),
    incident(
      "error",
      "connection failed to {upstream=ipport:5432|6432} (pool {pick:orders|core|payments}, {int:1:50} active)",
      2,
    ),
    incident(
      "error",
      "deadlock detected: process {int:1000:60000} waits for ShareLock on transaction {int:1000000:90000000}; blocked by process {int:1000:60000}",
      2,
    ),
    incident(
      "fatal",
      "remaining connection slots are reserved for non-replication superuser connections",
    ),
    incident(
      "error",
      'could not write to file "pg_wal/xlogtemp.{int:1000:60000}": No space left on device',
    ),
    incident("error", "replication broken on {pick:pg-core-1|pg-core-2|pg-orders-1}"),
    incident(
      "error",
      "requested WAL segment {hex:24} has already been removed; replica must be rebuilt",
    ),
    incident("error", "backup failed for database {database=db} after {dur:60000:5400000}"),
    incident("error", "canceling statement due to statement timeout: {sql}"),
    incident("error", 'duplicate key value violates unique constraint "{table=table}_pkey"'),
    incident("fatal", "could not locate a valid checkpoint record; startup aborted"),
    incident("error", "out of shared memory; increase max_locks_per_transaction"),
    incident(
      "error",
      "invalid page in block {int:0:900000} of relation base/{int:16000:17000}/{int:1000:99999}",
    ),
  ],
  burst: [
    incident(
      "error",
      'could not serialize access due to read/write dependencies among transactions on "{table=table}"',
    ),
    incident(
      "error",
      'extension "{pick:pg_trgm|postgis|pgcrypto}" version mismatch after minor upgrade; functions unusable',
    ),
    incident(
      "fatal",
      "WAL receiver process exited: timeline {int:2:9} forked off current history at {walpos}",
    ),
    incident(
      "error",
      'sequence "{table=table}_id_seq" reached maximum value ({int:2147483000:2147483647})',
    ),
    incident(
      "error",
      "logical decoding slot {pick:debezium|analytics_cdc} invalidated: wal_keep exceeded by {bytes:1000000000:90000000000}",
    ),
  ],
};
