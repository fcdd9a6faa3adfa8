// Bundles the CLI (dist/sentinel.js) and the classifier service (dist/classifier-service.js, the
// containers' entry, see classifier-service/Dockerfile) into one ESM file each, so they start fast
// and need no TypeScript at run time. Dynamic imports with a literal path (the service's
// core/llm) are bundled in too.
import { build } from "esbuild";

await build({
  entryPoints: {
    sentinel: "core/cli/main.ts",
    "classifier-service": "classifier-service/main.ts",
  },
  outdir: "dist",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  // Native bindings and their prebuilt binaries are loaded from node_modules at run time.
  external: ["node-llama-cpp"],
  // Lets bundled CommonJS dependencies call require() inside an ES module.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
