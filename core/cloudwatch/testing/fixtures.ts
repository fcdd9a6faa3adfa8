import { readFileSync } from "node:fs";
import type { SubscriptionPayload } from "../types.js";

export type FixtureName =
  | "lambda-data-message"
  | "lambda-json-format-data-message"
  | "ecs-data-message"
  | "control-message";

/**
 * A recorded subscription payload, as CloudWatch sends it once base64 and gzip are undone (the
 * account is AWS's documentation example). Tests build the wire form with encodeSubscriptionPayload.
 */
export function loadFixture(name: FixtureName): SubscriptionPayload {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), "utf8"),
  ) as SubscriptionPayload;
}
