// Bundles, one ESM file each, so they start fast and need no TypeScript at run time:
// - the CLI (dist/sentinel.js) and the classifier service (dist/classifier-service.js, the
//   containers' entry, see classifier-service/Dockerfile); dynamic imports with a literal path
//   (the service's core/llm) are bundled in too; node-llama-cpp stays in node_modules;
// - every Lambda handler in functions/aws/ (dist/functions/aws/<name>.js, minified: a Lambda
//   bundle holds only the domain and the adapters its handler imports) and the Azure Functions app
//   (dist/functions/azure/<name>.js, the package.json "main" the Functions host loads).
import { readdirSync, readFileSync } from "node:fs";
import { build } from "esbuild";

// Lets bundled CommonJS dependencies call require() inside an ES module.
const banner = {
  js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
};

await build({
  entryPoints: {
    sentinel: "cli/main.ts",
    "classifier-service": "classifier-service/main.ts",
  },
  outdir: "dist",
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
  outdir: "dist/functions",
  outbase: "functions",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  sourcemap: true,
  logLevel: "warning",
  // Never in a Lambda or Function bundle: the LLM runs only in the classifier service, and logs
  // are read on a terminal only from the CLI (core/logging loads pino-pretty on a terminal only).
  external: ["node-llama-cpp", "pino-pretty"],
  banner,
};

await build({ ...functionBuild, entryPoints: lambdaHandlers("functions/aws") });
// The Functions host provides @azure/functions-core to the app it loads (package.json "main").
await build({
  ...functionBuild,
  entryPoints: ["functions/azure/index.ts"],
  external: [...functionBuild.external, "@azure/functions-core"],
});
