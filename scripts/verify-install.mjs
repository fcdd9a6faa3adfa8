// Checks that `npm install` installed exactly what the committed lock file records.
//
// `npm ci` cannot be used: the registry adds and drops other platforms' optional packages over
// time (node-llama-cpp's non-Linux builds are absent, biome's appeared later), so the lock file can
// never list every platform's entry and `npm ci` calls it incomplete. `npm install` does take every
// version from the lock, but it also rewrites the lock with whatever other-platform entries the
// registry serves that day, so comparing the whole file fails on days the registry changed, not on
// days our install changed. What matters is what was installed here:
// - package.json and the lock agree on the direct dependencies;
// - every installed package (node_modules/.package-lock.json, npm's record of the tree it laid
//   out) is in the committed lock at the same path, version and integrity;
// - every locked package that is not optional was installed.
// Other platforms' optional entries that npm added to or left out of the lock are listed, not
// counted.
//
// Usage: node scripts/verify-install.mjs COMMITTED_LOCK   (a copy taken before `npm install`)
import { readFileSync } from "node:fs";

const committedPath = process.argv[2];
if (!committedPath) {
  console.error("usage: node scripts/verify-install.mjs COMMITTED_LOCK");
  process.exit(2);
}

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const committed = readJson(committedPath).packages;
const installed = readJson("node_modules/.package-lock.json").packages;
const manifest = readJson("package.json");
const problems = [];

for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
  const wanted = manifest[field] ?? {};
  const locked = committed[""]?.[field] ?? {};
  for (const name of new Set([...Object.keys(wanted), ...Object.keys(locked)])) {
    if (wanted[name] !== locked[name]) {
      problems.push(
        `${field}.${name}: package.json says ${wanted[name] ?? "(none)"}, the lock ${locked[name] ?? "(none)"}`,
      );
    }
  }
}

for (const [path, entry] of Object.entries(installed)) {
  if (path === "" || entry.link) continue;
  const locked = committed[path];
  if (!locked) {
    problems.push(`${path}@${entry.version} is installed but not in the lock`);
  } else if (locked.version !== entry.version) {
    problems.push(`${path}: installed ${entry.version}, locked ${locked.version}`);
  } else if (locked.integrity && entry.integrity && locked.integrity !== entry.integrity) {
    problems.push(`${path}@${entry.version}: integrity differs from the lock`);
  }
}

let otherPlatforms = 0;
for (const [path, entry] of Object.entries(committed)) {
  if (path === "" || entry.link || installed[path]) continue;
  if (entry.optional) otherPlatforms += 1;
  else problems.push(`${path}@${entry.version} is locked but was not installed`);
}

if (problems.length > 0) {
  console.error("The install does not match package-lock.json:");
  for (const problem of problems) console.error(`  ${problem}`);
  console.error("Run `npm install`, review the lock file's changes and commit them.");
  process.exit(1);
}
console.log(
  `install matches the lock: ${Object.keys(installed).filter((path) => path !== "").length} packages installed at their locked versions` +
    ` (${otherPlatforms} optional packages for other platforms not installed)`,
);
