/**
 * How well keys group lines compared with human templates.
 *
 * - grouping accuracy (LogPAI's "group accuracy"): the fraction of lines whose key's set of lines
 *   is exactly the set of lines sharing their true template.
 * - purity: clustering purity, the fraction of lines that belong to their key's most common true
 *   template (what a wrong merge costs is the lines of the smaller templates merged in; splitting
 *   a template does not lower it).
 * - strict purity: the fraction of lines whose key's set of lines holds one true template only
 *   (a wrong merge costs every line of the key, the larger template's too).
 * - keys per template: distinct keys / distinct true templates (1 when nothing is split).
 */
export interface GroupingScore {
  lines: number;
  accuracy: number;
  purity: number;
  strictPurity: number;
  keysPerTemplate: number;
}

export function scoreGrouping(keys: readonly string[], truths: readonly string[]): GroupingScore {
  const byKey = new Map<string, Map<string, number>>();
  const templateSizes = new Map<string, number>();
  keys.forEach((key, i) => {
    const truth = truths[i] as string;
    templateSizes.set(truth, (templateSizes.get(truth) ?? 0) + 1);
    let inKey = byKey.get(key);
    if (!inKey) {
      inKey = new Map();
      byKey.set(key, inKey);
    }
    inKey.set(truth, (inKey.get(truth) ?? 0) + 1);
  });
  let correct = 0;
  let pure = 0;
  let majority = 0;
  for (const inKey of byKey.values()) {
    majority += Math.max(...inKey.values());
    if (inKey.size !== 1) continue;
    const [[truth, count]] = [...inKey] as [[string, number]];
    pure += count;
    if (templateSizes.get(truth) === count) correct += count;
  }
  const lines = keys.length;
  return {
    lines,
    accuracy: correct / lines,
    purity: majority / lines,
    strictPurity: pure / lines,
    keysPerTemplate: byKey.size / templateSizes.size,
  };
}

/** The mean of each figure over systems, each system weighing the same. */
export function meanScore(scores: readonly GroupingScore[]): GroupingScore {
  const mean = (pick: (s: GroupingScore) => number) =>
    scores.reduce((sum, s) => sum + pick(s), 0) / scores.length;
  return {
    lines: scores.reduce((sum, s) => sum + s.lines, 0),
    accuracy: mean((s) => s.accuracy),
    purity: mean((s) => s.purity),
    strictPurity: mean((s) => s.strictPurity),
    keysPerTemplate: mean((s) => s.keysPerTemplate),
  };
}
