// How every Lambda handler of functions/aws/ is bundled: one source of truth for
// scripts/bundle.mjs (`npm run build`, whose bundles the tests load and run) and the CDK app's
// NodejsFunction (infra/lib/lambdas.ts), so what is deployed is the code that was tested.

/** A Lambda bundle past this fails the build: the cold start grows with the code it loads. */
export const LAMBDA_BUDGET_BYTES = 1_000_000;

/** Lets bundled CommonJS dependencies call require() inside an ES module. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * Never in a function bundle (Lambda or Azure): the LLM (node-llama-cpp) runs only in the
 * classifier service, and pino-pretty is loaded only on a terminal (core/logging).
 */
export const FUNCTION_EXTERNALS = Object.freeze(["node-llama-cpp", "pino-pretty"]);

/**
 * The esbuild options of a Lambda bundle (functions/aws/<name>.ts to one minified ES module).
 * - mainFields: the packages' ES module builds, which esbuild can tree-shake (the AWS SDK's
 *   CommonJS builds bring every command and protocol along);
 * - external: FUNCTION_EXTERNALS, and the AWS SDK v3, which the Lambda Node.js runtimes include
 *   and resolve ES module imports of (as NodejsFunction leaves it out by default); locally
 *   (`sentinel lambda-runner`, compose) it resolves from node_modules.
 */
export const lambdaBundling = Object.freeze({
  format: "esm",
  target: "node20",
  minify: true,
  sourcemap: true,
  mainFields: Object.freeze(["module", "main"]),
  external: Object.freeze(["@aws-sdk/*", ...FUNCTION_EXTERNALS]),
  banner: ESM_REQUIRE_BANNER,
});

/** The same options as esbuild's build() takes them (scripts/bundle.mjs, the infra tests). */
export const lambdaEsbuildOptions = Object.freeze({
  bundle: true,
  platform: "node",
  format: lambdaBundling.format,
  target: lambdaBundling.target,
  minify: lambdaBundling.minify,
  sourcemap: lambdaBundling.sourcemap,
  mainFields: [...lambdaBundling.mainFields],
  external: [...lambdaBundling.external],
  banner: { js: lambdaBundling.banner },
});
