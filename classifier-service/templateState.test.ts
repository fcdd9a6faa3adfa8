import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { classify, logEvent, startTestService } from "./testSupport.js";

describe("template key state across a restart", () => {
  it("keeps what the keys learned when CLASSIFIER_TEMPLATE_STATE_FILE is set", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "classifier-templates-")), "template-keys.json");
    const env = { CLASSIFIER_TEMPLATE_STATE_FILE: file };
    const first = await startTestService({ env });
    await first.service.modelSettled();
    for (const user of ["ann", "bob", "cyd"]) {
      await classify(first.url, [logEvent(`Invalid user ${user} from 10.0.0.1`)]);
    }
    await first.service.shutdown();

    const second = await startTestService({ env });
    await second.service.modelSettled();
    const answer = await classify(second.url, [logEvent("Invalid user dan from 10.0.0.2")]);
    assert.equal(answer.json.events[0].classification.template, "Invalid user <*> from <*>");
    assert.equal(second.service.classifier?.keyer.generalisations, 0, "nothing relearned");
    await second.service.shutdown();
  });
});
