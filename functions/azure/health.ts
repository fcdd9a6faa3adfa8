import type { HttpResponseInit, InvocationContext } from "@azure/functions";
import type { ConfigProblem } from "../../core/config/fields.js";

export interface HealthDeps {
  /** What is wrong with the app's settings, found when the app loaded; empty when they are valid. */
  problems: readonly ConfigProblem[];
  /** The end of the last window the timer read and checkpointed; undefined before the first. */
  lastWindowEnd?: () => Promise<string | undefined>;
  now?: () => number;
}

/** The body of `GET /api/health`. */
export interface HealthReport {
  status: "ok" | "misconfigured" | "checkpoint-unreadable";
  configuration: { valid: boolean; problems: readonly ConfigProblem[] };
  /** The last successful window's end and how long ago that is; null before the first run. */
  lastSuccessfulWindow: { end: string; ageSeconds: number } | null;
}

/**
 * `GET /api/health` (anonymous, for an availability test or a load balancer probe): 200 when the
 * settings are valid and the checkpoint can be read, with the last successful window; 503 with
 * the settings' problems (variable and message, never a secret's value) or when the checkpoint
 * storage cannot be read. How far behind the window is, is for the caller to judge.
 */
export async function health(
  context: Pick<InvocationContext, "error">,
  deps: HealthDeps,
): Promise<HttpResponseInit> {
  const configuration = { valid: deps.problems.length === 0, problems: deps.problems };
  if (!configuration.valid)
    return respond(503, { status: "misconfigured", configuration, lastSuccessfulWindow: null });
  let end: string | undefined;
  try {
    end = await deps.lastWindowEnd?.();
  } catch (error) {
    context.error(`health: the checkpoint cannot be read: ${(error as Error).message}`);
    return respond(503, {
      status: "checkpoint-unreadable",
      configuration,
      lastSuccessfulWindow: null,
    });
  }
  const now = (deps.now ?? Date.now)();
  return respond(200, {
    status: "ok",
    configuration,
    lastSuccessfulWindow:
      end === undefined
        ? null
        : { end, ageSeconds: Math.max(0, Math.round((now - Date.parse(end)) / 1000)) },
  });
}

function respond(status: number, body: HealthReport): HttpResponseInit {
  return { status, jsonBody: body, headers: { "Cache-Control": "no-store" } };
}
