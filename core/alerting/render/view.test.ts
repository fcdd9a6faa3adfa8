import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EMAIL_BUDGETS } from "../../email/message.js";
import type { GroupedAlert } from "../types.js";
import {
  anomalyAlert,
  FIXTURE_EMAILS,
  FIXTURE_IPS,
  FIXTURE_SECRETS,
  groupedAlert,
  groupNotification,
  incidentAlert,
  leakyGroupNotification,
  preventiveAlert,
} from "./fixtures.js";
import {
  buildView,
  type ContentBudget,
  cutChars,
  formatSpan,
  formatTime,
  type MessageView,
  sparkline,
} from "./view.js";

const ALL: ContentBudget = { rows: 1000, detailRows: 1000, lineChars: 4000, textChars: 4000 };
const EMAIL = EMAIL_BUDGETS[0] as ContentBudget;

/** Everything a rendering can show of a view: all of it but the (never rendered) alert keys. */
function shownText(view: MessageView): string {
  return JSON.stringify({ ...view, rows: view.rows.map(({ alertKey: _key, ...row }) => row) });
}

describe("cutChars", () => {
  it("keeps what fits and ends a cut text with an ellipsis, never splitting a character", () => {
    assert.equal(cutChars("abc", 3), "abc");
    assert.equal(cutChars("abcd", 3), "ab…");
    assert.equal(cutChars("😀😀😀", 3), "😀😀😀");
    assert.equal(cutChars("😀😀😀😀", 3), "😀😀…");
    assert.equal(cutChars("a😀b", 0), "");
  });
});

describe("formatTime and formatSpan", () => {
  it("shows ISO times in UTC to the second, and anything else as it is", () => {
    assert.equal(formatTime("2026-03-14T10:26:53.123+01:00"), "2026-03-14 09:26:53 UTC");
    assert.equal(formatTime("yesterday"), "yesterday");
  });

  it("gives a span's date once, and none inside the group's own day", () => {
    const a = "2026-03-14T09:16:02.000Z";
    const b = "2026-03-14T09:26:53.000Z";
    assert.equal(formatSpan(a, b), "2026-03-14 09:16:02 → 09:26:53 UTC");
    assert.equal(formatSpan(a, b, "2026-03-14"), "09:16:02 → 09:26:53");
    assert.equal(formatSpan(a, a, "2026-03-14"), "09:16:02");
    assert.equal(
      formatSpan("2026-03-13T23:59:00Z", b, "2026-03-14"),
      "2026-03-13 23:59:00 UTC → 2026-03-14 09:26:53 UTC",
    );
  });
});

describe("sparkline", () => {
  it("scales the marks ▁▂▃▄▅▆▇█ to the largest bucket", () => {
    assert.equal(sparkline([0, 1, 4, 7, 2]), "▁▂▅█▃");
    assert.equal(sparkline([3, 6, 9, 12, 15, 18, 21]), "▂▃▄▅▆▇█");
  });

  it("keeps a single occurrence visible beside a large bucket", () => {
    assert.equal(sparkline([1, 0, 1000]), "▂▁█");
  });

  it("is flat for a trend with nothing in it", () => {
    assert.equal(sparkline([0, 0, 0]), "▁▁▁");
    assert.equal(sparkline([]), "▁");
  });
});

describe("buildView of a group notification", () => {
  it("lists the templates in the notification's order, whatever their kind", () => {
    const n = groupNotification({ templates: 5 });
    // Not the order the group would sort them in: the view must not re-sort.
    const shuffled = [n.alerts[4], n.alerts[0], n.alerts[2], n.alerts[5], n.alerts[1], n.alerts[3]];
    const alerts = shuffled.filter((a): a is GroupedAlert => a !== undefined);
    const view = buildView({ ...n, alerts }, ALL);
    assert.deepEqual(
      view.rows.map((row) => row.alertKey),
      alerts.map((a) => a.key),
    );
  });

  it("shows per template its badge, template, count, times and trend", () => {
    const view = buildView(groupNotification(), EMAIL);
    const [anomaly, incident, , , warning] = view.rows;
    assert.equal(anomaly?.badge, "CRITICAL anomaly");
    assert.equal(anomaly?.title, "error_rate, score 0.94: 412 observed, 35 expected");
    assert.deepEqual(anomaly?.anomaly, {
      kind: "error_rate",
      score: "0.94",
      observed: "412",
      expected: "35",
      window: "09:20:00 → 09:25:00",
      explanation: "412 errors in 5 minutes against about 35 expected at this hour.",
    });
    assert.equal(incident?.badge, "CRITICAL incident");
    assert.equal(incident?.title, "Payment DB connection failed: <*> (pool <*>/<*> busy)");
    assert.equal(incident?.count, "1,204");
    assert.equal(incident?.seen, "09:19:10 → 09:26:53");
    assert.equal(incident?.trend, "▁▁▁▂▂▂▃▅█▆▃▂");
    assert.match(incident?.example ?? "", /^2026-03-14T09:19:10\.000Z ERROR Payment DB/);
    assert.deepEqual(
      incident?.links.map((link) => link.title),
      ["Logs", "Runbook"],
    );
    assert.equal(warning?.badge, "WARNING preventive action");
    assert.equal(
      warning?.suggestion,
      "Raise DB_POOL_MAX to 80 or add a read replica; pool waits grow past 90%.",
    );
  });

  it("says what is new only after the first notification", () => {
    const firing = buildView(groupNotification(), EMAIL);
    assert.ok(firing.rows.every((row) => row.newCount === undefined));

    const n = groupNotification({ reason: "update" });
    const grown = n.alerts.find((a) => !a.isNew && a.newCount > 0) as GroupedAlert;
    const quiet = n.alerts.find((a) => !a.isNew && a.newCount === 0) as GroupedAlert;
    const update = buildView(n, EMAIL);
    const rowOf = (alert: GroupedAlert) => update.rows.find((row) => row.alertKey === alert.key);
    assert.equal(rowOf(n.alerts[0] as GroupedAlert)?.newCount, "new");
    assert.equal(rowOf(grown)?.newCount, `+${grown.newCount} new`);
    assert.equal(rowOf(quiet)?.newCount, undefined);
  });

  it("folds the tail into +N more templates, counting those the group only counted", () => {
    const n = groupNotification({ templates: 30, omitted: { templates: 7, alerts: 90 } });
    const view = buildView(n, { ...EMAIL, rows: 10 });
    assert.equal(view.rows.length, 10);
    const rest = n.alerts.slice(10);
    const events = rest.reduce((sum, a) => sum + a.count, 0) + 90;
    assert.equal(
      view.more,
      `+${rest.length + 7} more templates (${events.toLocaleString("en-US")} events) not listed; the dashboard shows them all.`,
    );
    assert.ok(view.notes.includes(`Listing 10 of ${n.alerts.length} templates to fit.`));
    assert.match(view.title, /^checkout: 1 anomaly, 37 templates, [\d,]+ events$/);
  });

  it("says nothing is more when everything is listed", () => {
    const view = buildView(groupNotification(), EMAIL);
    assert.equal(view.more, undefined);
    assert.deepEqual(view.notes, []);
  });

  it("shows examples and suggestions for the first rows only, and says so", () => {
    const view = buildView(groupNotification({ templates: 8 }), { ...EMAIL, detailRows: 2 });
    assert.ok(view.rows[1]?.example);
    assert.ok(view.rows.slice(2).every((row) => !row.example && !row.suggestion));
    assert.ok(
      view.notes.includes(
        "Example lines and suggestions are shown for the first 2 templates only.",
      ),
    );
  });

  it("masks every text, secrets always and e-mails and IPs when asked", () => {
    const n = leakyGroupNotification();
    const masked = shownText(buildView(n, ALL, { mask: { maskEmails: true, maskIps: true } }));
    for (const leak of [...FIXTURE_SECRETS, ...FIXTURE_EMAILS, ...FIXTURE_IPS])
      assert.ok(!masked.includes(leak), `${leak} is in the view`);
    assert.match(masked, /\[email\]/);
    assert.match(masked, /\[ip\]/);

    const secretsOnly = shownText(buildView(n, ALL));
    for (const secret of FIXTURE_SECRETS)
      assert.ok(!secretsOnly.includes(secret), `${secret} is in the view`);
    assert.match(secretsOnly, /jane\.doe@example\.com/);
    assert.match(secretsOnly, /10\.20\.3\.4/);
  });

  it("puts ANOMALY in the subject and badge of an urgent group", () => {
    const view = buildView(groupNotification({ urgent: true }), EMAIL);
    assert.equal(
      view.subject,
      "[SentinelLLM] ANOMALY · checkout · 1 anomaly, 5 templates, 1,700 events · error_rate, score 0.94: 412 observed, 35 expected",
    );
    assert.equal(view.badge, "ANOMALY · CRITICAL · FIRING");
    assert.equal(view.urgent, true);
    // The first notification still waited for the group; an update with an anomaly does not.
    assert.equal(
      view.why,
      "First notification for this group since 2026-03-14 09:17:30 UTC. An anomaly is in it.",
    );
    const update = buildView(groupNotification({ urgent: true, reason: "update" }), EMAIL);
    assert.match(update.why, /An anomaly is in it, so it went out at once\.$/);
  });

  it("names severity, update number and the top template when nothing is urgent", () => {
    const view = buildView(groupNotification({ urgent: false, reason: "update" }), EMAIL);
    assert.equal(
      view.subject,
      "[SentinelLLM] CRITICAL · checkout · update #2 · 5 templates, 1,699 events · Payment DB connection failed: <*> (pool <*>/<*> busy)",
    );
    assert.equal(view.badge, "CRITICAL · UPDATE #2");
    const repeat = buildView(groupNotification({ urgent: false, reason: "repeat" }), EMAIL);
    assert.match(repeat.subject, /^\[SentinelLLM\] CRITICAL · checkout · still firing \(#3\) · /);
    assert.match(repeat.why, /^Still firing: [\d,]+ more events since the last notification/);
  });

  it("shows a resolved notice as resolved, with the episode's counts, and details only for what was never named", () => {
    const notification = groupNotification({ reason: "resolved" });
    const view = buildView(notification, EMAIL);
    assert.equal(
      view.subject,
      "[SentinelLLM] RESOLVED · checkout · quiet since 2026-03-14 09:26:53 UTC · had 1 anomaly, 5 templates, 1,700 events",
    );
    assert.equal(view.tone, "resolved");
    assert.equal(view.badge, "RESOLVED");
    assert.equal(view.urgent, false);
    assert.equal(view.title, "checkout: resolved, quiet since 2026-03-14 09:26:53 UTC");
    const unnamed = notification.alerts.filter((a) => a.isNew).length;
    assert.ok(unnamed > 0 && unnamed < notification.alerts.length);
    assert.match(
      view.why,
      new RegExp(`What it had \\(${unnamed} templates named for the first time, marked new\\):$`),
    );
    assert.equal(view.rows.length, 6);
    notification.alerts.forEach((alert, index) => {
      const row = view.rows[index];
      assert.ok(row && row.count.length > 0);
      if (alert.isNew) {
        assert.equal(row.newCount, "new");
        assert.ok(row.example ?? row.anomaly, "what no notification named comes with its example");
        if (alert.kind !== "anomaly") assert.ok(row.links.length > 0);
      } else {
        assert.equal(row.newCount, undefined);
        assert.equal(row.example, undefined);
        assert.equal(row.suggestion, undefined);
        assert.equal(row.anomaly, undefined);
        assert.deepEqual(row.links, []);
      }
    });
  });

  it("gives the group window, the reason and the sequence", () => {
    const facts = buildView(groupNotification({ reason: "update", sequence: 4 }), EMAIL).facts;
    const byName = Object.fromEntries(facts.map((f) => [f.name, f.value]));
    assert.equal(byName.Service, "checkout");
    assert.equal(byName.Window, "2026-03-14 09:17:30 → 09:26:53 UTC (event time)");
    assert.equal(byName.Reason, "update #4: something changed since #3");
    assert.match(
      byName.Events ?? "",
      /^[\d,]+ in 1 anomaly, 5 templates; [\d,]+ since the last notification$/,
    );
    assert.match(byName.Trend ?? "", /^[▁▂▃▄▅▆▇█]{12} \(12 marks of 1 min, oldest first\)$/);
  });

  it("links the dashboard once, over every listed alert's span, and drops links that are not http(s)", () => {
    const dashboard = (from: number, to: number) =>
      `https://grafana.example.com/d/s?var-service=checkout&from=${from}&to=${to}`;
    const n = groupNotification({ templates: 0 });
    n.alerts = [
      groupedAlert(
        incidentAlert({ links: { dashboard: dashboard(2000, 3000), logs: "file:///x" } }),
      ),
      groupedAlert(
        preventiveAlert({
          key: "preventive_action:checkout:t-1",
          links: { dashboard: dashboard(1000, 2500), runbook: "javascript:alert(1)" },
        }),
      ),
      groupedAlert(
        anomalyAlert({
          links: { dashboard: "https://viewer:NotARealPassword@grafana.example.com/d/other" },
        }),
      ),
    ];
    const view = buildView(n, EMAIL);
    assert.deepEqual(view.links, [{ title: "Open dashboard", url: dashboard(1000, 3000) }]);
    assert.ok(view.rows.every((row) => row.links.length === 0));

    n.alerts = [n.alerts[2] as GroupedAlert];
    assert.deepEqual(buildView(n, EMAIL).links, [
      { title: "Open dashboard", url: "https://viewer:****@grafana.example.com/d/other" },
    ]);
  });
});
