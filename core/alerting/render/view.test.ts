import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EMAIL_BUDGET } from "../../email/message.js";
import { alertNotification, digestNotification, incidentAlert } from "./fixtures.js";
import { buildView, cutChars, formatTime } from "./view.js";

describe("cutChars", () => {
  it("keeps what fits and ends a cut text with an ellipsis, never splitting a character", () => {
    assert.equal(cutChars("abc", 3), "abc");
    assert.equal(cutChars("abcd", 3), "ab…");
    assert.equal(cutChars("😀😀😀", 3), "😀😀😀");
    assert.equal(cutChars("😀😀😀😀", 3), "😀😀…");
    assert.equal(cutChars("a😀b", 0), "");
  });
});

describe("formatTime", () => {
  it("shows ISO times in UTC to the second, and anything else as it is", () => {
    assert.equal(formatTime("2026-03-14T10:26:53.123+01:00"), "2026-03-14 09:26:53 UTC");
    assert.equal(formatTime("yesterday"), "yesterday");
  });
});

describe("buildView", () => {
  it("leaves out the similar line when dedup folded nothing in", () => {
    const view = buildView(alertNotification(incidentAlert({ similar: undefined })), EMAIL_BUDGET);
    assert.equal(view.similar, undefined);
  });

  it("counts a digest's severities over the listed alerts and says so when the total is larger", () => {
    const view = buildView(digestNotification(6, 40), EMAIL_BUDGET);
    assert.deepEqual(
      view.facts.map((fact) => `${fact.name}=${fact.value}`),
      [
        "Alerts=40",
        "Period=2026-03-14 09:00:00 UTC to 2026-03-14 09:15:00 UTC",
        "Services=checkout, payments-db, search, auth, inventory",
        "Severity=2 critical, 4 warning (of 6 listed)",
      ],
    );
    assert.equal(view.digestRows.length, 6);
    assert.deepEqual(view.notes, ["Showing 6 of 40 alerts."]);
  });

  it("drops links that are not http(s) and masks credentials inside links", () => {
    const view = buildView(
      alertNotification(
        incidentAlert({
          links: {
            dashboard: "https://viewer:NotARealPassword@grafana.example.com/d/x",
            logs: "file:///etc/passwd",
          },
        }),
      ),
      EMAIL_BUDGET,
    );
    assert.deepEqual(view.links, [
      { title: "Open dashboard", url: "https://viewer:****@grafana.example.com/d/x" },
    ]);
  });
});
