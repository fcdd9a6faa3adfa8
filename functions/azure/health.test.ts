import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { health } from "./health.js";

// The health function's answers besides those index.test.ts sees through the host stand-in.
describe("GET /api/health", () => {
  it("answers 503 when the checkpoint storage cannot be read, logging why but not answering it", async () => {
    const errors: unknown[] = [];
    const context = { error: (...args: unknown[]) => errors.push(...args) };
    const response = await health(context, {
      problems: [],
      lastWindowEnd: async () => {
        throw new Error("AuthorizationPermissionMismatch on https://account.blob.core.windows.net");
      },
    });
    assert.equal(response.status, 503);
    assert.deepEqual(response.jsonBody, {
      status: "checkpoint-unreadable",
      configuration: { valid: true, problems: [] },
      lastSuccessfulWindow: null,
    });
    assert.match(String(errors[0]), /AuthorizationPermissionMismatch/);
  });

  it("reports how old the last window is", async () => {
    const response = await health(
      { error: () => {} },
      {
        problems: [],
        lastWindowEnd: async () => "2026-01-05T09:00:00.000Z",
        now: () => Date.parse("2026-01-05T09:02:30.400Z"),
      },
    );
    assert.equal(response.status, 200);
    assert.deepEqual(
      (response.jsonBody as { lastSuccessfulWindow: unknown }).lastSuccessfulWindow,
      {
        end: "2026-01-05T09:00:00.000Z",
        ageSeconds: 150,
      },
    );
  });
});
