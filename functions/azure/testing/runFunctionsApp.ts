// Runs a Functions app's entry module in this process as the Node.js worker would, with the
// worker stand-in (functionsWorker.ts), then prints one JSON line on stdout: the programming
// model, the registered functions and the result of each invocation asked for. The entry is the
// built app (dist/azure-functionapp/index.js) or its source (index.ts, through tsx).
//
//   node --import tsx functions/azure/testing/runFunctionsApp.ts <entry.ts> '[{"function":"f","trigger":{"json":"{}"}}]'
//
// A separate process because, like the worker, it loads the app once with the app settings of
// its environment (NODE_EXTRA_CA_CERTS among them, read only at a process's start).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type FunctionsAppReport,
  type InvocationResult,
  installFunctionsWorker,
  type RpcTypedData,
} from "./functionsWorker.js";

const [entry, plan = "[]"] = process.argv.slice(2);
if (!entry) {
  process.stderr.write("usage: runFunctionsApp.ts <entry module> [<invocations JSON>]\n");
  process.exit(2);
}
const worker = installFunctionsWorker();
await import(pathToFileURL(resolve(entry)).href);
const invocations: InvocationResult[] = [];
for (const { function: name, trigger } of JSON.parse(plan) as {
  function: string;
  trigger: RpcTypedData;
}[])
  invocations.push(await worker.invoke(name, trigger));
const report: FunctionsAppReport = {
  programmingModel: worker.programmingModel,
  functions: worker.functions,
  invocations,
};
// Bytes (an HTTP response's body) are printed as their UTF-8 text. The app's clients (its Kafka
// producer) would keep a worker running: this one is done.
const bytesAsText = (_key: string, value: unknown) =>
  value instanceof Uint8Array ? Buffer.from(value).toString("utf8") : value;
process.stdout.write(`${JSON.stringify(report, bytesAsText)}\n`, () => process.exit(0));
