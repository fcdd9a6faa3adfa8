import { incident, normal, preventive } from "../template.js";
import { podHosts, type ServiceSpec } from "./spec.js";

/** The edge proxy in front of every HTTP service: envoy-like access lines and cluster events. */
export const gateway: ServiceSpec = {
  name: "gateway",
  traffic: 14,
  preventiveShare: 0.06,
  incidentShare: 0.015,
  traced: true,
  hosts: podHosts("gateway", 4),
  templates: [
    normal(
      "info",
      '{clientIp=clientip} "{method=method} {path=gwpath} HTTP/{pick:1.1|2}" {status=status} {bytes=lat:90:250000} {durationMs=lat:1:300}ms upstream={upstream=cluster}',
      4,
    ),
    normal(
      "info",
      'denied {clientIp=clientip} "{method=method} {path=gwpath}" {status=status4xx} rule={pick:auth_required|not_found|bad_request|too_many_requests}',
    ),
    normal("info", "upstream cluster {cluster} membership updated: {int:2:12} healthy hosts"),
    normal("debug", "health check passed for upstream {upstream=ipport:8080|8443|50051}"),
    normal(
      "debug",
      "TLS handshake completed with {clientip} ({pick:TLSv1.3|TLSv1.2}, {pick:TLS_AES_128_GCM_SHA256|TLS_AES_256_GCM_SHA384|ECDHE-RSA-AES128-GCM-SHA256})",
    ),
    normal(
      "debug",
      "TLS handshake aborted by {clientip}: {pick:unknown ca|no shared cipher|bad certificate|client closed}",
    ),
    normal(
      "info",
      "route table reloaded: {int:40:180} routes, {int:8:30} clusters, version {version}",
    ),
    normal("info", "certificate for {domain} renewed, valid for {int:60:90} days"),
    normal("info", "listener 0.0.0.0:{pick:443|8443} accepting connections", 0.3),
    normal("info", "drained {int:0:300} connections from {pod} before shutdown"),
    normal("debug", "DNS lookup succeeded for {k8shost} in {lat:1:40}ms"),
    normal(
      "info",
      "websocket upgrade for {clientip} on /ws/{pick:orders|notifications|chat} (stream {int:1:99999})",
    ),
    normal(
      "info",
      "canary {pick:web-api|checkout|search}:{version} receiving {pct:1:10} of traffic",
    ),
    normal("debug", 'matched route "{pick:api_v1|api_v2|static|ws}" for {gwpath}'),
    normal("debug", "access log flushed: {int:1000:90000} entries to {file}"),
    normal("debug", "client {clientip} sent GOAWAY, closing stream {int:1:99999}"),
    normal("debug", "rate limit bucket refilled for tenant {ref:tnt:8}"),
    normal("info", "compressed response for {gwpath} with {pick:gzip|br} ({pct:40:85} saved)"),
    preventive("warn", "health check failed for upstream {upstream=ipport:8080|8443|50051}", 2),
    preventive(
      "warn",
      "upstream {upstream=cluster} latency p99 {lat:800:4000}ms above SLO of 500ms",
      2,
    ),
    preventive(
      "warn",
      "rate limited {clientIp=clientip}: {int:100:5000} requests in 60s exceeds tenant quota",
    ),
    preventive("warn", "certificate for {domain} expires in {int:3:14} days"),
    preventive(
      "info",
      "retrying request to {upstream=cluster} (attempt {attempt=int:2:3}): upstream reset before headers",
    ),
    preventive("warn", "connection limit {pct:85:98} reached on listener 0.0.0.0:443"),
    preventive(
      "warn",
      "outlier detection ejected host {ipport:8080|8443|50051} from cluster {cluster} for {dur:30000:300000}",
    ),
    preventive(
      "warn",
      "request header size {bytes:6000:16000} close to limit of 16KB from {clientip}",
    ),
    preventive("warn", "deprecated TLS version TLSv1.1 negotiated by {clientip}"),
    incident(
      "error",
      '{clientIp=clientip} "{method=method} {path=gwpath} HTTP/1.1" {status=status5xx} {bytes=lat:0:900} {durationMs=lat:2:30000}ms upstream={upstream=cluster} upstream_error="{pick:connection refused|timeout|reset before headers}"',
      4,
    ),
    incident("error", "no healthy upstream for cluster {upstream=cluster}", 2),
    incident(
      "error",
      "upstream connect error or disconnect/reset before headers. reset reason: connection failure, upstream {ipport:8080|8443|50051}",
    ),
    incident("error", "DNS lookup failed for {k8shost} in {lat:1000:5000}ms"),
    incident("error", "TLS certificate for {domain} has expired; rejected {int:1:999} connections"),
    incident(
      "warn",
      "DDoS protection engaged: {int:20000:500000} requests/s from {int:200:9000} sources targeting {gwpath}",
    ),
    incident("fatal", "worker {int:0:15} crashed with signal SIGSEGV, restarting"),
    incident("error", "all hosts of cluster {upstream=cluster} marked unhealthy by active checks"),
  ],
  burst: [
    incident(
      "error",
      "HTTP/2 protocol error from upstream {cluster}: stream {int:1:99999} reset with FRAME_SIZE_ERROR",
    ),
    incident(
      "error",
      "lua filter {pick:geo_block|tenant_header|ab_split} threw: attempt to index a nil value (field '{pick:headers|route}')",
    ),
    incident(
      "error",
      "JWT filter rejected request: jwks cache empty for issuer https://{domain}/ ({int:1:500} requests)",
    ),
    incident(
      "fatal",
      "config push v{int:100:999} rejected: duplicate listener name ingress_https; gateway running stale routes",
    ),
    incident(
      "error",
      "response trailers missing from upstream {cluster}; gRPC call {pick:/orders.v1.Orders/Get|/cart.v1.Cart/Update} aborted",
    ),
  ],
};
