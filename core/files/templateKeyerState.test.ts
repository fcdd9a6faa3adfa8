import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createLogger } from "../logging/logger.js";
import { TemplateKeyer } from "../templates/templateKeyer.js";
import { loadTemplateKeyerState, saveTemplateKeyerState } from "./templateKeyerState.js";

const quiet = createLogger({ level: "silent" });

describe("template keyer state file", () => {
  it("keeps learned keys across a restart", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "template-keys-")), "template-keys.json");
    const before = new TemplateKeyer();
    for (const user of ["ann", "bob", "cyd"]) before.keyOf(`session closed for user ${user}`);
    await saveTemplateKeyerState(path, before);
    const after = new TemplateKeyer();
    assert.equal(await loadTemplateKeyerState(path, after, { logger: quiet }), true);
    assert.equal(
      after.keyOf("session closed for user dan").template,
      "session closed for user <*>",
    );
    assert.equal(
      after.keyOf("session closed for user ann").templateId,
      before.keyOf("session closed for user ann").templateId,
    );
  });

  it("sets a corrupt file aside and starts fresh", async () => {
    const dir = mkdtempSync(join(tmpdir(), "template-keys-"));
    const path = join(dir, "template-keys.json");
    writeFileSync(path, '{"version":1,"clusters":"nope"}');
    assert.equal(await loadTemplateKeyerState(path, new TemplateKeyer(), { logger: quiet }), false);
    assert.ok(readdirSync(dir).some((name) => name.startsWith("template-keys.json.corrupt-")));
  });
});
