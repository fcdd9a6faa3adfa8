import { incident, normal, preventive } from "../template.js";
import { podHosts, type ServiceSpec } from "./spec.js";

/** The storefront's HTTP API: access lines, application logs, the busiest service. */
export const webApi: ServiceSpec = {
  name: "web-api",
  traffic: 22,
  preventiveShare: 0.07,
  incidentShare: 0.02,
  traced: true,
  hosts: podHosts("web-api", 6),
  templates: [
    normal("info", "{method=method} {path=apipath} {status=status} {durationMs=lat:2:180}ms", 3),
    normal(
      "info",
      "request completed route={route=handler} status={status=status2xx} bytes={bytes=lat:120:48000} duration={durationMs=lat:3:250}ms",
      2,
    ),
    normal("debug", "GET /healthz 200 {durationMs=int:0:3}ms"),
    normal(
      "info",
      "user {userId=int:1000:999999} fetched order history page {int:1:30} ({int:0:50} items)",
    ),
    normal("info", "cart {uuid} updated: {int:1:12} items, subtotal {amount} {currency}"),
    normal("info", "checkout session {uuid} created for user {userId=int:1000:999999}"),
    normal(
      "info",
      "order {orderId=int:100000:9999999} placed by user {userId=int:1000:999999} total {amount} {currency}",
    ),
    normal(
      "debug",
      'feature flag "{pick:new-checkout|fast-search|one-click-buy|dark-mode|recs-v2}" evaluated to {pick:on|off} for user {int:1000:999999}',
    ),
    normal(
      "info",
      "served {int:1:48} recommendations for product {int:1:250000} in {durationMs=lat:4:90}ms",
    ),
    normal("info", "websocket connection opened from {clientip} (session {hex:16})"),
    normal(
      "info",
      "websocket connection closed from {clientip} after {dur:2000:3600000} (code {pick:1000|1001})",
    ),
    normal(
      "debug",
      "cache hit for product {int:1:250000} price (key product:{int:1:250000}:price)",
    ),
    normal("debug", "resolved route {method} {apipath} to handler {handler}"),
    normal("info", "session {hex:24} refreshed for user {email}"),
    normal(
      "info",
      "image upload accepted: {bytes:40000:8000000} {pick:image/jpeg|image/png|image/webp} for product {int:1:250000}",
    ),
    normal(
      "info",
      "rendered invoice PDF for order {int:100000:9999999} ({bytes:20000:900000}) in {dur:40:2200}",
    ),
    normal("info", "config reloaded from {file} ({int:12:240} keys)"),
    normal("info", "coupon {pick:WELCOME10|SPRING25|FREESHIP|VIP15} applied to cart {uuid}"),
    normal("info", "address validated for user {int:1000:999999} in {pick:DE|FR|NL|US|GB|PL}"),
    normal("info", "started HTTP server on 0.0.0.0:8080 with {int:4:64} workers", 0.3),
    normal("info", "graceful shutdown requested, draining {int:0:120} in-flight requests", 0.3),
    preventive(
      "warn",
      "slow request {method=method} {path=apipath} took {durationMs=lat:1500:9000}ms (threshold 1000ms)",
      3,
    ),
    preventive(
      "warn",
      "request to {upstream=k8shost} succeeded after {attempt=int:2:4} attempts",
      2,
    ),
    preventive(
      "warn",
      'deprecated endpoint {path=apipath} called by client "{pick:ios/5.2.1|android/4.9.0|web/2025.11|partner-sdk/1.4}"; migrate to /api/v2',
    ),
    preventive(
      "warn",
      "rate limit nearly exhausted for client {clientip}: {int:900:990}/1000 requests in window",
    ),
    preventive("warn", "response payload large for {method} {apipath}: {bytes:5000000:40000000}"),
    preventive(
      "warn",
      "connection pool to {k8shost} at {pct:80:95} capacity ({int:40:48}/50 in use)",
    ),
    preventive("warn", "event loop lag {lat:120:900}ms exceeds 100ms budget"),
    preventive(
      "warn",
      "heap usage {pct:80:92} of {bytes:1000000000:4000000000} limit, scheduling full GC",
    ),
    preventive(
      "info",
      "retrying call to {upstream=k8shost} in {dur:100:5000} (attempt {attempt=int:1:3}/5): {pick:ECONNRESET|ETIMEDOUT|EAI_AGAIN}",
    ),
    preventive("warn", "circuit breaker half-open for {k8shost}, sending probe request"),
    preventive(
      "warn",
      'request body for legacy client {hex:8} missing field "{pick:zip|phone|vat_id}"; accepted with defaults',
    ),
    incident(
      "error",
      'request failed {method=method} {path=apipath} status={status=status5xx} duration={durationMs=lat:5:30000}ms error="{pick:upstream timeout|connection reset by peer|context deadline exceeded|socket hang up}"',
      3,
    ),
    incident(
      "error",
      "unhandled exception in {handler}: TypeError: Cannot read properties of undefined (reading '{pick:id|items|total|address}')",
      2,
    ),
    incident("error", "request to {upstream=k8shost} failed after {attempt=int:3:5} attempts"),
    incident("error", "circuit breaker open for {k8shost} after {int:5:50} consecutive failures"),
    incident(
      "error",
      "database connection pool exhausted: 50/50 connections in use, {int:10:400} requests waiting",
    ),
    incident(
      "fatal",
      "process out of memory: heap limit {bytes:1000000000:4000000000} reached, worker {int:1:16} exiting",
    ),
    incident("error", "checkout {uuid} aborted: payment service unavailable ({status=status5xx})"),
    incident(
      "warn",
      "rejected {int:200:5000} requests with forged session signatures from {clientip} in {int:1:5} minutes",
    ),
    incident(
      "warn",
      'SQL injection attempt blocked from {clientip} on {apipath}: pattern "{pick:UNION SELECT|\' OR 1=1|; DROP TABLE}"',
    ),
  ],
  burst: [
    incident(
      "error",
      "panic recovered in middleware {pick:auth|tenancy|locale}: runtime error: index out of range [{int:1:64}] with length {int:0:1}",
    ),
    incident(
      "error",
      "serializer crashed encoding {pick:Order|Cart|Invoice} {int:100000:9999999}: circular reference at .{pick:items|customer}.{pick:order|parent}",
    ),
    incident(
      "error",
      'response schema mismatch for {path=apipath}: expected field "{pick:total_cents|line_items|currency_code}" missing',
    ),
    incident(
      "error",
      "feature flag payload malformed ({bytes:10:900}); all flags forced off for tenant {ref:tnt:8}",
    ),
    incident(
      "fatal",
      "worker {int:1:16} crashed: maximum call stack size exceeded in price rounding for cart {uuid}",
    ),
  ],
};
