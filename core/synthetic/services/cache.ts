import { incident, normal, preventive } from "../template.js";
import { ordinalHosts, type ServiceSpec } from "./spec.js";

/** Redis: the server's own lines plus the caching layer's hit, miss and invalidation logs. */
export const cache: ServiceSpec = {
  name: "cache",
  traffic: 9,
  preventiveShare: 0.07,
  incidentShare: 0.015,
  traced: false,
  hosts: ordinalHosts(["redis-sessions", 3], ["redis-cart", 3], ["redis-ratelimit", 2]),
  templates: [
    normal("debug", "cache hit key={key=cachekey} ttl={int:1:3600}s", 4),
    normal(
      "debug",
      "cache miss key={key=cachekey}, loaded from origin in {durationMs=lat:1:400}ms",
      3,
    ),
    normal("info", "Background saving started by pid {int:100:99999}"),
    normal("info", "DB saved on disk"),
    normal("info", "Background saving terminated with success"),
    normal("info", "{int:1:10000} changes in {int:60:900} seconds. Saving..."),
    normal("info", "Accepted {ip}:{port}"),
    normal("info", "Cluster state changed: ok", 0.5),
    normal("info", "Synchronization with replica {ip}:{port} succeeded", 0.5),
    normal("info", "MASTER <-> REPLICA sync: Finished with success", 0.5),
    normal("info", "evicted {int:0:500} keys under allkeys-lru in the last {int:10:60}s"),
    normal("debug", "expired {int:0:20000} keys in {lat:1:25}ms during active expire cycle"),
    normal(
      "info",
      "keyspace {pick:sessions|carts|ratelimit|catalog} holds {lat:10000:5000000} keys, {bytes:10000000:8000000000} used",
    ),
    normal("info", "Ready to accept connections tcp", 0.2),
    normal("info", "invalidated {int:1:400} keys matching product:{int:1:250000}:*"),
    normal(
      "info",
      "warmup loaded {lat:100:900000} entries into {pick:sessions|carts|catalog} in {dur:200:120000}",
    ),
    normal("info", "memory usage normal: {pct:20:65} of maxmemory"),
    normal("info", "Replica {ip}:{port} asks for synchronization", 0.5),
    normal("info", "Background AOF rewrite finished successfully"),
    normal("debug", "pipeline of {int:2:500} commands flushed in {lat:0:20}ms"),
    preventive("warn", "memory usage high: {pct:85:97} of maxmemory", 2),
    preventive(
      "warn",
      "Client id={int:1:900000} addr={ip}:{port} closed for overcoming of output buffer limits",
    ),
    preventive(
      "warn",
      "slow command {pick:KEYS|SMEMBERS|HGETALL|ZRANGEBYSCORE} {key=cachekey} took {lat:10000:900000} microseconds",
      2,
    ),
    preventive("warn", "hit ratio dropped to {pct:55:75} over the last 5 minutes"),
    preventive(
      "warn",
      "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.",
    ),
    preventive("warn", "connected clients {int:9000:9900} approaching maxclients 10000"),
    preventive(
      "warn",
      "key {key=cachekey} is hot: {int:5000:50000} ops/s from {int:10:200} clients",
    ),
    preventive("warn", "fork took {lat:300:2000}ms for background save; latency spike expected"),
    preventive(
      "warn",
      "replica {ip}:{port} lagging {lat:1000000:50000000} bytes behind master offset",
    ),
    incident("error", "Cluster state changed: fail", 2),
    incident("error", "OOM command not allowed when used memory > 'maxmemory'", 2),
    incident(
      "error",
      "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk",
    ),
    incident("error", "Connection with master lost; replica {ip}:{port} serving stale data"),
    incident(
      "error",
      "cache stampede: {int:500:20000} concurrent misses for {key=cachekey}; origin overloaded",
    ),
    incident(
      "error",
      "Failover election in progress: master {ip}:{port} unreachable for {int:5:60}s",
    ),
    incident("error", "Can't save in background: fork: Cannot allocate memory"),
    incident("fatal", "Short read or OOM loading DB. Unrecoverable error, aborting now."),
  ],
  burst: [
    incident(
      "error",
      "CROSSSLOT Keys in request don't hash to the same slot for {int:100:9000} MULTI blocks",
    ),
    incident(
      "error",
      "Lua script {hex:40} killed after {int:5:60}s: BUSY Redis is busy running a script",
    ),
    incident(
      "error",
      "RDB file {pick:dump.rdb|appendonly.aof.1.base.rdb} checksum mismatch on load; keyspace empty",
    ),
    incident(
      "fatal",
      "Node {hex:40} slot coverage lost: {int:100:5000} slots unassigned after resharding",
    ),
    incident(
      "error",
      "client library serialization mismatch: {int:100:9000} values written as msgpack read as JSON",
    ),
  ],
};
