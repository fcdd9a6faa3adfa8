import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { ClassifiedEvent } from "../core/events/types.js";
import { tinyModelPath } from "../fine-tune/gguf/testModel.js";
import type { SummaryReport } from "./pipeline/summary.js";
import { jsonLines, quietEnv, runSentinel } from "./testing/sentinelCli.js";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "sentinel-cli-"));

function sentinel(
  args: string[],
  options: { input?: string | Buffer; env?: Record<string, string> } = {},
) {
  return runSentinel(args, {
    ...(options.input !== undefined && { input: options.input }),
    env: { ...quietEnv(dir), ...options.env },
  });
}

const hostile = Buffer.concat([
  Buffer.from(
    '{"timestamp":"2026-03-01T10:00:00Z","level":"error","service":"api","msg":"upstream timed out after 30s"}\n',
  ),
  Buffer.from("\n"),
  Buffer.from(`2026-03-01 10:00:01,000 WARN ${"x".repeat(1024 * 1024)}\n`),
  Buffer.from("disk\u0000 full on /dev/sda1\n"),
  Buffer.concat([
    Buffer.from("bad utf8 "),
    Buffer.from([0xc3, 0x28, 0xff]),
    Buffer.from(" here\r\n"),
  ]),
  Buffer.from(`${"[".repeat(500_000)}${"]".repeat(500_000)}\n`),
  Buffer.from(`{"msg":"deep","a":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}\n`),
  Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 7, 8, 10]),
  Buffer.from("   \n"),
  Buffer.from("Mar  1 10:00:05 web-1 nginx[123]: connect() failed (111: Connection refused)"),
]);
const HOSTILE_LINES = 10;

describe("sentinel analyze", () => {
  it("accounts for every line of hostile input: accepted + rejected = lines, in order", () => {
    const file = join(dir, "hostile.log");
    const rejects = join(dir, "rejects.jsonl");
    writeFileSync(file, hostile);
    const run = sentinel([
      "analyze",
      file,
      "--output",
      "jsonl",
      "--rejects",
      rejects,
      "--baseline",
    ]);
    assert.equal(run.status, 0, run.stderr);
    const events = jsonLines<ClassifiedEvent>(run.stdout);
    const rejected = jsonLines<{ line: number; reason: string }>(readFileSync(rejects, "utf8"));
    assert.equal(events.length + rejected.length, HOSTILE_LINES);
    const lineNumbers = events.map((e) => e.source.line as number);
    assert.deepEqual(
      lineNumbers,
      [...lineNumbers].sort((a, b) => a - b),
    );
    assert.deepEqual(
      rejected.map((r) => [r.line, r.reason.split(" (")[0]]),
      [
        [2, "empty line"],
        [8, "binary data"],
        [9, "empty line"],
      ],
    );
    const byLine = new Map(events.map((e) => [e.source.line, e]));
    const huge = byLine.get(3);
    assert.equal(huge?.truncated, true);
    assert.ok((huge?.originalBytes ?? 0) >= 1024 * 1024);
    assert.equal(huge?.level, "warn");
    assert.ok(Buffer.byteLength(huge?.message ?? "") <= 16_384);
    assert.equal(byLine.get(4)?.message.includes("\u0000"), false);
    assert.equal(byLine.get(5)?.attributes["sentinel.repaired"], "invalid-utf8");
    assert.equal(byLine.get(1)?.classification.label, "incident");
    assert.equal(byLine.get(1)?.service, "api");
    assert.equal(byLine.get(10)?.service, "nginx");
    for (const event of events) assert.equal(event.classification.model, "baseline");
  });

  it("rejects what is not a JSON object when JSON is forced, with the line and reason", () => {
    const input = ['{"msg":"ok"}', "[1,2]", "42", '"text"', "null", "{broken", "plain words"].join(
      "\n",
    );
    const run = sentinel(["analyze", "-", "--format", "json", "--output", "json", "--baseline"], {
      input,
    });
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as SummaryReport;
    assert.equal(report.input.lines, 7);
    assert.equal(report.input.accepted, 1);
    assert.equal(report.input.rejected, 6);
    assert.match(run.stderr, /6 lines rejected/);
  });

  it("summarises labels, services, templates and alerts from a produced stream", () => {
    const produced = sentinel([
      "produce",
      "--scenario",
      "incident-spike",
      "--count",
      "20000",
      "--seed",
      "3",
    ]);
    assert.equal(produced.status, 0, produced.stderr);
    const run = sentinel(["analyze", "-", "--output", "json"], { input: produced.stdout });
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as SummaryReport;
    const { incident, preventive_action, normal } = report.labels;
    assert.equal(report.input.lines, 20_000);
    assert.equal(incident + preventive_action + normal, report.input.accepted);
    assert.equal(
      report.services.reduce((sum, s) => sum + s.total, 0),
      report.input.accepted,
    );
    assert.ok(report.services.length >= 8);
    assert.ok(report.templates.incident.length > 0);
    assert.ok(report.alerts.sent.email > 0 && report.alerts.groups.length > 0);
    assert.ok(
      report.alerts.sent.email + report.alerts.sent.teams < report.alerts.alerts,
      "groups fold alerts into fewer notifications",
    );
    assert.ok(
      report.classifier.modelCalls < report.input.accepted / 5,
      "the cache absorbs repeats",
    );
    assert.equal(report.classifier.model, "baseline");
    assert.match(run.stderr, /baseline/);
  });

  it("gives the same ids on every run", () => {
    const file = join(dir, "ids.log");
    writeFileSync(file, "same line\nsame line\nERROR other line\n");
    const first = jsonLines<ClassifiedEvent>(
      sentinel(["analyze", file, "-o", "jsonl", "--baseline"]).stdout,
    );
    const second = jsonLines<ClassifiedEvent>(
      sentinel(["analyze", file, "-o", "jsonl", "--baseline"]).stdout,
    );
    assert.deepEqual(
      first.map((e) => e.id),
      second.map((e) => e.id),
    );
    assert.equal(new Set(first.map((e) => e.id)).size, 3, "repeated lines are distinct events");
  });

  it("prints a human summary by default", () => {
    const run = sentinel(["analyze", "-"], {
      input: "ERROR payment declined for order 12\nINFO ok 1\n",
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Labels\n {2}incident\s+1/);
    assert.match(run.stdout, /Would alert/);
  });

  it("falls back to the baseline model, loudly, when no LLM can be loaded", () => {
    const run = sentinel(["analyze", "-", "-o", "jsonl", "--model", join(dir, "missing.gguf")], {
      input: "ERROR disk failed\n",
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /NO LLM LOADED: falling back to the baseline rule model/);
    assert.match(run.stderr, /missing\.gguf does not exist/);
    assert.equal(jsonLines<ClassifiedEvent>(run.stdout)[0]?.classification.model, "baseline");
  });

  it("stops with the variable's name when configuration is bad", () => {
    const run = sentinel(["analyze", "-"], { input: "x\n", env: { DEDUP_WINDOW_MINUTES: "ten" } });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /DEDUP_WINDOW_MINUTES: expected a whole number \(got "ten"\)/);
  });

  it("says clearly when the file does not exist", () => {
    const run = sentinel(["analyze", join(dir, "missing.log")]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /ENOENT/);
  });
});

describe("the CLI with an LLM", () => {
  it("classifies with the model given by --model and says which", async () => {
    const model = await tinyModelPath("keyword");
    const input = [
      "ERROR replication FAILURE on shard 3",
      "WARN disk WARNING at 91%",
      "INFO ok 200",
    ].join("\n");
    const run = sentinel(
      ["analyze", "-", "-o", "jsonl", "--model", model, "--threads", "1", "--suggestions", "wait"],
      {
        input,
        env: { SENTINEL_LOG_LEVEL: "info" },
      },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /classifying with the LLM/);
    const events = jsonLines<ClassifiedEvent>(run.stdout);
    assert.deepEqual(
      events.map((e) => [e.classification.label, e.classification.model]),
      [
        ["incident", "tiny-keyword"],
        ["preventive_action", "tiny-keyword"],
        ["normal", "tiny-keyword"],
      ],
    );
    assert.equal(typeof events[1]?.classification.suggestion, "string");
  });

  it("evaluates a model on labelled lines", async () => {
    const model = await tinyModelPath("keyword");
    const data = [
      { message: "replication FAILURE on shard 3", label: "incident" },
      { message: "replication FAILURE on shard 4", label: "incident" },
      { message: "disk WARNING at 91%", label: "preventive_action" },
      { message: "all good", label: "normal" },
      { message: "all good again", label: "incident" },
    ]
      .map((d) => JSON.stringify(d))
      .join("\n");
    const run = sentinel(["eval", "--data", "-", "--json", "--model", model, "--threads", "1"], {
      input: data,
    });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.lines, 5);
    assert.equal(result.accuracy, 0.8);
    assert.equal(result.llmCalls, 4);
    assert.equal(result.distinctTemplates, 4);
    assert.equal(result.confusion.incident.normal, 1);
    assert.equal(result.perLabel.incident.recall, 0.6667);
    assert.ok(result.macroF1 > 0 && result.macroF1 < 1);
    assert.ok(result.meanLatencyMs > 0);
  });

  it("fails clearly when a model cannot be pulled offline", () => {
    const run = sentinel(["model", "pull", "hf:example/missing-model/model.gguf"]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /cannot be reached .*pass it as --model \/path\/to\/model\.gguf/);
  });
});

describe("sentinel templates", () => {
  it("prints one object per input line, in order, keyed as analyze keys them", () => {
    const input = [
      "connection established to 10.0.0.1:5432",
      "connection failed to 10.0.0.1:5432",
      "",
      '{"msg":"connection failed to 10.9.9.9:5432","level":"error"}',
    ].join("\n");
    const run = sentinel(["templates", "-"], { input });
    const rows = jsonLines<{ line: number; templateId: string | null; template: string | null }>(
      run.stdout,
    );
    assert.deepEqual(
      rows.map((r) => [r.line, r.template]),
      [
        [1, "connection established to <*>"],
        [2, "connection failed to <*>"],
        [3, null],
        [4, "connection failed to <*>"],
      ],
    );
    assert.notEqual(rows[0]?.templateId, rows[1]?.templateId);
    assert.equal(rows[1]?.templateId, rows[3]?.templateId);
  });
});

describe("sentinel templates, learning", () => {
  const users = ["ann", "bob", "cyd", "dan"].map((u, i) => `Invalid user ${u} from 10.0.0.${i}`);

  it("prints final keys by default and arrival keys with --streaming", () => {
    const final = jsonLines<{ template: string }>(
      sentinel(["templates", "-"], { input: users.join("\n") }).stdout,
    );
    assert.deepEqual(
      final.map((r) => r.template),
      Array(4).fill("Invalid user <*> from <*>"),
    );
    const streaming = jsonLines<{ template: string }>(
      sentinel(["templates", "--streaming", "-"], { input: users.join("\n") }).stdout,
    );
    assert.deepEqual(
      streaming.map((r) => r.template),
      [
        "Invalid user ann from <*>",
        "Invalid user bob from <*>",
        "Invalid user <*> from <*>",
        "Invalid user <*> from <*>",
      ],
    );
  });

  it("keeps what it learned across runs with --state", () => {
    const env = { SENTINEL_STATE_DIR: mkdtempSync(join(tmpdir(), "sentinel-templates-")) };
    sentinel(["templates", "--state", "-"], { input: users.join("\n"), env });
    const again = jsonLines<{ template: string }>(
      sentinel(["templates", "--state", "--streaming", "-"], {
        input: "Invalid user eve from 10.0.0.9",
        env,
      }).stdout,
    );
    assert.equal(again[0]?.template, "Invalid user <*> from <*>");
  });
});

describe("sentinel produce", () => {
  it("is reproducible from its seed and honours --count", () => {
    const a = sentinel(["produce", "--count", "500", "--seed", "11"]).stdout;
    const b = sentinel(["produce", "--count", "500", "--seed", "11"]).stdout;
    const c = sentinel(["produce", "--count", "500", "--seed", "12"]).stdout;
    assert.equal(a, b);
    assert.notEqual(a, c);
    const records = jsonLines<{ label: string; service: string; message: string }>(a);
    assert.equal(records.length, 500);
    assert.ok(records.every((r) => ["incident", "preventive_action", "normal"].includes(r.label)));
  });

  it("refuses an unknown scenario", () => {
    const run = sentinel(["produce", "--scenario", "chaos"]);
    assert.equal(run.status, 2);
    assert.match(
      run.stderr,
      /expected one of steady, incident-spike, warning-drift, new-error-burst/,
    );
  });
});

describe("sentinel run", () => {
  it("follows a file, classifies appended lines, and stops cleanly on SIGTERM", async () => {
    const file = join(dir, "follow.log");
    writeFileSync(file, "INFO existing line is skipped\n");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", MAIN, "run", "--follow", file, "--output", "jsonl", "--baseline"],
      { env: { ...quietEnv(dir), SENTINEL_LOG_LEVEL: "info" } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const waitFor = async (predicate: () => boolean) => {
      for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    await waitFor(() => stderr.includes("pipeline started"));
    appendFileSync(file, "ERROR payment declined for order 1\nWARN disk at 91%\n");
    await waitFor(() => stdout.split("\n").length > 2);
    writeFileSync(file, "INFO after truncation 1\n");
    await waitFor(() => stdout.includes("after truncation"));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
    const events = jsonLines<ClassifiedEvent>(stdout);
    assert.deepEqual(
      events.map((e) => [e.message, e.classification.label]),
      [
        ["payment declined for order 1", "incident"],
        ["disk at 91%", "preventive_action"],
        ["after truncation 1", "normal"],
      ],
    );
  });
});
