/**
 * Throughput of the synthetic generator: `node --import tsx core/synthetic/generator.bench.ts [count]`.
 * Prints records per second for generation alone and for generation plus JSON serialisation.
 */

import { generateSyntheticLogs } from "./index.js";

const count = Number(process.argv[2] ?? 1_000_000);

function measure(name: string, run: () => number): void {
  run(); // warm up on the same workload
  const started = performance.now();
  const n = run();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${name}: ${n} records in ${seconds.toFixed(2)}s = ${Math.round(n / seconds)} records/s`,
  );
}

measure("generate", () => {
  let n = 0;
  for (const _ of generateSyntheticLogs({ scenario: "incident-spike", seed: 1, rate: 200, count }))
    n++;
  return n;
});

measure("generate + JSON.stringify", () => {
  let n = 0;
  let bytes = 0;
  for (const r of generateSyntheticLogs({
    scenario: "incident-spike",
    seed: 1,
    rate: 200,
    count,
  })) {
    bytes += JSON.stringify(r).length + 1;
    n++;
  }
  if (bytes === 0) throw new Error("nothing serialised");
  return n;
});
