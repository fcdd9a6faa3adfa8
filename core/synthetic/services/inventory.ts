import { incident, normal, preventive } from "../template.js";
import { podHosts, type ServiceSpec } from "./spec.js";

/** Stock levels, reservations, warehouse syncs and supplier feeds. */
export const inventory: ServiceSpec = {
  name: "inventory",
  traffic: 5,
  preventiveShare: 0.08,
  incidentShare: 0.02,
  traced: true,
  hosts: podHosts("inventory", 3),
  templates: [
    normal(
      "info",
      "stock reserved for order {orderId=int:100000:9999999} sku={sku=sku} qty={int:1:5}",
      4,
    ),
    normal(
      "info",
      "stock released for order {orderId=int:100000:9999999} sku={sku=sku} qty={int:1:5} (cart expired)",
      2,
    ),
    normal("info", "sku {sku=sku} restocked at {warehouse=warehouse}: +{int:10:500} units"),
    normal(
      "info",
      "warehouse {warehouse=warehouse} sync completed: {int:100:9000} skus in {dur:2000:120000}",
    ),
    normal("info", "price for {sku=sku} updated from {amount} to {amount} {currency}"),
    normal(
      "info",
      "shipment {ref:shp:12} dispatched from {warehouse=warehouse} with {int:1:12} items",
    ),
    normal(
      "debug",
      "stock movement {uuid}: {sku=sku} {pick:inbound|outbound|transfer} {int:1:300} units",
    ),
    normal(
      "info",
      "cycle count for aisle {pick:A|B|C|D}{int:1:40} at {warehouse=warehouse} matched system records",
    ),
    normal("info", "product {int:1:250000} published to channel {pick:web|marketplace|pos}"),
    normal("info", "availability cache rebuilt for {lat:1000:90000} skus"),
    normal("debug", "reservation {uuid} expires in {int:60:900}s"),
    normal("info", "supplier feed {pick:acme|globex|initech}.csv imported: {lat:100:90000} rows"),
    normal("info", "low stock alert cleared for {sku=sku}"),
    normal("info", "order {orderId=int:100000:9999999} allocated to {warehouse=warehouse}"),
    normal("debug", "GET /api/v1/stock/{sku=sku} answered from cache in {lat:0:8}ms"),
    preventive(
      "warn",
      "stock unavailable for order {orderId=int:100000:9999999} sku={sku=sku} qty={int:1:5}",
      3,
    ),
    preventive(
      "warn",
      "low stock for {sku=sku} at {warehouse=warehouse}: {int:1:9} units left (reorder point 10)",
      2,
    ),
    preventive("warn", "warehouse {warehouse=warehouse} sync slow: {dur:120000:900000}"),
    preventive("warn", "reservation backlog {int:500:5000} above threshold"),
    preventive(
      "warn",
      "supplier feed {pick:acme|globex|initech}.csv has {int:1:80} malformed rows, skipped",
    ),
    preventive(
      "warn",
      "stock level drift of {int:1:20} units for {sku=sku} between {warehouse=warehouse} and system",
    ),
    preventive(
      "info",
      "optimistic lock conflict updating {sku=sku}, retrying (attempt {attempt=int:2:4})",
    ),
    preventive(
      "warn",
      "endpoint /api/v1/stock is deprecated; {int:10:9000} calls from {pick:pos|marketplace} today",
    ),
    incident(
      "error",
      "oversell detected: {sku=sku} stock went negative ({int:-20:-1}) at {warehouse=warehouse}",
      2,
    ),
    incident(
      "error",
      "warehouse {warehouse=warehouse} sync failed: {pick:HTTP 500 from WMS|connection reset|malformed XML}",
      2,
    ),
    incident(
      "error",
      "reservation for order {orderId=int:100000:9999999} lost: {sku=sku} double-allocated",
    ),
    incident(
      "error",
      "inventory ledger write failed for {sku=sku}: {pick:deadlock detected|connection terminated}",
    ),
    incident(
      "error",
      "price update for {sku=sku} set to 0.00 {currency}; blocked sale of {int:1:300} units",
    ),
    incident(
      "error",
      "shipment {ref:shp:12} rejected by carrier {pick:dhl|ups|fedex}: label service unavailable",
    ),
    incident(
      "error",
      "stock sync from {warehouse=warehouse} applied twice; {int:100:3000} skus overcounted",
    ),
  ],
  burst: [
    incident(
      "error",
      "unit of measure mismatch for {sku=sku}: supplier sends {pick:cases|pallets}, system expects pieces",
    ),
    incident(
      "error",
      "reservation TTL clock drift: {int:100:900} reservations expired before checkout",
    ),
    incident("fatal", "stock snapshot {uuid} restored over live data at {warehouse=warehouse}"),
    incident(
      "error",
      "barcode scanner gateway at {warehouse=warehouse} sending duplicate scan events ({int:2:9}x)",
    ),
    incident(
      "error",
      "channel feed to {pick:marketplace|pos} publishing stale availability for {int:100:9000} skus",
    ),
  ],
};
