#!/usr/bin/env node
import { existsSync } from "node:fs";

const bundle = new URL("../dist/sentinel.js", import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write("sentinel: not built yet; run `npm run build` in the repository first\n");
  process.exit(2);
}
await import(bundle.href);
