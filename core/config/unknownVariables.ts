/**
 * Names in the project's own prefixes that no part of the configuration reads: most often a typo
 * (`KAFKA_BROKER` for `KAFKA_BROKERS`) that would otherwise leave a default in place silently.
 * The prefixes are those the schema's variables share (KAFKA_, SENTINEL_, ALERT_, …), except
 * AWS_, which belongs to the AWS SDK and Lambda. Azure SDK and Functions names are left alone.
 */

/** Read by the loader itself, not the schema. */
const LOADER_VARIABLES = ["SENTINEL_ENV_FILE"];
/** Prefixes other software owns, though some of our variables start with them too. */
const FOREIGN_PREFIXES = new Set(["AWS"]);
/** Azure SDK (DefaultAzureCredential) and Azure Functions host settings. */
const FOREIGN_NAMES =
  /^AZURE_(?:CLIENT_\w+|TENANT_ID|SUBSCRIPTION_ID|FEDERATED_TOKEN_FILE|AUTHORITY_HOST|USERNAME|PASSWORD|FUNCTIONS_\w+|LOG_LEVEL|POD_IDENTITY_\w+|REGIONAL_AUTHORITY_NAME)$/;

export interface UnknownVariable {
  name: string;
  /** The known variable closest to it, when one is close enough to be the likely intent. */
  closest?: string;
}

/** The names among `names` that look like ours but are not read; `known` are the schema's. */
export function unknownVariables(
  names: Iterable<string>,
  known: readonly string[],
): UnknownVariable[] {
  const knownSet = new Set([...known, ...LOADER_VARIABLES]);
  const prefixes = sharedPrefixes(known);
  const unknown: UnknownVariable[] = [];
  for (const name of names) {
    if (knownSet.has(name) || FOREIGN_NAMES.test(name)) continue;
    const prefix = name.split("_", 1)[0] as string;
    if (!name.includes("_") || !prefixes.has(prefix)) continue;
    const closest = closestName(name, knownSet);
    unknown.push(closest ? { name, closest } : { name });
  }
  return unknown;
}

/** "KAFKA_BROKER (environment) is not a known variable and is ignored; did you mean KAFKA_BROKERS?" */
export function describeUnknown(variable: UnknownVariable, origin: string): string {
  const hint = variable.closest ? `; did you mean ${variable.closest}?` : "";
  return `${variable.name} (${origin}) is not a known variable and is ignored${hint}`;
}

function sharedPrefixes(known: readonly string[]): Set<string> {
  const counts = new Map<string, number>();
  for (const name of known) {
    const prefix = name.split("_", 1)[0] as string;
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  return new Set(
    [...counts].filter(([p, n]) => n >= 2 && !FOREIGN_PREFIXES.has(p)).map(([p]) => p),
  );
}

/** The known name at the smallest edit distance, if that distance is small for its length. */
function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        substitution,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
