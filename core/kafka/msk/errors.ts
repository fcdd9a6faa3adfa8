/** One problem found in an event: where (`records["raw-logs-0"][1].value`) and what. */
export interface MskEventIssue {
  path: string;
  message: string;
}

/** Raised when an event is not a valid Kafka event source mapping payload; names each path. */
export class MskEventError extends Error {
  override name = "MskEventError";

  constructor(readonly issues: MskEventIssue[]) {
    const shown = issues.slice(0, MAX_LISTED).map((issue) => `  ${issue.path}: ${issue.message}`);
    if (issues.length > MAX_LISTED) shown.push(`  ...and ${issues.length - MAX_LISTED} more`);
    super(`Invalid Kafka event:\n${shown.join("\n")}`);
  }
}

/** A 10,000-record batch can be wrong everywhere; the message lists this many, `issues` has all. */
const MAX_LISTED = 10;

/**
 * The bootstrap brokers of MSK_CLUSTER_ARN could not be had: the lookup failed (not found, access
 * denied, throttled) or the cluster offers none for the client's authentication. Names the variable.
 */
export class MskBootstrapBrokersError extends Error {
  override name = "MskBootstrapBrokersError";
  readonly variable = "MSK_CLUSTER_ARN";
}
