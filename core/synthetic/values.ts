/**
 * Generators for the variable parts of synthetic messages: numbers, durations, addresses, ids,
 * paths, names, and the domain words each service uses. A template names one as a placeholder,
 * `{kind}` or `{kind:arg:arg}` (see template.ts); `VALUE_KINDS` maps the kind to a factory.
 *
 * Everything here is made up on purpose: e-mail addresses use example.com / example.org, client
 * addresses come from the documentation ranges (RFC 5737, RFC 3849), internal ones from private
 * ranges, phone numbers from the fictional 555-01xx block, and nothing resembles a credential.
 */

import type { Rng } from "./prng.js";

/** Produces one variable part; numbers stay numbers so captured fields keep their type. */
export type ValueGenerator = (rng: Rng) => string | number;

const HEX_BYTES: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
/** Kubernetes' safe alphabet for generated name suffixes (no vowels, no look-alikes). */
const K8S_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export function hex(rng: Rng, length: number): string {
  let out = "";
  while (out.length < length) {
    const x = rng.uint32();
    out +=
      (HEX_BYTES[x >>> 24] as string) +
      (HEX_BYTES[(x >>> 16) & 255] as string) +
      (HEX_BYTES[(x >>> 8) & 255] as string) +
      (HEX_BYTES[x & 255] as string);
  }
  return out.length === length ? out : out.slice(0, length);
}

function fromAlphabet(rng: Rng, alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[rng.uint32() % alphabet.length];
  return out;
}

function uuid(rng: Rng): string {
  const h = hex(rng, 32);
  const variant = "89ab"[rng.uint32() & 3] as string;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
}

/** A Kubernetes pod name: `<deployment>-<replicaset hash>-<suffix>`, e.g. checkout-7d9f8b6c5-x2kqz. */
export function podName(rng: Rng, deployment: string): string {
  return `${deployment}-${fromAlphabet(rng, K8S_ALPHABET, rng.chance(0.5) ? 9 : 10)}-${fromAlphabet(rng, K8S_ALPHABET, 5)}`;
}

/** Log-uniform integer in [min, max]: latencies and sizes are skewed towards the small end. */
function logUniform(rng: Rng, min: number, max: number): number {
  const lo = Math.log(Math.max(min, 1));
  const hi = Math.log(Math.max(max, 1));
  const value = Math.round(Math.exp(lo + (hi - lo) * rng.float()));
  return Math.min(Math.max(value, min), max);
}

function humanDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${Math.floor((ms % 60_000) / 1000)}s`;
  return `${Math.floor(ms / 3_600_000)}h${Math.floor((ms % 3_600_000) / 60_000)}m`;
}

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"];
function humanBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(value < 10 ? 2 : 1)}${BYTE_UNITS[unit]}`;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const FIRST_NAMES = [
  "alice",
  "bob",
  "carol",
  "dave",
  "erin",
  "frank",
  "grace",
  "heidi",
  "ivan",
  "judy",
  "mallory",
  "olivia",
  "peggy",
  "rupert",
  "sybil",
  "trent",
  "victor",
  "walter",
  "yusuf",
  "zoe",
  "amara",
  "bruno",
  "chen",
  "dmitri",
  "elena",
  "farah",
  "goran",
  "hana",
  "igor",
  "jun",
  "kofi",
  "lena",
  "mateo",
  "nadia",
  "omar",
  "priya",
  "quinn",
  "rosa",
  "sven",
  "tariq",
  "uma",
  "vera",
  "wei",
  "ximena",
  "yara",
  "zane",
  "aisha",
  "bjorn",
  "camille",
  "diego",
];
const LAST_NAMES = [
  "smith",
  "nguyen",
  "garcia",
  "kowalski",
  "tanaka",
  "okafor",
  "silva",
  "jensen",
  "rossi",
  "dubois",
  "novak",
  "haddad",
  "kim",
  "patel",
  "lopez",
  "schmidt",
  "ivanova",
  "murphy",
  "sato",
  "costa",
  "berg",
  "moreau",
  "weber",
  "fischer",
  "oconnor",
  "mensah",
  "larsen",
  "yilmaz",
];
const EMAIL_DOMAINS = ["example.com", "example.org", "mail.example.com", "corp.example.org"];

const TABLES = [
  "orders",
  "order_items",
  "users",
  "user_sessions",
  "payments",
  "refunds",
  "invoices",
  "products",
  "product_prices",
  "inventory_levels",
  "stock_movements",
  "shipments",
  "addresses",
  "audit_log",
  "notifications",
  "outbox_events",
  "carts",
  "cart_items",
  "coupons",
  "feature_flags",
  "job_runs",
  "reviews",
  "wishlists",
  "tax_rates",
];
const DATABASES = ["shop", "auth", "payments", "inventory", "analytics"];
const QUEUES = [
  "orders.created",
  "orders.paid",
  "payments.capture",
  "emails.send",
  "sms.send",
  "push.send",
  "inventory.reserve",
  "inventory.release",
  "search.reindex",
  "invoices.generate",
  "exports.csv",
  "webhooks.deliver",
  "images.resize",
  "audit.events",
  "refunds.process",
];
const TOPICS = [
  "orders",
  "payments",
  "inventory-events",
  "user-events",
  "search-updates",
  "notifications",
  "audit",
  "clickstream",
];
const INDICES = [
  "products_v3",
  "products_v4",
  "orders-2026.01",
  "customers_v2",
  "autocomplete_v5",
  "catalog_en",
  "catalog_de",
  "reviews_v1",
];
const BUCKETS = [
  "media-uploads",
  "invoices-archive",
  "backups-pg",
  "exports-tmp",
  "static-assets",
  "ml-artifacts",
  "logs-cold",
  "product-images",
];
const CRON_JOBS = [
  "nightly-invoice-run",
  "cart-cleanup",
  "session-purge",
  "reindex-products",
  "sitemap-generate",
  "currency-rates-sync",
  "abandoned-cart-reminder",
  "pg-backup",
  "report-daily-sales",
  "stock-reconcile",
  "gdpr-export",
  "search-compaction",
  "cert-renewal",
  "loyalty-points-expiry",
  "price-feed-import",
  "orphaned-uploads-sweep",
];
const DEPLOYMENTS = [
  "checkout",
  "web-api",
  "payment",
  "auth",
  "catalog",
  "search-indexer",
  "notifier",
  "inventory",
  "gateway",
  "scheduler",
  "image-resizer",
  "recommendations",
  "cart",
  "orders",
  "storage-gw",
  "queue-worker",
];
const CLUSTERS = [
  "web_api",
  "checkout",
  "payment",
  "auth",
  "catalog",
  "search",
  "inventory",
  "recommendations",
  "static_assets",
];
const K8S_SERVICES = [
  "payment",
  "auth",
  "inventory",
  "catalog",
  "search",
  "orders",
  "cart",
  "recommendations",
  "notifier",
  "pricing",
  "shipping",
  "tax",
];
const NAMESPACES = ["default", "shop", "payments", "platform"];
const REGIONS = [
  "us-east-1",
  "us-west-2",
  "eu-west-1",
  "eu-central-1",
  "ap-southeast-1",
  "westeurope",
  "northeurope",
  "eastus2",
];
const PSPS = ["stripe", "adyen", "braintree", "worldpay", "mollie"];
const CURRENCIES = ["USD", "EUR", "GBP", "CHF", "SEK", "PLN", "CAD", "AUD", "JPY"];
const WAREHOUSES = ["wh-ams-1", "wh-fra-2", "wh-dub-1", "wh-nyc-3", "wh-sfo-1", "wh-waw-1"];
const SKU_SUFFIXES = ["BLK", "WHT", "RED", "BLU", "GRN", "XL", "M", "S", "40", "42", "44"];
const NOTIFICATION_TEMPLATES = [
  "order_confirmation",
  "shipping_update",
  "password_reset",
  "welcome",
  "cart_reminder",
  "invoice_ready",
  "refund_issued",
  "price_drop",
  "review_request",
  "login_alert",
];
const MAIL_PROVIDERS = ["ses", "sendgrid", "postmark", "mailgun"];
const SMS_PROVIDERS = ["twilio", "vonage", "sinch", "messagebird"];
const SEARCH_TERMS = [
  "running shoes",
  "wireless headphones",
  "coffee grinder",
  "rain jacket",
  "usb-c cable",
  "standing desk",
  "yoga mat",
  "espresso machine",
  "winter boots",
  "backpack",
  "phone case",
  "air fryer",
  "mechanical keyboard",
  "linen shirt",
  "kids bike",
  "led strip",
  "garden hose",
];
const METHODS_WEIGHTED = [
  "GET",
  "GET",
  "GET",
  "GET",
  "GET",
  "GET",
  "POST",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "GET",
];
const STATUS_2XX = [200, 200, 200, 200, 200, 200, 201, 204, 200, 304];
const STATUS_4XX = [400, 401, 403, 404, 404, 404, 409, 422, 429];
const STATUS_5XX = [500, 502, 503, 503, 504];
/** An access log's status mix for a healthy service: mostly 2xx/304, some client errors. */
const STATUS_HEALTHY = [
  ...STATUS_2XX,
  ...STATUS_2XX,
  ...STATUS_2XX,
  ...STATUS_2XX,
  ...STATUS_2XX,
  400,
  401,
  404,
  404,
];
const CATEGORIES = ["shoes", "electronics", "kitchen", "garden", "toys", "books", "outdoor"];
const DOMAINS = [
  "shop.example.com",
  "api.example.com",
  "checkout.example.com",
  "static.example.org",
  "partners.example.org",
  "admin.example.com",
  "cdn.example.org",
];
const HANDLERS = [
  "OrdersController.show",
  "OrdersController.create",
  "CartController.update",
  "CheckoutController.confirm",
  "UserController.show",
  "ProductsController.index",
  "SearchController.query",
  "RecommendationsController.list",
];
const VOLUMES = ["vol-data-0", "vol-data-1", "vol-data-2", "vol-meta-0", "nvme0n1p1", "vol-wal-0"];
const DISKS = ["/dev/nvme0n1", "/dev/nvme1n1", "/dev/sdb", "/dev/sdc", "/dev/sdd"];
const CONTAINERS = ["app", "worker", "sidecar-envoy", "migrate", "indexer", "server"];
const SQL_SHAPES: ((table: string) => string)[] = [
  (t) => `SELECT * FROM ${t} WHERE id = $1`,
  (t) =>
    `SELECT id, status, updated_at FROM ${t} WHERE user_id = $1 ORDER BY created_at DESC LIMIT 50`,
  (t) => `UPDATE ${t} SET status = $1, updated_at = now() WHERE id = $2`,
  (t) => `INSERT INTO ${t} (id, payload, created_at) VALUES ($1, $2, now())`,
  (t) => `DELETE FROM ${t} WHERE created_at < now() - interval '30 days'`,
  (t) => `SELECT count(*) FROM ${t} WHERE tenant_id = $1 AND deleted_at IS NULL`,
];

// ---------------------------------------------------------------------------------------------
// Composite generators

function userName(rng: Rng): string {
  const first = rng.pick(FIRST_NAMES);
  const style = rng.uint32() % 4;
  if (style === 0) return `${first}.${rng.pick(LAST_NAMES)}`;
  if (style === 1) return `${first}${rng.int(1, 9999)}`;
  if (style === 2) return `${first[0]}${rng.pick(LAST_NAMES)}`;
  return `${first}_${rng.pick(LAST_NAMES)}${rng.int(1, 99)}`;
}

function email(rng: Rng): string {
  return `${userName(rng)}@${rng.pick(EMAIL_DOMAINS)}`;
}

function internalIp(rng: Rng): string {
  const r = rng.uint32();
  const kind = r & 7;
  if (kind < 5) return `10.${(r >>> 3) & 63}.${(r >>> 9) & 255}.${1 + ((r >>> 17) % 254)}`;
  if (kind < 7) return `172.${16 + ((r >>> 3) & 15)}.${(r >>> 7) & 255}.${1 + ((r >>> 15) % 254)}`;
  return `192.168.${(r >>> 3) & 255}.${1 + ((r >>> 11) % 254)}`;
}

const DOC_NETS = ["192.0.2", "198.51.100", "203.0.113"];
function clientIp(rng: Rng): string {
  const r = rng.uint32();
  if ((r & 15) === 0) return `2001:db8:${(r >>> 4) & 0xfff}::${((r >>> 16) & 0xffff).toString(16)}`;
  return `${DOC_NETS[(r >>> 4) % 3]}.${1 + ((r >>> 8) % 254)}`;
}

const SERVICE_PORTS = [5432, 6379, 8080, 8080, 9092, 9200, 443, 3306, 11211, 8443, 50051, 5672];

function apiPath(rng: Rng): string {
  const r = rng.uint32() % 20;
  switch (r) {
    case 0:
    case 1:
      return `/api/v1/orders/${rng.int(100000, 9999999)}`;
    case 2:
      return `/api/v1/orders/${rng.int(100000, 9999999)}/items`;
    case 3:
      return `/api/v1/orders?page=${rng.int(1, 40)}&limit=50`;
    case 4:
      return `/api/v1/users/${rng.int(1000, 999999)}`;
    case 5:
      return `/api/v1/users/${rng.int(1000, 999999)}/addresses`;
    case 6:
    case 7:
      return `/api/v1/products/${rng.int(1, 250000)}`;
    case 8:
      return `/api/v1/products?category=${rng.pick(CATEGORIES)}&page=${rng.int(1, 30)}`;
    case 9:
    case 10:
      return `/api/v1/carts/${uuid(rng)}`;
    case 11:
      return `/api/v1/carts/${uuid(rng)}/items`;
    case 12:
      return `/api/v1/checkout/${uuid(rng)}/confirm`;
    case 13:
      return `/api/v2/search?q=${rng.pick(SEARCH_TERMS).replace(" ", "+")}&page=${rng.int(1, 9)}`;
    case 14:
      return `/api/v1/payments/pay_${fromAlphabet(rng, LOWER_ALNUM, 16)}`;
    case 15:
      return `/api/v1/inventory/${sku(rng)}`;
    case 16:
      return `/api/v1/recommendations/${rng.int(1000, 999999)}`;
    case 17:
      return `/api/v1/users/${rng.int(1000, 999999)}/wishlist`;
    case 18:
      return `/api/v1/reviews?product=${rng.int(1, 250000)}`;
    default:
      return `/api/v1/shipments/${rng.int(10000000, 99999999)}/tracking`;
  }
}

function gatewayPath(rng: Rng): string {
  const r = rng.uint32() % 10;
  if (r < 6) return apiPath(rng);
  if (r === 6) return `/static/js/app.${hex(rng, 8)}.js`;
  if (r === 7)
    return `/static/img/products/${rng.int(1, 250000)}-${rng.pick([320, 640, 1280])}.webp`;
  if (r === 8) return "/healthz";
  return `/ws/${rng.pick(["orders", "notifications", "chat"])}`;
}

function filePath(rng: Rng): string {
  switch (rng.uint32() % 9) {
    case 0:
      return `/var/lib/postgresql/16/main/base/${rng.int(16000, 17000)}/${rng.int(1000, 99999)}`;
    case 1:
      return `/var/log/app/worker-${rng.int(0, 15)}.log`;
    case 2:
      return `/data/uploads/2026/${String(rng.int(1, 12)).padStart(2, "0")}/${uuid(rng)}.jpg`;
    case 3:
      return `/etc/nginx/conf.d/${rng.pick(["shop", "api", "admin", "static"])}.conf`;
    case 4:
      return `/tmp/export-${hex(rng, 8)}.csv`;
    case 5:
      return `/srv/app/config/${rng.pick(["production", "features", "routes", "limits"])}.yaml`;
    case 6:
      return `/mnt/data/es/nodes/0/indices/${fromAlphabet(rng, LOWER_ALNUM, 22)}/${rng.int(0, 5)}/index/_${rng.int(1, 900).toString(36)}.cfs`;
    case 7:
      return `/opt/app/releases/${version(rng)}/bin/server`;
    default:
      return `/var/cache/app/${hex(rng, 2)}/${hex(rng, 2)}/${hex(rng, 16)}`;
  }
}

function objectKey(rng: Rng): string {
  switch (rng.uint32() % 6) {
    case 0:
      return `uploads/2026/${String(rng.int(1, 12)).padStart(2, "0")}/${String(rng.int(1, 28)).padStart(2, "0")}/${uuid(rng)}.jpg`;
    case 1:
      return `invoices/${rng.int(2024, 2026)}/INV-${rng.int(100000, 999999)}.pdf`;
    case 2:
      return `exports/${hex(rng, 12)}/part-${String(rng.int(0, 99)).padStart(5, "0")}.csv.gz`;
    case 3:
      return `backups/pg/${rng.pick(DATABASES)}/base-${hex(rng, 8)}.tar.zst`;
    case 4:
      return `products/${rng.int(1, 250000)}/${rng.pick(["main", "alt-1", "alt-2", "thumb"])}.webp`;
    default:
      return `models/${rng.pick(["recs", "fraud", "search-rank"])}/v${rng.int(1, 40)}/weights.bin`;
  }
}

function cacheKey(rng: Rng): string {
  switch (rng.uint32() % 7) {
    case 0:
      return `session:${hex(rng, 24)}`;
    case 1:
      return `user:${rng.int(1000, 999999)}:profile`;
    case 2:
      return `cart:${uuid(rng)}`;
    case 3:
      return `product:${rng.int(1, 250000)}:price`;
    case 4:
      return `rate:${clientIp(rng)}`;
    case 5:
      return `catalog:category:${rng.pick(CATEGORIES)}:page:${rng.int(1, 30)}`;
    default:
      return `feature-flags:v${rng.int(1, 400)}`;
  }
}

function sku(rng: Rng): string {
  return `SKU-${rng.int(10000, 99999)}-${rng.pick(SKU_SUFFIXES)}`;
}

function version(rng: Rng): string {
  return `v${rng.int(1, 4)}.${rng.int(0, 30)}.${rng.int(0, 20)}`;
}

function k8sHost(rng: Rng): string {
  return `${rng.pick(K8S_SERVICES)}.${rng.pick(NAMESPACES)}.svc.cluster.local:${rng.pick([8080, 8443, 50051])}`;
}

function nodeName(rng: Rng): string {
  if (rng.chance(0.6))
    return `ip-10-${rng.int(0, 3)}-${rng.int(0, 255)}-${rng.int(1, 254)}.ec2.internal`;
  return `aks-nodepool${rng.int(1, 3)}-${rng.int(10000000, 99999999)}-vmss${String(rng.int(0, 40)).padStart(6, "0")}`;
}

function sql(rng: Rng): string {
  return rng.pick(SQL_SHAPES)(rng.pick(TABLES));
}

function walPosition(rng: Rng): string {
  return `${rng.int(0, 0x3f).toString(16).toUpperCase()}/${hex(rng, 8).toUpperCase()}`;
}

function amount(rng: Rng): string {
  return (logUniform(rng, 100, 250000) / 100).toFixed(2);
}

// ---------------------------------------------------------------------------------------------
// The registry

type Factory = (args: readonly string[]) => ValueGenerator;

function num(args: readonly string[], index: number, kind: string): number {
  const raw = args[index];
  const value = raw === undefined ? Number.NaN : Number(raw);
  if (!Number.isFinite(value))
    throw new Error(`placeholder {${kind}} needs numeric argument ${index + 1}`);
  return value;
}

function list<T>(items: readonly T[]): Factory {
  return () => (rng) => rng.pick(items) as string | number;
}

/**
 * Placeholder kinds. Arguments follow the kind, separated by `:`; `pick` takes the rest of the
 * placeholder as `|`-separated choices (so a choice may contain `:`).
 */
export const VALUE_KINDS: Readonly<Record<string, Factory>> = {
  /** Uniform integer: `{int:min:max}`. */
  int: (a) => {
    const min = num(a, 0, "int");
    const max = num(a, 1, "int");
    return (rng) => rng.int(min, max);
  },
  /** Float with fixed decimals: `{float:min:max:decimals}` (rendered with exactly that many). */
  float: (a) => {
    const min = num(a, 0, "float");
    const max = num(a, 1, "float");
    const decimals = num(a, 2, "float");
    return (rng) => (min + (max - min) * rng.float()).toFixed(decimals);
  },
  /** Log-uniform integer, for latencies, counts and sizes: `{lat:min:max}`. */
  lat: (a) => {
    const min = num(a, 0, "lat");
    const max = num(a, 1, "lat");
    return (rng) => logUniform(rng, min, max);
  },
  /** Human duration from a log-uniform number of milliseconds: 250ms, 1.52s, 3m12s, 2h5m. */
  dur: (a) => {
    const min = num(a, 0, "dur");
    const max = num(a, 1, "dur");
    return (rng) => humanDuration(logUniform(rng, min, max));
  },
  /** Percentage with one decimal: `{pct:min:max}` renders 87.3%. */
  pct: (a) => {
    const min = num(a, 0, "pct");
    const max = num(a, 1, "pct");
    return (rng) => `${(min + (max - min) * rng.float()).toFixed(1)}%`;
  },
  /** Human byte size from a log-uniform count: 512B, 14.2KB, 1.30MB. */
  bytes: (a) => {
    const min = num(a, 0, "bytes");
    const max = num(a, 1, "bytes");
    return (rng) => humanBytes(logUniform(rng, min, max));
  },
  /** `{hex:n}`: n lowercase hex characters. */
  hex: (a) => {
    const length = num(a, 0, "hex");
    return (rng) => hex(rng, length);
  },
  /** `{ref:prefix:n}`: a prefixed opaque id such as pay_3f9akq0x..., lowercase alphanumerics. */
  ref: (a) => {
    const prefix = a[0] ?? "";
    const length = num(a, 1, "ref");
    return (rng) => `${prefix}_${fromAlphabet(rng, LOWER_ALNUM, length)}`;
  },
  /** `{pick:a|b|c}`: one of the listed words. */
  pick: (a) => {
    const choices = (a[0] ?? "").split("|");
    if (choices.length < 2) throw new Error("placeholder {pick} needs at least two choices");
    return (rng) => rng.pick(choices);
  },
  uuid: () => uuid,
  traceid: () => (rng) => hex(rng, 32),
  ip: () => internalIp,
  clientip: () => clientIp,
  port: () => (rng) => rng.int(1024, 65535),
  /** Internal address and port: `{ipport}` any service port, `{ipport:5432|6432}` one of these. */
  ipport: (a) => {
    const ports = a[0] === undefined ? SERVICE_PORTS : a[0].split("|").map(Number);
    if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535))
      throw new Error("placeholder {ipport} takes |-separated port numbers");
    return (rng) => `${internalIp(rng)}:${rng.pick(ports)}`;
  },
  clientipport: () => (rng) => `${clientIp(rng)}:${rng.int(1024, 65535)}`,
  k8shost: () => k8sHost,
  domain: list(DOMAINS),
  pod: () => (rng) => podName(rng, rng.pick(DEPLOYMENTS)),
  deploy: list(DEPLOYMENTS),
  node: () => nodeName,
  container: list(CONTAINERS),
  user: () => userName,
  email: () => email,
  phone: () => (rng) => `+1-555-01${String(rng.int(0, 99)).padStart(2, "0")}`,
  apipath: () => apiPath,
  gwpath: () => gatewayPath,
  file: () => filePath,
  objkey: () => objectKey,
  cachekey: () => cacheKey,
  table: list(TABLES),
  db: list(DATABASES),
  sql: () => sql,
  walpos: () => walPosition,
  queue: list(QUEUES),
  topic: list(TOPICS),
  index: list(INDICES),
  bucket: list(BUCKETS),
  job: list(CRON_JOBS),
  cluster: list(CLUSTERS),
  region: list(REGIONS),
  psp: list(PSPS),
  currency: list(CURRENCIES),
  amount: () => amount,
  sku: () => sku,
  warehouse: list(WAREHOUSES),
  template: list(NOTIFICATION_TEMPLATES),
  mailer: list(MAIL_PROVIDERS),
  smsprovider: list(SMS_PROVIDERS),
  term: list(SEARCH_TERMS),
  method: list(METHODS_WEIGHTED),
  status2xx: list(STATUS_2XX),
  status4xx: list(STATUS_4XX),
  status5xx: list(STATUS_5XX),
  status: list(STATUS_HEALTHY),
  handler: list(HANDLERS),
  version: () => version,
  volume: list(VOLUMES),
  disk: list(DISKS),
  category: list(CATEGORIES),
};
