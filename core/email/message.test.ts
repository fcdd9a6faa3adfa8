import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  classifiedEvent,
  FIXTURE_EMAILS,
  FIXTURE_IPS,
  FIXTURE_SECRETS,
  groupedAlert,
  groupNotification,
  incidentAlert,
  leakyGroupNotification,
} from "../alerting/render/fixtures.js";
import { EMAIL_MAX_BYTES, renderEmail } from "./message.js";

/** The numbered template lines of the text part: "2. [CRITICAL incident] Payment DB …". */
function listedTitles(text: string): string[] {
  return [...text.matchAll(/^\d+\. \[[^\]]+\] (.*)$/gm)].map((match) => match[1] ?? "");
}

describe("renderEmail of a group notification", () => {
  it("says ANOMALY, the group and its counts in the subject of an urgent group", () => {
    const { subject } = renderEmail(groupNotification({ urgent: true }));
    assert.match(
      subject,
      /^\[SentinelLLM\] ANOMALY · checkout · 1 anomaly, 5 templates, 1,700 events · /,
    );
    assert.equal(
      renderEmail(groupNotification({ urgent: false }), { productName: "Acme Sentinel" }).subject,
      "[Acme Sentinel] CRITICAL · checkout · 5 templates, 1,699 events · Payment DB connection failed: <*> (pool <*>/<*> busy)",
    );
  });

  it("keeps a long subject on one short line", () => {
    const n = groupNotification({ urgent: false, templates: 0 });
    const event = classifiedEvent("x");
    event.classification.template = `line one\nline two ${"x".repeat(500)}`;
    n.alerts = [groupedAlert(incidentAlert({ events: [event] }))];
    const { subject } = renderEmail(n);
    assert.ok([...subject].length <= 160);
    assert.doesNotMatch(subject, /\n/);
    assert.ok(subject.endsWith("…"));
  });

  it("shows the group, its window, why it is sent and the template table in HTML and text", () => {
    const { html, text } = renderEmail(groupNotification({ reason: "update", sequence: 3 }));
    for (const body of [html, text]) {
      assert.match(body, /checkout: 1 anomaly, 5 templates, 1,700 events/);
      assert.match(body, /2026-03-14 09:17:30 → 09:26:53 UTC \(event time\)/);
      assert.match(body, /update #3: something changed since #2/);
      assert.match(body, /Changed since the last notification: 2 new templates/);
      assert.match(
        body,
        /Payment DB connection failed: &lt;\*&gt;|Payment DB connection failed: <\*>/,
      );
      assert.match(body, /▁▁▁▂▂▂▃▅█▆▃▂/);
      assert.match(body, /09:19:10 → 09:26:53/);
      assert.match(body, /\+64 new/);
      assert.match(body, /12 marks of 1 min, oldest first/);
    }
    assert.match(
      text,
      /^2\. \[CRITICAL incident\] Payment DB connection failed: <\*> \(pool <\*>\/<\*> busy\)$/m,
    );
    assert.match(text, /^ {3}1,204× {2}▁▁▁▂▂▂▃▅█▆▃▂ {2}09:19:10 → 09:26:53$/m);
    assert.match(
      text,
      /^ {3}> 2026-03-14T09:19:10\.000Z ERROR Payment DB connection failed: too many clients/m,
    );
    assert.match(html, /CRITICAL INCIDENT/);
    assert.match(html, /WARNING PREVENTIVE ACTION/);
  });

  it("shows the anomaly prominently: kind, score, observed against expected, explanation", () => {
    const { html, text } = renderEmail(groupNotification({ urgent: true }));
    assert.match(
      text,
      /^!! CRITICAL ANOMALY: error_rate, score 0\.94\n {3}412 observed, 35 expected \(09:20:00 → 09:25:00\)\n {3}412 errors in 5 minutes against about 35 expected at this hour\.$/m,
    );
    const box = html.indexOf("error_rate · score 0.94");
    assert.ok(box > 0 && box < html.indexOf("Templates"), "the anomaly comes before the table");
    assert.match(html, /<b>412<\/b> observed, <b>35<\/b> expected/);
  });

  it("shows the suggested fix of a preventive action", () => {
    const { html, text } = renderEmail(groupNotification());
    assert.match(
      text,
      /^ {3}Suggested fix: Raise DB_POOL_MAX to 80 or add a read replica; pool waits grow past 90%\.$/m,
    );
    assert.match(html, /<b>Suggested fix:<\/b> Scale the retry workers/);
  });

  it("links the dashboard once and each template's logs and runbook", () => {
    const { html, text } = renderEmail(groupNotification());
    assert.equal(text.match(/^Open dashboard: /gm)?.length, 1);
    assert.match(
      text,
      /^Open dashboard: https:\/\/grafana\.example\.com\/d\/sentinel-service\/sentinel\?var-service=checkout&from=\d+&to=\d+$/m,
    );
    assert.match(html, />Open dashboard<\/a>/);
    assert.match(text, /^ {3}Runbook: https:\/\/runbooks\.example\.com\/checkout\/psp-timeouts$/m);
    assert.equal(
      text.match(/^ {3}Logs: https:\/\/eu-west-1\.console\.aws\.amazon\.com\//gm)?.length,
      5,
    );
  });

  it("masks every text, secrets always and e-mails and IPs when configured", () => {
    const leaky = leakyGroupNotification();
    const plain = renderEmail(leaky);
    for (const part of [plain.subject, plain.html, plain.text])
      for (const secret of FIXTURE_SECRETS) assert.ok(!part.includes(secret), secret);
    assert.match(plain.text, /jane\.doe@example\.com/);

    const masked = renderEmail(leaky, { mask: { maskEmails: true, maskIps: true } });
    for (const part of [masked.subject, masked.html, masked.text])
      for (const leak of [...FIXTURE_SECRETS, ...FIXTURE_EMAILS, ...FIXTURE_IPS])
        assert.ok(!part.includes(leak), leak);
    assert.match(masked.text, /postgres:\/\/checkout:\*\*\*\*@\[ip\]:5432/);
    assert.match(masked.text, /customer \[email\], client \[ip\]/);
  });

  it("escapes HTML from templates and log lines", () => {
    const n = groupNotification({ templates: 0, urgent: false });
    const event = classifiedEvent('<img src=x onerror="alert(2)"> & <b>bold</b>');
    event.classification = { ...event.classification, template: "<script>alert(1)</script>" };
    n.alerts = [groupedAlert(incidentAlert({ events: [event] }))];
    const { html } = renderEmail(n);
    assert.doesNotMatch(html, /<script>|<img|<b>bold/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(
      html,
      /&lt;img src=x onerror=&quot;alert\(2\)&quot;&gt; &amp; &lt;b&gt;bold&lt;\/b&gt;/,
    );
  });

  it("loads nothing from outside and links only http(s)", () => {
    const n = groupNotification({ templates: 0, urgent: false });
    n.alerts = [
      groupedAlert(
        incidentAlert({
          links: { dashboard: "javascript:alert(1)", logs: "https://logs.example.com/x" },
        }),
      ),
    ];
    const { html, text } = renderEmail(n);
    assert.doesNotMatch(html, /javascript:|<img|<script|<link|@import|url\(/i);
    assert.doesNotMatch(text, /javascript:/);
    assert.match(html, /href="https:\/\/logs\.example\.com\/x"/);
  });

  it("stays under the size limit for a huge group, folding the tail into +N more templates", () => {
    const n = groupNotification({
      templates: 300,
      lineChars: 5000,
      omitted: { templates: 40, alerts: 900 },
    });
    const { html, text, alertKeys, notes } = renderEmail(n);
    assert.ok(Buffer.byteLength(html) <= EMAIL_MAX_BYTES, `${Buffer.byteLength(html)} bytes`);
    assert.ok(Buffer.byteLength(text) <= EMAIL_MAX_BYTES);
    assert.ok(alertKeys.length >= 20 && alertKeys.length < n.alerts.length, `${alertKeys.length}`);
    const more = n.alerts.length - alertKeys.length + 40;
    for (const body of [html, text])
      assert.match(body, new RegExp(`\\+${more} more templates \\(`));
    assert.ok(
      notes.includes(`Listing ${alertKeys.length} of ${n.alerts.length} templates to fit.`),
    );
    assert.equal(listedTitles(text).length, alertKeys.length);
  });

  it("lists every template of an ordinary group and names their keys in order", () => {
    const n = groupNotification({ templates: 40 });
    const { text, alertKeys, notes } = renderEmail(n);
    assert.deepEqual(
      alertKeys,
      n.alerts.map((a) => a.key),
    );
    assert.equal(listedTitles(text).length, 41);
    assert.doesNotMatch(text, /more templates/);
    assert.ok(notes.every((note) => !/^Listing/.test(note)));
  });

  it("renders a resolved notice compactly, in green, with examples only for what was never named", () => {
    const named = groupNotification({ reason: "resolved" });
    for (const alert of named.alerts) alert.isNew = false;
    const { subject, html, text } = renderEmail(named);
    assert.match(
      subject,
      /^\[SentinelLLM\] RESOLVED · checkout · quiet since 2026-03-14 09:26:53 UTC · had /,
    );
    assert.match(html, /background:#237b4b/);
    assert.equal(listedTitles(text).length, 6);
    assert.doesNotMatch(text, /^ {3}(>|Logs:|Suggested fix:)/m);
    assert.doesNotMatch(text, /^!! /m);
    assert.match(text, /^Open dashboard: /m);
    // A template first named by the resolved notice comes with its example line.
    const late = renderEmail(groupNotification({ reason: "resolved" })).text;
    assert.match(late, /named for the first time, marked new/);
    assert.equal(late.match(/^ {3}> /gm)?.length, 1);
  });
});
