import { Command, CommanderError } from "commander";
import { ConfigError } from "../core/config/load.js";
import { ModelLoadError } from "../core/llm/errors.js";
import { ModelUnavailableError } from "../core/llm/modelSource.js";
import { forTerminal } from "../core/logging/terminalText.js";
import { SyntheticOptionsError } from "../core/synthetic/index.js";
import { registerAnalyze } from "./commands/analyze.js";
import { registerConfig } from "./commands/config.js";
import { registerDataset } from "./commands/dataset.js";
import { registerEval } from "./commands/eval.js";
import { registerIngest } from "./commands/ingest.js";
import { registerKafka } from "./commands/kafkaTopics.js";
import { registerLambdaRunner } from "./commands/lambdaRunner.js";
import { registerModel } from "./commands/model.js";
import { registerProduce } from "./commands/produce.js";
import { registerRun } from "./commands/run.js";
import { registerTemplates } from "./commands/templates.js";
import { registerWorker } from "./commands/worker.js";
import { UsageError } from "./io.js";
import { InputDecodingError } from "./sources/file/inputEncoding.js";

const program = new Command()
  .name("sentinel")
  .description("SentinelLLM: classify logs, detect anomalies, send deduplicated alerts")
  .version("0.1.0")
  .showHelpAfterError()
  .exitOverride();

registerAnalyze(program);
registerTemplates(program);
registerProduce(program);
registerRun(program);
registerWorker(program);
registerLambdaRunner(program);
registerIngest(program);
registerKafka(program);
registerModel(program);
registerDataset(program);
registerEval(program);
registerConfig(program);

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
