// Writes examples/shop-incident-spike.log: 90 minutes of a small shop's logs in mixed real-world
// shapes (pino JSON for payment and auth, `TIMESTAMP LEVEL service[pid]: message` text for the
// rest) with an incident spike near the end. Regenerate with:
//   node --import tsx scripts/make-example-log.ts
import { writeFileSync } from "node:fs";
import { describeScenario, generateSyntheticLogs } from "../core/synthetic/index.js";

const options = { scenario: "incident-spike", seed: 7, rate: 6 } as const;
const PINO_LEVEL = { trace: 10, debug: 20, info: 30, notice: 30, warn: 40, error: 50, fatal: 60 };
const JSON_SERVICES = new Set(["payment", "auth"]);

const lines: string[] = [];
for (const record of generateSyntheticLogs(options)) {
  const { timestamp, level, service, host, message } = record;
  if (JSON_SERVICES.has(service)) {
    lines.push(
      JSON.stringify({
        level: PINO_LEVEL[level],
        time: Date.parse(timestamp),
        service,
        hostname: host,
        msg: message,
      }),
    );
  } else {
    const pid = 1000 + ((host.length * 37) % 9000);
    lines.push(`${timestamp} ${level.toUpperCase().padEnd(5)} ${service}[${pid}]: ${message}`);
  }
}
writeFileSync("examples/shop-incident-spike.log", `${lines.join("\n")}\n`);
const { affectedService, start, end } = describeScenario(options);
console.log(`${lines.length} lines; incident spike in ${affectedService} from ${start} to ${end}`);
