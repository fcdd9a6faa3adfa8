import { incident, normal, preventive } from "../template.js";
import { ordinalHosts, type ServiceSpec } from "./spec.js";

/** The search cluster (Elasticsearch / OpenSearch style) and its query front end. */
export const search: ServiceSpec = {
  name: "search",
  traffic: 6,
  preventiveShare: 0.09,
  incidentShare: 0.02,
  traced: true,
  hosts: ordinalHosts(["es-data", 5], ["es-master", 3]),
  templates: [
    normal(
      "info",
      '[{index=index}] query took {tookMs=lat:2:250}ms hits={lat:1:12000} q="{term}"',
      4,
    ),
    normal("info", "[{index=index}] indexed {int:1:2000} documents in {tookMs=lat:5:900}ms", 2),
    normal(
      "info",
      "Cluster health status changed from [YELLOW] to [GREEN] (reason: [shards started [[{index=index}][{int:0:5}]]])",
      0.5,
    ),
    normal("info", "[{index=index}][{int:0:5}] recovery completed from {pod} in {dur:500:600000}"),
    normal(
      "debug",
      "[gc][young][{int:1:900000}] duration [{lat:5:80}ms], collections [1]/[{float:1:3:1}s]",
      2,
    ),
    normal("info", "created index [{index=index}] with {int:1:5} shards and {int:0:2} replicas"),
    normal(
      "info",
      "snapshot [{pick:nightly|hourly}-{hex:8}] completed: {int:1:40} indices, {bytes:100000000:900000000000}",
    ),
    normal(
      "debug",
      'autocomplete suggestions for "{pick:run|wire|coff|rain|desk|yoga}" served from cache',
    ),
    normal("info", "[{index=index}] refresh interval set to {pick:1s|5s|30s}"),
    normal("info", "node {pod} joined the cluster"),
    normal(
      "info",
      "[{index=index}] merge finished: {int:2:40} segments into 1, {bytes:1000000:9000000000}",
    ),
    normal("info", "rolled over alias [{pick:orders-write|events-write}] to index [{index=index}]"),
    normal("debug", "query cache hit ratio {pct:70:99} on {pod}"),
    normal(
      "info",
      'synonym set "{pick:en_products|de_products}" reloaded with {int:100:5000} rules',
    ),
    normal("debug", "scroll {hex:24} cleared after {int:1:400} pages"),
    normal("info", "search ranking model rank-{version} loaded in {dur:300:20000}"),
    preventive(
      "warn",
      '[{index=index}] slow query took {tookMs=lat:2000:15000}ms hits={lat:1:12000} q="{term}"',
      3,
    ),
    preventive(
      "warn",
      "high disk watermark [90%] exceeded on {pod}, shards will be relocated away from this node",
      2,
    ),
    preventive(
      "warn",
      "Cluster health status changed from [GREEN] to [YELLOW] (reason: [{pick:node left|shard failed|index created}])",
    ),
    preventive(
      "warn",
      "[gc][{int:1:900000}] overhead, spent [{lat:500:3000}ms] collecting in the last [1s]",
    ),
    preventive("warn", "search thread pool queue at {int:800:990}/1000 on {pod}"),
    preventive(
      "warn",
      "[{index=index}] has {int:4000:4990} fields, approaching mapping limit of 5000",
    ),
    preventive(
      "warn",
      "[types removal] specifying types in search requests is deprecated (client {pick:catalog-sync|legacy-reports})",
    ),
    preventive("warn", "circuit breaker [parent] at {pct:85:94} of limit on {pod}"),
    preventive("warn", "[{index=index}][{int:0:5}] shard relocation taking {dur:600000:3600000}"),
    incident(
      "error",
      "Cluster health status changed from [YELLOW] to [RED] (reason: [{pick:primary shard unassigned|node left|allocation failed}])",
    ),
    incident(
      "error",
      "flood stage disk watermark [95%] exceeded on {pod}, all indices on this node will be marked read-only",
    ),
    incident(
      "error",
      "[{index=index}] search failed: all shards failed (phase: [{pick:query|fetch|dfs}])",
      3,
    ),
    incident(
      "error",
      "[{index=index}][{int:0:5}] primary shard failed: CorruptIndexException[checksum failed]",
    ),
    incident(
      "error",
      "[parent] Data too large, data for [<http_request>] would be [{bytes:4000000000:9000000000}], which is larger than the limit",
      2,
    ),
    incident(
      "error",
      "master not discovered yet, this node has not previously joined a bootstrapped cluster",
    ),
    incident(
      "error",
      "node {pod} left the cluster: {pick:disconnected|followers check retry count exceeded}",
    ),
    incident(
      "error",
      "indexing rejected for [{index=index}]: EsRejectedExecutionException queue capacity 200",
    ),
  ],
  burst: [
    incident(
      "error",
      "[{index=index}] mapper_parsing_exception: failed to parse field [{pick:price|stock|rating}] of type [float]",
    ),
    incident(
      "error",
      "analyzer [{pick:icu_folding|edge_ngram_3}] not found for index [{index=index}]; queries returning empty",
    ),
    incident("fatal", "split brain: two masters elected ({pod} and {pod}) in term {int:100:9000}"),
    incident(
      "error",
      "ranking model rank-{version} produced NaN scores for {int:100:9000} documents",
    ),
    incident(
      "error",
      "snapshot repository [{pick:s3-backups|gcs-backups}] is corrupted: index-N blob missing",
    ),
  ],
};
