import type { Label, TimeSeries } from "./writeRequest.js";

/** What `registry.getMetricsAsJSON()` returns (prom-client does not export these types). */
export type RegistrySnapshot = readonly {
  name: string;
  values: readonly {
    value: number;
    labels: Readonly<Record<string, string | number | undefined>>;
    /** Set for histogram and summary parts: `x_bucket`, `x_sum`, `x_count`. */
    metricName?: string;
  }[];
}[];

/**
 * Turns a prom-client registry snapshot into remote-write series, one sample each, the way a
 * Prometheus scrape would see them: histograms and summaries as their `_bucket` (with `le`),
 * `quantile`, `_sum` and `_count` series. `targetLabels` (job, instance) are added to every series
 * unless the metric has a label of the same name, as a scrape without honor_labels would not do;
 * here the metric's own label is the more specific one.
 *
 * @example
 * const series = snapshotToSeries(await registry.getMetricsAsJSON(), Date.now(), { job: "sentinel-run" });
 */
export function snapshotToSeries(
  snapshot: RegistrySnapshot,
  timestampMs: number,
  targetLabels: Readonly<Record<string, string>> = {},
): TimeSeries[] {
  const series: TimeSeries[] = [];
  for (const metric of snapshot) {
    for (const value of metric.values) {
      const merged: Record<string, string> = { ...targetLabels };
      for (const [name, labelValue] of Object.entries(value.labels)) {
        if (labelValue !== undefined) merged[name] = String(labelValue);
      }
      merged.__name__ = value.metricName ?? metric.name;
      series.push({
        labels: sortedLabels(merged),
        samples: [{ value: value.value, timestampMs }],
      });
    }
  }
  return series;
}

function sortedLabels(labels: Record<string, string>): Label[] {
  return Object.keys(labels)
    .sort()
    .flatMap((name) => {
      const value = labels[name] as string;
      // An empty label value means "no such label" in Prometheus; receivers drop it anyway.
      return value === "" ? [] : [{ name, value }];
    });
}
