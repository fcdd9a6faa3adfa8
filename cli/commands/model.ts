import type { Command } from "commander";
import {
  DEFAULT_MODEL,
  findLocalModel,
  modelCacheDir,
  pullModel,
} from "../../core/llm/modelSource.js";
import { UsageError } from "../io.js";
import { formatCount, progressBar, StatusLine } from "../progress.js";
import { startRuntime } from "../runtime.js";

export function registerModel(program: Command): void {
  const model = program.command("model").description("manage the classifier's GGUF models");
  model
    .command("pull")
    .description("download a model into the model cache, resuming a partial download")
    .argument("[model]", "Hugging Face reference (hf:owner/repo/file.gguf) or URL", DEFAULT_MODEL)
    .action(pull);
  model
    .command("path")
    .description("print the local file of a model, if it is available; exit status 1 if not")
    .argument("[model]", "a reference or path", DEFAULT_MODEL)
    .action(path);
}

async function pull(reference: string): Promise<void> {
  const { config, logger } = startRuntime();
  const directory = config.SENTINEL_MODEL_DIR ?? modelCacheDir();
  const status = new StatusLine();
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  let lastLogged = 0;
  const file = await pullModel(reference, directory, {
    signal: stop.signal,
    onProgress: ({ downloadedBytes, totalBytes }) => {
      const mb = (n: number) => formatCount(Math.round(n / 1_048_576));
      status.update(
        `${progressBar(downloadedBytes, totalBytes)} ${mb(downloadedBytes)} of ${mb(totalBytes)} MB`,
      );
      if (!status.enabled && Date.now() - lastLogged > 10_000) {
        lastLogged = Date.now();
        // Without a terminal (a container's log): a line every 10 s, readable as it stands.
        const percent = totalBytes > 0 ? Math.floor((downloadedBytes / totalBytes) * 100) : 0;
        logger.info(
          { downloadedBytes, totalBytes },
          `downloading ${reference}: ${mb(downloadedBytes)} of ${mb(totalBytes)} MB (${percent}%)`,
        );
      }
    },
  });
  status.clear();
  process.stdout.write(`${file}\n`);
}

async function path(reference: string): Promise<void> {
  const { config } = startRuntime();
  const file = await findLocalModel(reference, config.SENTINEL_MODEL_DIR ?? modelCacheDir());
  if (!file)
    throw new UsageError(
      `${reference} is not available locally; run \`sentinel model pull ${reference}\``,
    );
  process.stdout.write(`${file}\n`);
}
