import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger } from "./logger.js";

describe("createLogger", () => {
  it("redacts secrets by name, at the top level and one level down", () => {
    const lines: string[] = [];
    const logger = createLogger({
      format: "json",
      destination: { write: (line: string) => lines.push(line) },
    });
    const token = "0123456789abcdef0123";
    logger.info({ CLASSIFIER_API_TOKEN: token }, "top level");
    logger.info({ settings: { CLASSIFIER_API_TOKEN: token, SMTP_PASSWORD: "pw" } }, "nested");
    assert.equal(lines.length, 2);
    for (const line of lines) assert.ok(!line.includes(token), line);
    assert.equal(JSON.parse(lines[0] ?? "").CLASSIFIER_API_TOKEN, "[redacted]");
    assert.deepEqual(JSON.parse(lines[1] ?? "").settings, {
      CLASSIFIER_API_TOKEN: "[redacted]",
      SMTP_PASSWORD: "[redacted]",
    });
  });
});
