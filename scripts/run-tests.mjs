// Runs every *.test.ts in the project with node's test runner (TypeScript through tsx).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const roots = ["cli", "core", "functions", "classifier-service", "infra", "fine-tune", "scripts"];
const skip = new Set(["node_modules", "dist", ".bench"]);

function findTests(dir) {
  let found = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !skip.has(entry.name)) found = found.concat(findTests(path));
    else if (entry.isFile() && entry.name.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

const files = roots.flatMap(findTests).sort();
const filter = process.argv.slice(2);
const selected =
  filter.length > 0 ? files.filter((f) => filter.some((part) => f.includes(part))) : files;
if (selected.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", ...selected], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
