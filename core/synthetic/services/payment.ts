import { incident, normal, preventive } from "../template.js";
import { podHosts, type ServiceSpec } from "./spec.js";

/** Payments: intents, captures, refunds, payment-provider webhooks, payouts and fraud. */
export const payment: ServiceSpec = {
  name: "payment",
  traffic: 6,
  preventiveShare: 0.08,
  incidentShare: 0.025,
  traced: true,
  hosts: podHosts("payment", 3),
  templates: [
    normal(
      "info",
      "payment {paymentId=ref:pay:16} captured amount={amount=amount} {currency=currency}",
      3,
    ),
    normal(
      "info",
      "payment intent {ref:pi:16} created for order {orderId=int:100000:9999999} amount {amount=amount} {currency=currency}",
      2,
    ),
    normal(
      "info",
      "authorization {ref:auth:12} approved by {provider=psp} in {durationMs=lat:80:1200}ms",
      2,
    ),
    normal(
      "info",
      "refund {refundId=ref:re:14} processed for payment {paymentId=ref:pay:16} amount {amount=amount} {currency=currency}",
    ),
    normal(
      "info",
      "webhook {ref:evt:16} received from {provider=psp}: {pick:charge.succeeded|payment_intent.succeeded|charge.refunded|payout.paid}",
    ),
    normal("debug", "webhook signature valid for event {ref:evt:16}"),
    normal("info", "3-D Secure challenge completed for payment {paymentId=ref:pay:16}"),
    normal(
      "info",
      "payout {ref:po:14} of {amount} {currency} scheduled to bank account ending {int:1000:9999}",
    ),
    normal(
      "info",
      "currency rates refreshed: {int:30:170} pairs from {pick:ecb|openexchangerates}",
    ),
    normal("info", "idempotent replay for key {uuid}, returning stored response"),
    normal(
      "info",
      "customer {ref:cus:14} saved card ending {int:1000:9999} ({pick:visa|mastercard|amex})",
    ),
    normal("info", "payment method {ref:pm:16} detached from customer {ref:cus:14}"),
    normal(
      "info",
      "settlement batch {int:10000:99999} reconciled: {int:100:9000} transactions, {amount} {currency}",
    ),
    normal(
      "debug",
      "PSP request {method} /v1/{pick:charges|refunds|payment_intents} took {durationMs=lat:40:900}ms",
    ),
    normal("info", "invoice INV-{int:100000:999999} marked paid"),
    normal(
      "info",
      "fraud score {float:0.01:0.35:2} for payment {paymentId=ref:pay:16}: approved automatically",
    ),
    normal("info", "payment {paymentId=ref:pay:16} voided before capture by customer request"),
    preventive(
      "warn",
      "PSP {provider=psp} latency p95 {lat:1500:6000}ms above threshold 1200ms",
      2,
    ),
    preventive(
      "warn",
      "retrying capture for payment {paymentId=ref:pay:16} (attempt {attempt=int:2:4}/5) after {pick:timeout|HTTP 502|HTTP 429}",
      2,
    ),
    preventive(
      "warn",
      "PSP API version {pick:2023-10-16|2024-06-20} is deprecated; upgrade before sunset",
    ),
    preventive(
      "warn",
      "fraud score {float:0.6:0.79:2} for payment {paymentId=ref:pay:16}: sent to manual review",
    ),
    preventive("warn", "webhook {ref:evt:16} delivery delayed by {dur:60000:1800000}"),
    preventive("warn", "daily payout limit {pct:80:95} used for merchant {ref:acct:12}"),
    preventive(
      "warn",
      "chargeback opened for payment {paymentId=ref:pay:16}: {pick:fraudulent|product_not_received|duplicate}",
    ),
    preventive(
      "warn",
      "reconciliation difference of {amount} {currency} within tolerance in batch {int:10000:99999}",
    ),
    preventive(
      "warn",
      "card network {pick:visa|mastercard} authorization rate degraded to {pct:85:94}",
    ),
    incident(
      "warn",
      "payment {paymentId=ref:pay:16} declined amount={amount=amount} {currency=currency}",
      3,
    ),
    incident(
      "error",
      "refund {refundId=ref:re:14} failed for payment {paymentId=ref:pay:16} amount {amount=amount} {currency=currency}",
    ),
    incident("error", "webhook signature invalid for event {ref:evt:16}"),
    incident(
      "error",
      "PSP {provider=psp} unavailable: {pick:HTTP 503|connection timed out|TLS handshake timeout} after {durationMs=lat:5000:30000}ms",
      2,
    ),
    incident(
      "error",
      "double charge detected for order {orderId=int:100000:9999999}: payments {ref:pay:16} and {ref:pay:16}",
    ),
    incident(
      "error",
      "capture failed for payment {paymentId=ref:pay:16}: {pick:authorization expired|amount exceeds authorized|processor error}",
    ),
    incident(
      "fatal",
      "ledger imbalance of {amount} {currency} in batch {int:10000:99999}; payouts halted",
    ),
    incident(
      "error",
      "fraud ring suspected: {int:20:400} payments from card BIN {int:400000:499999} in {int:2:15} minutes",
    ),
    incident(
      "error",
      "payout {ref:po:14} rejected by bank: {pick:account closed|invalid IBAN|compliance hold}",
    ),
  ],
  burst: [
    incident(
      "error",
      "currency {currency} missing from rate table; {int:10:900} carts cannot be priced",
    ),
    incident(
      "error",
      "PSP responded with unknown decline code {pick:R91|X07|Z44} for payment {paymentId=ref:pay:16}",
    ),
    incident(
      "fatal",
      "idempotency store returned conflicting results for key {uuid}; captures suspended",
    ),
    incident(
      "error",
      "rounding drift of {float:0.01:0.09:2} {currency} per item in tax calculation for order {orderId=int:100000:9999999}",
    ),
    incident(
      "error",
      "3-D Secure directory server {pick:visa|mastercard} certificate chain invalid; authentications failing",
    ),
  ],
};
