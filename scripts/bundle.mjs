// Bundles, ESM, so they start fast and need no TypeScript at run time:
// - the CLI (dist/sentinel.js, its commands in dist/sentinel-chunks/) and the classifier service
//   (dist/classifier-service.js, the containers' entry, see classifier-service/Dockerfile);
//   dynamic imports with a literal path (the service's core/llm) are bundled in too;
//   node-llama-cpp stays in node_modules;
// - every Lambda handler in functions/aws/ (dist/functions/aws/<name>.js, one minified file
//   holding only the domain and the adapters its handler imports) and the Azure Functions app
//   (dist/functions/azure/index.js, the package.json "main" the Functions host loads, with
//   externals.json beside it: the packages it leaves to node_modules).
// Prints each function bundle's size; a Lambda bundle over budget fails the build.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { relative } from "node:path";
import { build } from "esbuild";
import {
  ESM_REQUIRE_BANNER,
  FUNCTION_EXTERNALS,
  LAMBDA_BUDGET_BYTES,
  lambdaEsbuildOptions,
} from "./lambdaBundling.mjs";

const banner = { js: ESM_REQUIRE_BANNER };

const outRoot = process.argv[2] ?? "dist";

const nodeBundle = {
  outdir: outRoot,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  external: ["node-llama-cpp"],
  banner,
};
// The CLI in chunks: a command loads only its own modules (cli/main.ts), so `sentinel analyze`
// does not parse the cloud SDKs at every start. Chunk names change with their content.
rmSync(`${outRoot}/sentinel-chunks`, { recursive: true, force: true });
await build({
  ...nodeBundle,
  entryPoints: { sentinel: "cli/main.ts" },
  splitting: true,
  chunkNames: "sentinel-chunks/[name]-[hash]",
});
await build({ ...nodeBundle, entryPoints: { "classifier-service": "classifier-service/main.ts" } });

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

// The options shared with the CDK app's NodejsFunction (scripts/lambdaBundling.mjs).
const functionBuild = { ...lambdaEsbuildOptions, metafile: true, logLevel: "warning" };

const lambdas = await build({
  ...functionBuild,
  entryPoints: lambdaHandlers("functions/aws"),
  outdir: `${outRoot}/functions/aws`,
});
// The Functions host provides @azure/functions-core to the app it loads (package.json "main").
const azure = await build({
  ...functionBuild,
  entryPoints: ["functions/azure/index.ts"],
  outdir: `${outRoot}/functions/azure`,
  external: [...FUNCTION_EXTERNALS, "@azure/functions-core"],
});

// What the Azure app's bundle leaves to node_modules (Node's own modules aside), for
// scripts/package-azure.mjs to list as the published app's dependencies.
const azureExternals = [
  ...new Set(
    Object.values(azure.metafile.outputs)
      .filter((output) => output.entryPoint)
      .flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path))
      .filter((path) => !isBuiltin(path)),
  ),
].sort();
writeFileSync(`${outRoot}/functions/azure/externals.json`, `${JSON.stringify(azureExternals)}\n`);

function bundleSizes(result, budget) {
  return Object.entries(result.metafile.outputs)
    .filter(([, output]) => output.entryPoint)
    .map(([path, output]) => ({
      bundle: relative(outRoot, path),
      bytes: output.bytes,
      over: budget !== undefined && output.bytes > budget,
    }));
}

const sizes = [...bundleSizes(lambdas, LAMBDA_BUDGET_BYTES), ...bundleSizes(azure)];
console.log("function bundle                         size");
for (const { bundle, bytes, over } of sizes)
  console.log(
    `${bundle.padEnd(36)} ${(bytes / 1000).toFixed(0).padStart(6)} kB${over ? "  over budget" : ""}`,
  );
const over = sizes.filter((size) => size.over);
if (over.length > 0) {
  console.error(
    `Lambda bundles over ${LAMBDA_BUDGET_BYTES / 1e6} MB: ${over.map((s) => s.bundle).join(", ")}`,
  );
  process.exitCode = 1;
}
