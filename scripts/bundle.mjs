// Bundles the CLI into one ESM file so it starts fast and needs no TypeScript at run time.
import { build } from "esbuild";

await build({
  entryPoints: { sentinel: "core/cli/main.ts" },
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
