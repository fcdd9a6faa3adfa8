import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "../config/load.js";
import { anomaly, classifiedEvent } from "../events/testing/fixtures.js";
import { anomalyAlert, eventAlert } from "./alerts.js";
import { alertRoutingFromConfig } from "./createNotifier.js";
import { routeFor, routeReaches } from "./rules.js";

const links = {
  grafanaUrl: "https://grafana.example.com/",
  runbookUrlTemplate: "https://wiki.example.com/runbooks/{service}/{kind}?template={templateId}",
};

describe("alerts", () => {
  it("builds an incident alert with a deterministic id, key, severity and summary", () => {
    const event = classifiedEvent({ message: "payment  declined:\n card expired", service: "pay" });
    const alert = eventAlert(event, links);
    assert.equal(alert.id, eventAlert(event, links).id);
    assert.notEqual(alert.id, eventAlert({ ...event, id: "another" }, links).id);
    assert.equal(alert.key, "incident:pay:t1");
    assert.equal(alert.kind, "incident");
    assert.equal(alert.severity, "critical");
    assert.equal(alert.summary, "Incident in pay: payment declined: card expired");
    assert.equal(alert.at, event.timestamp);
    assert.deepEqual(alert.events, [event]);
    assert.equal(alert.links.runbook, "https://wiki.example.com/runbooks/pay/incident?template=t1");
    const dashboard = new URL(alert.links.dashboard ?? "");
    assert.equal(dashboard.pathname, "/d/sentinel-overview/sentinel");
    assert.equal(dashboard.searchParams.get("var-service"), "pay");
    assert.equal(
      Number(dashboard.searchParams.get("from")),
      Date.parse(event.timestamp) - 15 * 60_000,
    );
    assert.equal(alert.links.logs, undefined, "a file source has no console to link to");
  });

  it("links CloudWatch events to the console's log stream, encoded the way the console wants", () => {
    const event = classifiedEvent({
      source: {
        provider: "aws",
        region: "eu-west-1",
        logGroup: "/aws/lambda/checkout",
        logStream: "2026/01/01/[$LATEST]abc",
      },
    });
    const at = Date.parse(event.timestamp);
    assert.equal(
      eventAlert(event).links.logs,
      `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fcheckout/log-events/2026$252F01$252F01$252F$255B$2524LATEST$255Dabc$3Fstart$3D${at - 900_000}$26end$3D${at + 900_000}`,
    );
  });

  it("links Loki events to Grafana Explore and Azure events to the portal's Logs blade", () => {
    const loki = eventAlert(
      classifiedEvent({ source: { provider: "loki", labels: { app: "shop", env: "prod" } } }),
      { grafanaUrl: "https://grafana.example.com", lokiDatasourceUid: "P8E80F9AEF21F6940" },
    );
    const explore = new URL(loki.links.logs ?? "");
    assert.equal(explore.pathname, "/explore");
    const pane = JSON.parse(explore.searchParams.get("panes") ?? "{}").sentinel;
    assert.equal(pane.queries[0].expr, '{app="shop",env="prod"}');
    assert.equal(pane.datasource, "P8E80F9AEF21F6940");

    const resourceId =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs";
    const azure = eventAlert(
      classifiedEvent({
        source: {
          provider: "azure",
          workspace: "00000000-0000-0000-0000-000000000001",
          table: "AppTraces",
        },
      }),
      { azureWorkspaceResourceId: resourceId },
    );
    const portal = azure.links.logs ?? "";
    assert.ok(
      portal.startsWith(
        "https://portal.azure.com/#blade/Microsoft_Azure_Monitoring_Logs/LogsBlade/resourceId/",
      ),
    );
    assert.ok(portal.includes(encodeURIComponent(resourceId)));
    assert.ok(
      decodeURIComponent(portal).includes(
        "AppTraces | where TimeGenerated between (datetime(2025-12-31T23:45:00.000Z) .. datetime(2026-01-01T00:15:00.000Z))",
      ),
    );
  });

  it("builds an anomaly alert keyed by anomaly kind and service, at the end of its window", () => {
    const alert = anomalyAlert(anomaly({ at: 5, score: 0.93 }), links);
    assert.equal(alert.key, "anomaly:api:incident_rate");
    assert.equal(alert.kind, "anomaly");
    assert.equal(alert.severity, "critical");
    assert.equal(alert.at, "2026-01-01T00:05:00.000Z");
    assert.match(alert.summary, /^Anomaly in api \(incident_rate, score 0\.93\): 40 incidents/);
    assert.equal(anomalyAlert(anomaly({ score: 0.75 })).severity, "warning");
  });
});

describe("routing", () => {
  it("takes a service's own fields from ALERT_ROUTES over the defaults", () => {
    const config = loadConfig({
      env: {
        EMAIL_RECIPIENTS: "oncall@example.com",
        TEAMS_WEBHOOK_URL: "https://teams.example.invalid/hook/default",
        ALERT_ROUTES: JSON.stringify({
          payments: { teamsWebhookUrl: "https://teams.example.invalid/hook/payments" },
          search: { emailRecipients: [] },
        }),
      },
      envFile: false,
    });
    const routing = alertRoutingFromConfig(config);
    assert.deepEqual(routeFor("payments", routing), {
      emailRecipients: ["oncall@example.com"],
      teamsWebhookUrl: "https://teams.example.invalid/hook/payments",
    });
    assert.equal(routeReaches("email", routeFor("search", routing)), false);
    assert.equal(routeReaches("teams", routeFor("search", routing)), true);
    assert.deepEqual(routeFor("api", routing), routing.defaultRoute);
  });

  it("refuses bad ALERT_ROUTES and runbook templates with errors naming the place, not the secret", () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig({ env, envFile: false });
      } catch (error) {
        return (error as Error).message;
      }
      return "accepted";
    };
    assert.match(bad({ ALERT_ROUTES: "{payments:" }), /ALERT_ROUTES: expected JSON/);
    const message = bad({
      ALERT_ROUTES: JSON.stringify({ payments: { teamsWebhookUrl: "ftp://secret-signature" } }),
    });
    assert.match(
      message,
      /ALERT_ROUTES: service "payments", teamsWebhookUrl: expected an http\(s\) URL/,
    );
    assert.doesNotMatch(message, /secret-signature/);
    assert.match(
      bad({ ALERT_ROUTES: JSON.stringify({ payments: { recipients: ["a@example.com"] } }) }),
      /service "payments": Unrecognized key/,
    );
    assert.match(
      bad({ ALERT_RUNBOOK_URL_TEMPLATE: "https://wiki.example.com/{team}" }),
      /ALERT_RUNBOOK_URL_TEMPLATE: unknown placeholder \{team\}/,
    );
  });
});
