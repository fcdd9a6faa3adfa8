/** The types of scripts/lambdaBundling.mjs, for the CDK app (infra/lib/lambdas.ts). */
export declare const LAMBDA_BUDGET_BYTES: number;
export declare const ESM_REQUIRE_BANNER: string;
export declare const FUNCTION_EXTERNALS: readonly string[];
export declare const lambdaEsbuildOptions: Readonly<{
  bundle: true;
  platform: "node";
  format: "esm";
  target: string;
  minify: boolean;
  sourcemap: boolean;
  mainFields: string[];
  external: string[];
  banner: { js: string };
}>;
export declare const lambdaBundling: Readonly<{
  format: "esm";
  target: string;
  minify: boolean;
  sourcemap: boolean;
  mainFields: readonly string[];
  external: readonly string[];
  banner: string;
}>;
