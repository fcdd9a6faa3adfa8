// Bundles, ESM, so they start fast and need no TypeScript at run time:
// - the CLI (dist/sentinel.js) and the classifier service (dist/classifier-service.js, the
//   containers' entry, see classifier-service/Dockerfile); dynamic imports with a literal path
//   (the service's core/llm) are bundled in too; node-llama-cpp stays in node_modules;
// - every Lambda handler in functions/aws/ (dist/functions/aws/<name>.js, minified: a Lambda
//   bundle holds only the domain and the adapters its handler imports; what a handler imports
//   dynamically, such as one e-mail transport, is a chunk in dist/functions/aws/chunks/ loaded on
//   first use) and the Azure Functions app (dist/functions/azure/index.js, the package.json
//   "main" the Functions host loads).
// Prints each function bundle's size: what loads at start, and with every chunk it may load.
import { readdirSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { build } from "esbuild";

/** A Lambda's code past this (what loads at start) fails the build: cold starts grow with it. */
const LAMBDA_START_BUDGET_BYTES = 1_000_000;

// Lets bundled CommonJS dependencies call require() inside an ES module.
const banner = {
  js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
};

const outRoot = process.argv[2] ?? "dist";

await build({
  entryPoints: {
    sentinel: "cli/main.ts",
    "classifier-service": "classifier-service/main.ts",
  },
  outdir: outRoot,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  external: ["node-llama-cpp"],
  banner,
});

/** The Lambda handler modules of functions/aws/: those that export `handler`. */
function lambdaHandlers(dir) {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
    .map((name) => `${dir}/${name}`)
    .filter((path) =>
      /^export (async )?function handler\b|^export const handler\b/m.test(
        readFileSync(path, "utf8"),
      ),
    );
}

const functionBuild = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  sourcemap: true,
  metafile: true,
  logLevel: "warning",
  // The packages' ES module builds, which esbuild can tree-shake (the AWS SDK's CommonJS builds
  // bring every command and protocol along).
  mainFields: ["module", "main"],
  // Never in a Lambda or Function bundle: the LLM runs only in the classifier service, and logs
  // are read on a terminal only from the CLI (core/logging loads pino-pretty on a terminal only).
  external: ["node-llama-cpp", "pino-pretty"],
  banner,
};

// One build per handler, so that a chunk holds only what its handler loads lazily.
const lambdas = await Promise.all(
  lambdaHandlers("functions/aws").map((entry) =>
    build({
      ...functionBuild,
      entryPoints: [entry],
      outdir: `${outRoot}/functions/aws`,
      splitting: true,
      chunkNames: "chunks/[name]-[hash]",
      // Inside Lambda, credentials are the execution role's, in the environment.
      alias: { "@aws-sdk/credential-provider-node": "./functions/aws/lambdaCredentials.ts" },
    }),
  ),
);
// The Functions host provides @azure/functions-core to the app it loads (package.json "main").
const azure = await build({
  ...functionBuild,
  entryPoints: ["functions/azure/index.ts"],
  outdir: `${outRoot}/functions/azure`,
  external: [...functionBuild.external, "@azure/functions-core"],
});

/** Bytes of `file` and every output it imports, through static imports only or all imports. */
function closureBytes(outputs, file, { dynamic }) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path) || !outputs[path]) return;
    seen.add(path);
    for (const imported of outputs[path].imports)
      if (imported.kind === "import-statement" || (dynamic && imported.kind === "dynamic-import"))
        visit(imported.path);
  };
  visit(file);
  return [...seen].reduce((sum, path) => sum + outputs[path].bytes, 0);
}

function entrySizes(result, budget) {
  const outputs = result.metafile.outputs;
  return Object.entries(outputs)
    .filter(([path, output]) => output.entryPoint && !path.includes("/chunks/"))
    .map(([path]) => {
      const start = closureBytes(outputs, path, { dynamic: false });
      const all = closureBytes(outputs, path, { dynamic: true });
      return { bundle: relative(outRoot, path), start, all, over: budget && start > budget };
    });
}

const kb = (bytes) => `${(bytes / 1000).toFixed(0).padStart(6)} kB`;
const sizes = [
  ...lambdas.flatMap((result) => entrySizes(result, LAMBDA_START_BUDGET_BYTES)),
  ...entrySizes(azure),
];
console.log("function bundle                       at start   with every chunk");
for (const { bundle, start, all, over } of sizes)
  console.log(`${bundle.padEnd(36)} ${kb(start)}  ${kb(all)}${over ? "  over budget" : ""}`);
const over = sizes.filter((size) => size.over);
if (over.length > 0) {
  console.error(
    `Lambda bundles over ${LAMBDA_START_BUDGET_BYTES / 1e6} MB at start: ${over.map((s) => s.bundle).join(", ")}`,
  );
  process.exitCode = 1;
}
