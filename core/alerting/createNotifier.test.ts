import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig } from "../config/load.js";
import { classifiedEvent } from "../events/testing/fixtures.js";
import { PipelineMetrics } from "../metrics/catalog.js";
import { createNotifier, embeddedAlertPaths } from "./createNotifier.js";
import { RecordingChannel } from "./testing/recordingChannel.js";
import { DeliveryError } from "./types.js";

describe("createNotifier (sentinel run)", () => {
  it("keeps group state in the state directory across restarts and dead-letters to a JSONL file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sentinel-run-"));
    const config = loadConfig({
      env: {
        SENTINEL_STATE_DIR: dir,
        EMAIL_RECIPIENTS: "oncall@example.com",
        TEAMS_WEBHOOK_URL: "https://teams.example.invalid/hook/default",
        ALERT_RETRY_MAX_ATTEMPTS: "1",
        ALERT_GROUP_WAIT_SECONDS: "0",
      },
      envFile: false,
    });
    const start = async () => {
      const email = new RecordingChannel("email");
      const teams = new RecordingChannel("teams");
      const notifier = await createNotifier(config, {
        channels: [email, teams],
        metrics: new PipelineMetrics(),
        tickIntervalMs: 0,
      });
      return { notifier, email, teams };
    };

    const first = await start();
    first.teams.failAlways(new DeliveryError("bad request (400)", { retryable: false }));
    await first.notifier.notifyClassified(classifiedEvent({ at: 0 }));
    await first.notifier.close();
    assert.equal(first.email.delivered.length, 1);

    // Restarted: the e-mail group knows it has notified; a repeat of the template is counted.
    const second = await start();
    const ticket = await second.notifier.notifyClassified(classifiedEvent({ at: 1 }));
    await second.notifier.close();
    assert.deepEqual((await ticket.done).outcomes, { email: "grouped", teams: "grouped" });
    assert.equal(second.email.delivered.length, 0);

    const paths = embeddedAlertPaths(config);
    const saved = JSON.parse(await readFile(paths.groups, "utf8")) as {
      entries: { id: string; items: { count: number }[] }[];
    };
    const email = saved.entries.find((entry) => entry.id.startsWith("email|"));
    assert.equal(email?.items[0]?.count, 2);
    const letters = (await readFile(paths.deadLetters, "utf8")).trim().split("\n");
    assert.equal(letters.length, 1);
    assert.equal(JSON.parse(letters[0] ?? "{}").channel, "teams");
    await rm(dir, { recursive: true, force: true });
  });
});
