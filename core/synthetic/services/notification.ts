import { incident, normal, preventive } from "../template.js";
import { podHosts, type ServiceSpec } from "./spec.js";

/** Outbound e-mail, SMS, push and chat notifications, and their providers' feedback. */
export const notification: ServiceSpec = {
  name: "notification",
  traffic: 5,
  preventiveShare: 0.09,
  incidentShare: 0.02,
  traced: true,
  hosts: podHosts("notifier", 3),
  templates: [
    normal(
      "info",
      "email {messageId=ref:msg:16} delivered to {email} via {provider=mailer} template={template=template}",
      4,
    ),
    normal("info", "SMS {messageId=ref:sms:14} delivered to {phone} via {provider=smsprovider}", 2),
    normal(
      "info",
      "push notification sent to {int:1:5} devices of user {userId=int:1000:999999} ({pick:fcm|apns})",
      2,
    ),
    normal("info", "SMTP relay {ipport:587|25} accepted message {messageId=ref:msg:16}"),
    normal(
      "debug",
      "rendered template {template=template} ({pick:en|de|fr|es|nl}) in {lat:1:60}ms",
    ),
    normal(
      "info",
      "digest queued for {lat:100:90000} subscribers of {pick:weekly-deals|order-updates|product-news}",
    ),
    normal("info", "unsubscribe processed for {email} from {pick:weekly-deals|product-news}"),
    normal("info", "bounce notification received for {email}: soft bounce, mailbox full"),
    normal(
      "info",
      'Teams card posted to channel "{pick:ops-alerts|payments-oncall|search-team}" ({status=status2xx})',
    ),
    normal("debug", "in-app notification {uuid} marked read by user {userId=int:1000:999999}"),
    normal("info", "provider {provider=mailer} usage today: {int:1000:40000}/100000 messages"),
    normal("info", "template {template=template} version {int:2:40} published"),
    normal(
      "debug",
      "suppressed duplicate notification for user {userId=int:1000:999999} ({template=template})",
    ),
    normal("debug", "open tracked for message {messageId=ref:msg:16}"),
    normal("info", "device {hex:16} registered for push by user {userId=int:1000:999999}"),
    preventive("warn", "SMTP relay {ipport:587|25} refused message {messageId=ref:msg:16}", 2),
    preventive(
      "warn",
      "provider {provider=mailer} quota nearly exhausted: {int:85000:99000}/100000 messages used today",
    ),
    preventive(
      "warn",
      "provider {provider=smsprovider} throttling: {int:1:50} requests returned 429, backing off {dur:1000:60000}",
      2,
    ),
    preventive(
      "warn",
      "bounce rate {pct:3:4.9} for domain example.{pick:com|org} approaching the 5% limit",
    ),
    preventive("warn", "push registration {hex:16} is stale; will be pruned"),
    preventive("warn", "fallback to secondary provider {provider=mailer} for {int:1:900} messages"),
    preventive(
      "warn",
      'template {template=template} uses deprecated placeholder "{pick:first_name|order_url|unsubscribe_link}"',
    ),
    preventive(
      "warn",
      "SMS delivery latency {dur:30000:300000} for carrier {pick:att|vodafone|orange|telekom}",
    ),
    incident(
      "error",
      "email provider {provider=mailer} rejected all messages: {pick:account suspended|sending paused|authentication failed}",
      2,
    ),
    incident(
      "error",
      "sending address {clientip} listed on {pick:spamhaus|barracuda} blocklist; {int:10:9000} messages rejected",
    ),
    incident(
      "error",
      "notification consumer crashed: {pick:TypeError: template is undefined|RangeError: Maximum call stack size exceeded}",
      2,
    ),
    incident(
      "error",
      "SMS provider {provider=smsprovider} returned 5xx for {int:50:900} consecutive requests",
    ),
    incident(
      "error",
      'Teams card to channel "{pick:ops-alerts|payments-oncall|search-team}" failed with HTTP {status=status5xx}',
    ),
    incident(
      "error",
      "duplicate emails sent: order confirmation for order {int:100000:9999999} delivered {int:2:6} times",
    ),
    incident("error", "APNs certificate expired; push notifications to iOS disabled"),
    incident(
      "error",
      "spam complaint rate {pct:0.4:2} exceeded provider limit of 0.3%; sending suspended",
    ),
  ],
  burst: [
    incident(
      "error",
      "template {template=template} renders empty subject for locale {pick:pl|sv|pt}; {int:100:9000} emails held",
    ),
    incident(
      "error",
      "push payload for user {userId=int:1000:999999} exceeds 4KB ({bytes:4200:9000}); FCM rejected batch",
    ),
    incident("fatal", "notification fan-out loop: event {uuid} re-enqueued {int:100:900} times"),
    incident(
      "error",
      "unsubscribe link signer misconfigured; links in {int:1000:90000} sent emails are invalid",
    ),
    incident(
      "error",
      "DKIM selector {pick:s1|s2|mk2026} not found in DNS; receiving servers rejecting mail",
    ),
  ],
};
