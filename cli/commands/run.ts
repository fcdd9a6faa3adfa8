import { join, resolve } from "node:path";
import type { Command } from "commander";
import { createChannels, renderOptionsFrom } from "../../core/alerting/createChannels.js";
import { createNotifier } from "../../core/alerting/createNotifier.js";
import type { NotifyTicket } from "../../core/alerting/notifier.js";
import { stateDir } from "../../core/config/stateDir.js";
import type { Label } from "../../core/events/types.js";
import type { InputFormat } from "../../core/normalize/index.js";
import { resolveSecrets } from "../../core/secrets/resolveSecrets.js";
import type { Scenario } from "../../core/synthetic/index.js";
import { addMaskOption, eventLine } from "../analysisOutput.js";
import { checkpointStore } from "../ingestTarget.js";
import { exitQuietlyOnBrokenPipe, LineWriter, UsageError } from "../io.js";
import { PersistentDetector } from "../pipeline/embeddedDetector.js";
import { Pipeline, type PipelineSinks } from "../pipeline/pipeline.js";
import { formatCount, StatusLine } from "../progress.js";
import {
  addModelOptions,
  createClassifier,
  keepTemplateKeys,
  type ModelChoice,
  startProcessMetrics,
  startRuntime,
} from "../runtime.js";
import { type FollowedBatch, followFile } from "../sources/file/fileFollower.js";
import { FollowPosition, type SavedPosition } from "../sources/file/followPosition.js";
import { fileEncoding } from "../sources/file/inputEncoding.js";
import { readLines } from "../sources/file/lineReader.js";
import { LineToEvent } from "../sources/file/lineToEvent.js";
import { pacedSyntheticLines } from "../sources/pacedSynthetic.js";
import { stopOnSignals } from "../stopSignal.js";
import { formatOption, parsePositiveInt, parsePositiveNumber } from "./options.js";
import { parseScenario } from "./produce.js";

interface RunOptions extends ModelChoice {
  follow?: string;
  fromStart: boolean;
  synthetic?: Scenario;
  rate: number;
  seed: number;
  format: InputFormat;
  output: "none" | "jsonl";
  mask: boolean;
  service?: string;
}

export function registerRun(program: Command): void {
  const command = program
    .command("run")
    .description(
      "run the embedded pipeline continuously on a followed file or synthetic traffic, until Ctrl-C",
    )
    .option("--follow <file>", "follow a log file like tail -F (rotation and truncation included)")
    .option(
      "--from-start",
      "with --follow and no saved position, read what the file already holds first",
      false,
    )
    .option(
      "--synthetic <scenario>",
      "generate live traffic: steady, incident-spike, warning-drift, new-error-burst",
      parseScenario,
    )
    .option("-r, --rate <events>", "with --synthetic, events per second", parsePositiveNumber, 20)
    .option("--seed <n>", "with --synthetic, random seed", parsePositiveInt, 1)
    .addOption(formatOption())
    .option(
      "-o, --output <output>",
      "none, or jsonl to print every classified event on stdout",
      "none",
    )
    .option("--service <name>", "service name for lines that do not carry one");
  addModelOptions(addMaskOption(command)).action(run);
}

async function run(options: RunOptions): Promise<void> {
  if ((options.follow === undefined) === (options.synthetic === undefined)) {
    throw new UsageError("give exactly one source: --follow FILE or --synthetic SCENARIO");
  }
  if (options.output !== "none" && options.output !== "jsonl")
    throw new UsageError("--output takes none or jsonl");
  if (options.follow && fileEncoding(options.follow) === "gzip")
    throw new UsageError(
      `${options.follow} is gzip-compressed: a compressed file is not followed (sentinel analyze reads it)`,
    );
  const loaded = startRuntime();
  // The alert channels' credentials may live in Secrets Manager (SMTP_CREDENTIALS_SECRET_ARN, ...).
  const runtime = { ...loaded, config: await resolveSecrets(loaded.config) };
  const { config, logger } = runtime;
  const classifier = await createClassifier(runtime, options);
  const saveTemplateKeys = await keepTemplateKeys(runtime, classifier);
  const metrics = await startProcessMetrics(runtime, "sentinel-run");
  const stop = stopOnSignals(logger);

  const maxLineBytes = config.SENTINEL_MAX_LINE_BYTES;
  // A followed file resumes where the last run stopped (see FollowPosition).
  const followed = options.follow
    ? await FollowPosition.open(
        checkpointStore<SavedPosition>(runtime, undefined),
        resolve(options.follow),
        logger,
      )
    : undefined;
  const batches: AsyncIterable<FollowedBatch> = options.follow
    ? await followFile(options.follow, {
        maxLineBytes,
        fromStart: options.fromStart,
        resume: followed?.saved,
        signal: stop.signal,
        onReopen: (why, detail) =>
          logger.info({ file: options.follow, why, ...detail }, "reopened followed file"),
        onWarning: (message, detail) => logger.warn(detail, message),
      })
    : syntheticBatches(
        pacedSyntheticLines(
          { scenario: options.synthetic as Scenario, seed: options.seed, rate: options.rate },
          stop.signal,
        ),
        maxLineBytes,
      );

  const lineToEvent = new LineToEvent({
    format: options.format,
    source: options.follow
      ? { provider: "file", path: resolve(options.follow) }
      : { provider: "synthetic", path: options.synthetic },
    defaultService: options.service ?? "unknown",
    maxMessageBytes: config.SENTINEL_MAX_MESSAGE_BYTES,
  });

  // Alerts join their groups as they come; group state and undeliverable notifications live in the state
  // directory, so a restart neither repeats nor forgets them.
  const channels = createChannels(config, logger);
  if (channels.length === 0)
    logger.warn(
      "no alert channel configured (SMTP_HOST or EMAIL_TRANSPORT=ses, TEAMS_WEBHOOK_URL or TEAMS_WEBHOOK_URL_SECRET_ARN): alerts are decided and counted, not sent",
    );
  const notifier = await createNotifier(config, { channels, logger });
  const watchDelivery = (ticket: NotifyTicket) => {
    ticket.done.catch((error: Error) =>
      logger.error(
        { error: error.message, alert: ticket.alert?.id },
        "alert state could not be saved",
      ),
    );
  };

  const labels: Record<Label, number> = { incident: 0, preventive_action: 0, normal: 0 };
  // Live detection on event time; its baseline survives restarts in the state directory.
  let anomalies = 0;
  const detector = await PersistentDetector.open(config, {
    file: join(stateDir(config), "detector-state.json"),
    logger,
    onAnomaly: (anomaly) => {
      anomalies++;
      logger.warn({ anomaly }, anomaly.explanation);
      notifier
        .notifyAnomaly(anomaly)
        .then(watchDelivery, (error: Error) =>
          logger.error({ error: error.message, anomaly: anomaly.id }, "anomaly alert failed"),
        );
    },
  });
  // The followed file the batch in process comes from: the detector counts each of its lines
  // once, by line number, so a line read again (a crash, a lost position) is not counted twice.
  let stream: string | undefined;
  const sinks: PipelineSinks[] = [
    {
      classified: async (events) => {
        for (const event of events) {
          labels[event.classification.label]++;
          watchDelivery(await notifier.notifyClassified(event));
        }
        const from = stream;
        await detector.observe(
          events,
          from === undefined
            ? undefined
            : events.map((e) => ({ stream: from, sequence: BigInt(e.source.line as number) })),
        );
      },
      rejected: (rejections) => {
        for (const rejection of rejections) logger.debug(rejection, "line rejected");
      },
    },
  ];
  const stdout = new LineWriter(process.stdout);
  if (options.output === "jsonl") {
    const mask = options.mask ? renderOptionsFrom(config).mask : undefined;
    exitQuietlyOnBrokenPipe(process.stdout);
    sinks.push({
      classified: async (events) => {
        for (const event of events) await stdout.write(eventLine(event, mask));
        await stdout.flush();
      },
    });
  }
  const pipeline = new Pipeline({ lineToEvent, classifier, sinks });

  const status = new StatusLine();
  const started = Date.now();
  const describe = () => {
    const seconds = Math.max(1, (Date.now() - started) / 1000);
    const { lines, rejected } = pipeline.counts;
    const { hits, misses } = classifier.cacheStats;
    const hitRatio = hits + misses === 0 ? 0 : (100 * hits) / (hits + misses);
    return `${formatCount(lines)} lines (${formatCount(Math.round(lines / seconds))}/s) | incident ${formatCount(labels.incident)} | preventive ${formatCount(labels.preventive_action)} | normal ${formatCount(labels.normal)} | rejected ${formatCount(rejected)} | cache ${hitRatio.toFixed(1)}% | ${classifier.modelName} | anomalies ${formatCount(anomalies)}${detector.status().status === "learning" ? " (learning)" : ""}`;
  };
  const detectorTicker = setInterval(() => {
    detector
      .tick()
      .catch((error: Error) => logger.warn({ error: error.message }, "detector tick failed"));
  }, 5_000);
  const ticker = setInterval(
    () => {
      if (status.enabled) status.update(describe(), true);
      else
        logger.info(
          { ...pipeline.counts, labels, cache: classifier.cacheStats },
          "pipeline status",
        );
    },
    status.enabled ? 1000 : 10_000,
  );

  logger.info(
    { source: options.follow ?? options.synthetic, model: classifier.modelName },
    "pipeline started",
  );
  try {
    for await (const batch of batches) {
      stream = batch.stream;
      if (batch.lines.length > 0) await pipeline.process(batch.lines);
      if (batch.position) await followed?.position.advance(batch.position);
    }
    await followed?.position.save();
  } finally {
    stop.release();
    clearInterval(ticker);
    clearInterval(detectorTicker);
    await detector.stop();
    status.clear();
    await notifier.close();
    for (const channel of channels) await channel.close?.();
    await metrics.stop();
    await stdout.end();
    await saveTemplateKeys();
    await classifier.model.dispose?.();
    logger.info(
      { ...pipeline.counts, labels, cache: classifier.cacheStats, detector: detector.status() },
      "pipeline stopped",
    );
  }
}

/** Synthetic lines as batches without a position: generated traffic is never read again. */
async function* syntheticBatches(
  chunks: AsyncIterable<string>,
  maxLineBytes: number,
): AsyncGenerator<FollowedBatch> {
  for await (const lines of readLines(chunks, { maxLineBytes }))
    yield { lines, stream: undefined, position: undefined };
}
