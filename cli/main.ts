import { Command, CommanderError } from "commander";
import { ConfigError } from "../core/config/load.js";
import { ModelLoadError } from "../core/llm/errors.js";
import { ModelUnavailableError } from "../core/llm/modelSource.js";
import { forTerminal } from "../core/logging/terminalText.js";
import { SyntheticOptionsError } from "../core/synthetic/index.js";
import { UsageError } from "./io.js";
import { InputDecodingError } from "./sources/file/inputEncoding.js";

const program = new Command()
  .name("sentinel")
  .description("SentinelLLM: classify logs, detect anomalies, send deduplicated alerts")
  .version("0.1.0")
  .showHelpAfterError()
  .exitOverride();

type Register = (program: Command) => unknown;

/**
 * Each command's module, in the order `sentinel --help` lists them. Only the command asked for is
 * loaded: the others pull in the AWS and Azure SDKs, Kafka and more, which `sentinel analyze`
 * would otherwise compile and run at every start. `--version` needs none; help or an unknown word
 * load them all.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  analyze: async () => (await import("./commands/analyze.js")).registerAnalyze,
  templates: async () => (await import("./commands/templates.js")).registerTemplates,
  produce: async () => (await import("./commands/produce.js")).registerProduce,
  run: async () => (await import("./commands/run.js")).registerRun,
  worker: async () => (await import("./commands/worker.js")).registerWorker,
  "lambda-runner": async () => (await import("./commands/lambdaRunner.js")).registerLambdaRunner,
  ingest: async () => (await import("./commands/ingest.js")).registerIngest,
  kafka: async () => (await import("./commands/kafkaTopics.js")).registerKafka,
  model: async () => (await import("./commands/model.js")).registerModel,
  dataset: async () => (await import("./commands/dataset.js")).registerDataset,
  eval: async () => (await import("./commands/eval.js")).registerEval,
  config: async () => (await import("./commands/config.js")).registerConfig,
};

const asked = process.argv[2];
const load =
  asked === "--version" || asked === "-V"
    ? []
    : asked !== undefined && Object.hasOwn(COMMANDS, asked)
      ? [COMMANDS[asked] as () => Promise<Register>]
      : Object.values(COMMANDS);
for (const register of await Promise.all(load.map((loadCommand) => loadCommand())))
  register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (
    error instanceof ConfigError ||
    error instanceof UsageError ||
    error instanceof InputDecodingError ||
    error instanceof SyntheticOptionsError
  ) {
    process.stderr.write(`sentinel: ${forTerminal(error.message)}\n`);
    return 2;
  }
  if (error instanceof ModelUnavailableError || error instanceof ModelLoadError) {
    process.stderr.write(`sentinel: ${forTerminal(error.message)}\n`);
    return 1;
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") {
    process.stderr.write(`sentinel: ${forTerminal((error as Error).message)}\n`);
    return 2;
  }
  process.stderr.write(`sentinel: ${forTerminal((error as Error).stack ?? String(error))}\n`);
  return 1;
}
