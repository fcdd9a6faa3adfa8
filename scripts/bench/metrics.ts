import { compress } from "snappyjs";
import { PipelineMetrics } from "../../core/metrics/catalog.js";
import { snapshotToSeries } from "../../core/metrics/remoteWrite/registrySnapshot.js";
import { encodeWriteRequest } from "../../core/metrics/remoteWrite/writeRequest.js";

/**
 * Remote-write encoding throughput: a catalog with 12 services x 3 labels x 3 sources of
 * classified events plus latency histograms, snapshotted and encoded as one push would.
 */
export async function benchMetrics(
  report: (name: string, value: number, unit: string, target?: string) => void,
): Promise<void> {
  const metrics = new PipelineMetrics();
  for (let s = 0; s < 12; s++)
    for (const label of ["incident", "preventive_action", "normal"])
      for (const source of ["aws", "azure", "file"])
        metrics.eventsClassified.inc({ label, service: `service-${s}`, source }, s + 1);
  for (const model of ["baseline", "qwen2-1.5b-log-classifier"])
    for (let i = 0; i < 100; i++) metrics.classifierLatency.observe({ model }, i / 100);
  const snapshot = await metrics.registry.getMetricsAsJSON();
  const labels = { job: "bench", instance: "bench:1" };

  let samples = 0;
  let bytes = 0;
  const started = performance.now();
  while (performance.now() - started < 2_000) {
    const series = snapshotToSeries(snapshot, Date.now(), labels);
    const body = compress(encodeWriteRequest(series));
    samples += series.length;
    bytes += body.length;
  }
  const seconds = (performance.now() - started) / 1000;
  report("remote-write encode (snapshot -> protobuf -> snappy)", samples / seconds, "samples/s");
  report("remote-write bytes per sample (snappy)", bytes / samples, "bytes");
}
