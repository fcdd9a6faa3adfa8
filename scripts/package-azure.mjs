// `npm run package:azure`: the folder `func azure functionapp publish <app>` uploads, from what
// `npm run build` made: the Azure Functions app's bundle (index.js, with its source map), host.json,
// .funcignore and a package.json whose dependencies are only the packages the bundle leaves to
// node_modules (dist/functions/azure/externals.json, written by scripts/bundle.mjs) — none today:
// no devDependencies, never node-llama-cpp.
//
//   node scripts/package-azure.mjs [<built tree, default dist>] [<folder, default dist/azure-functionapp>]
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

const [built = "dist", folder = join(built, "azure-functionapp")] = process.argv.slice(2);
/** Served by the Functions host's Node.js worker to the app it loads, not installed. */
const HOST_PROVIDED = new Set(["@azure/functions-core"]);
/** Never in the Functions app: the LLM runs only in the classifier service and the CLI. */
const FORBIDDEN = new Set(["node-llama-cpp"]);

function fail(message) {
  console.error(`package:azure: ${message}`);
  process.exit(1);
}

const bundleDir = join(built, "functions", "azure");
for (const file of ["index.js", "externals.json"])
  if (!existsSync(join(bundleDir, file)))
    fail(`${join(bundleDir, file)} is missing: run \`npm run build\` first`);

const root = JSON.parse(readFileSync("package.json", "utf8"));
/** "@scope/name/sub/path" and "name/sub" to the package's name. */
const packageOf = (specifier) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");
const dependencies = {};
for (const specifier of JSON.parse(readFileSync(join(bundleDir, "externals.json"), "utf8"))) {
  const name = packageOf(specifier);
  if (HOST_PROVIDED.has(name)) continue;
  if (FORBIDDEN.has(name))
    fail(`the Azure app's bundle imports ${name}, which must never be in it`);
  const version = root.dependencies?.[name];
  if (!version)
    fail(`the Azure app's bundle imports ${name}, which is not in package.json "dependencies"`);
  dependencies[name] = version;
}

rmSync(folder, { recursive: true, force: true });
mkdirSync(folder, { recursive: true });
for (const file of ["index.js", "index.js.map"])
  copyFileSync(join(bundleDir, file), join(folder, file));
copyFileSync("host.json", join(folder, "host.json"));
copyFileSync(".funcignore", join(folder, ".funcignore"));
const manifest = {
  name: `${root.name}-azure-functions`,
  version: root.version,
  description:
    "SentinelLLM's Azure Functions app: Log Analytics to Kafka (built by npm run package:azure)",
  private: true,
  type: "module",
  main: "index.js",
  engines: root.engines,
  dependencies,
};
writeFileSync(join(folder, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
// For `func` run in the folder (publish, or start): the worker runtime. Not uploaded (.funcignore).
writeFileSync(
  join(folder, "local.settings.json"),
  `${JSON.stringify({ IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "node" } }, null, 2)}\n`,
);

const size = (file) => `${(statSync(join(folder, file)).size / 1000).toFixed(0)} kB`;
console.log(
  `${folder}: index.js ${size("index.js")}, host.json, package.json (${Object.keys(dependencies).length} dependencies)`,
);
console.log(`publish it: cd ${folder} && func azure functionapp publish <function app name>`);
