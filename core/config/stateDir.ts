import { homedir } from "node:os";
import { join } from "node:path";
import type { Config } from "./schema.js";

/** Where the embedded mode keeps state files: SENTINEL_STATE_DIR, else the XDG state directory. */
export function stateDir(config: Pick<Config, "SENTINEL_STATE_DIR">): string {
  if (config.SENTINEL_STATE_DIR) return config.SENTINEL_STATE_DIR;
  const base = process.env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(base, "sentinel-llm");
}
