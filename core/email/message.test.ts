import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  alertNotification,
  anomalyAlert,
  classifiedEvent,
  digestNotification,
  incidentAlert,
  preventiveAlert,
} from "../alerting/render/fixtures.js";
import { renderEmail } from "./message.js";

describe("renderEmail", () => {
  it("puts severity, kind, service and summary in the subject", () => {
    const { subject } = renderEmail(alertNotification());
    assert.equal(
      subject,
      "[SentinelLLM] CRITICAL incident · checkout · Payment DB connection failed: too many clients (pool 50/50 busy)",
    );
    assert.equal(
      renderEmail(alertNotification(preventiveAlert()), { productName: "Acme Sentinel" }).subject,
      "[Acme Sentinel] WARNING preventive action · payments-db · Disk usage at 91% on /var/lib/postgresql",
    );
  });

  it("keeps a long subject on one short line", () => {
    const { subject } = renderEmail(
      alertNotification(incidentAlert({ summary: `line one\nline two ${"x".repeat(500)}` })),
    );
    assert.ok([...subject].length <= 160);
    assert.doesNotMatch(subject, /\n/);
    assert.ok(subject.endsWith("…"));
  });

  it("shows the log lines, label, confidence, similar count and links in HTML and text", () => {
    const { html, text } = renderEmail(alertNotification());
    for (const body of [html, text]) {
      assert.match(body, /Payment DB connection failed: too many clients/);
      assert.match(body, /incident \(confidence 97%\)/);
      assert.match(
        body,
        /\+41 similar since 2026-03-14 09:16:02 UTC \(last seen 2026-03-14 09:26:40 UTC\)/,
      );
      assert.match(body, /aws eu-west-1 \/aws\/ecs\/checkout/);
    }
    assert.match(
      html,
      /<a href="https:\/\/grafana\.example\.com\/d\/sentinel-service\?var-service=checkout"[^>]*>Open dashboard<\/a>/,
    );
    assert.match(
      html,
      /<a href="https:\/\/runbooks\.example\.com\/checkout\/db-connections"[^>]*>Runbook<\/a>/,
    );
    assert.match(
      text,
      /^Open logs: https:\/\/console\.aws\.amazon\.com\/cloudwatch\/home\?region=eu-west-1#logsV2/m,
    );
  });

  it("shows the suggestion of a preventive action and the explanation of an anomaly", () => {
    const preventive = renderEmail(alertNotification(preventiveAlert()));
    assert.match(
      preventive.html,
      /Expand the volume or prune WAL archives before it reaches 95%\./,
    );
    assert.match(preventive.text, /Suggestion:\nExpand the volume/);
    const anomaly = renderEmail(alertNotification(anomalyAlert()));
    assert.match(
      anomaly.text,
      /Why this is unusual:\n412 errors in 5 minutes against about 35 expected/,
    );
    assert.match(anomaly.text, /Observed: 412 \(expected 35\)/);
    assert.match(anomaly.html, /Score<\/td><td[^>]*>0\.94</);
  });

  it("masks secrets everywhere, and e-mails and IPs when configured", () => {
    const plain = renderEmail(alertNotification());
    for (const part of [plain.subject, plain.html, plain.text]) {
      assert.doesNotMatch(part, /NotARealPassword|AKIAIOSFODNN7EXAMPLE|fake-token-0123456789/);
    }
    assert.match(plain.text, /postgres:\/\/checkout:\*\*\*\*@10\.20\.3\.4:5432/);
    assert.match(plain.text, /jane\.doe@example\.com/);

    const masked = renderEmail(alertNotification(), { mask: { maskEmails: true, maskIps: true } });
    assert.match(masked.text, /postgres:\/\/checkout:\*\*\*\*@\[ip\]:5432/);
    assert.match(
      masked.text,
      /customer \[email\] with key AKIA\*\*\*\*, Authorization: Bearer \*\*\*\*/,
    );
    assert.doesNotMatch(masked.html, /jane\.doe|10\.20\.3\.4/);
  });

  it("masks a secret in the summary and service name too", () => {
    const alert = incidentAlert({
      service: "svc password=NotARealPassword",
      summary: "token=NotARealToken leaked",
    });
    const { subject, html, text } = renderEmail(alertNotification(alert));
    for (const part of [subject, html, text]) assert.doesNotMatch(part, /NotAReal/);
  });

  it("escapes HTML from log lines and summaries", () => {
    const alert = incidentAlert({
      summary: "<script>alert(1)</script>",
      events: [classifiedEvent('<img src=x onerror="alert(2)"> & <b>bold</b>')],
    });
    const { html } = renderEmail(alertNotification(alert));
    assert.doesNotMatch(html, /<script>|<img|<b>/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(
      html,
      /&lt;img src=x onerror=&quot;alert\(2\)&quot;&gt; &amp; &lt;b&gt;bold&lt;\/b&gt;/,
    );
  });

  it("loads nothing from outside and links only http(s)", () => {
    const alert = incidentAlert({
      links: { dashboard: "javascript:alert(1)", logs: "https://logs.example.com/x" },
    });
    const { html, text } = renderEmail(alertNotification(alert));
    assert.doesNotMatch(html, /javascript:|<img|<script|<link|@import|url\(/i);
    assert.doesNotMatch(text, /javascript:/);
    assert.match(html, /href="https:\/\/logs\.example\.com\/x"/);
  });

  it("lists at most the budgeted log lines and says how many there were", () => {
    const events = Array.from({ length: 30 }, (_, i) => classifiedEvent(`line number ${i}`));
    const { text } = renderEmail(alertNotification(incidentAlert({ events })));
    assert.match(text, /line number 19/);
    assert.doesNotMatch(text, /line number 20/);
    assert.match(text, /Showing 20 of 30 log lines\./);
  });

  it("renders a digest as one message listing the alerts and the total", () => {
    const { subject, html, text } = renderEmail(digestNotification(120, 180));
    assert.match(
      subject,
      /^\[SentinelLLM\] CRITICAL digest · 180 alerts · checkout, payments-db, search, …$/,
    );
    assert.match(text, /^Alerts: +180$/m);
    assert.match(text, /Showing 100 of 180 alerts\./);
    assert.equal(text.match(/^- 2026-03-14/gm)?.length, 100);
    assert.equal(html.match(/Upstream call \d+ failed/g)?.length, 100);
    assert.match(
      text,
      /Upstream call 7 failed with status 503 after 3 retries\n {2}\+9 similar since/,
    );
  });
});
