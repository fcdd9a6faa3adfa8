/**
 * CloudWatch's Embedded Metric Format: a JSON log line that CloudWatch Logs turns into metrics,
 * so a process whose stdout goes to CloudWatch Logs (ECS's awslogs driver, Lambda) publishes
 * metrics with no SDK call and no permission beyond writing its logs. The `_aws` block says which
 * of the line's fields are metrics, in which namespace, with which dimensions; the dimensions'
 * values and the metrics' values are top-level fields of the same line.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

export type EmfUnit = "Count" | "Seconds" | "Milliseconds" | "Bytes" | "Percent" | "None";

export interface EmfMetric {
  name: string;
  unit: EmfUnit;
  value: number;
}

export interface EmfRecord {
  namespace: string;
  /** Epoch milliseconds. */
  timestamp: number;
  /** Dimension name → value; every dimension is in the one dimension set. */
  dimensions: Readonly<Record<string, string>>;
  metrics: readonly EmfMetric[];
}

/** The one-line JSON document for `record` (no trailing newline). */
export function emfLine(record: EmfRecord): string {
  const document: Record<string, unknown> = {
    _aws: {
      Timestamp: record.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: record.namespace,
          Dimensions: [Object.keys(record.dimensions)],
          Metrics: record.metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...record.dimensions,
  };
  for (const metric of record.metrics) document[metric.name] = metric.value;
  return JSON.stringify(document);
}
