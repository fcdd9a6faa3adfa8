import assert from "node:assert/strict";
import { type ChildProcess, fork, spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { MemoryStateSnapshot } from "../../core/detection/memoryDetectorState.js";
import { smtpEnv, startSmtp } from "../../core/email/testing/smtpServer.js";
import type { ClassifiedEvent } from "../../core/events/types.js";
import { startWebhook } from "../../core/teams/testing/webhook.js";
import type { SummaryReport } from "../pipeline/summary.js";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const WRITER = new URL("../sources/file/testing/sequenceWriter.ts", import.meta.url).pathname;

/** Generous: a loaded two-core machine starts tsx slowly. */
const STARTUP_MS = 60_000;

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves once `predicate` holds (checked on every output chunk), rejects after `ms`. */
  until(predicate: () => boolean, what: string, ms?: number): Promise<void>;
  stop(): Promise<number | null>;
}

function sentinelRun(args: string[], stateDir: string, env: Record<string, string> = {}): Run {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "run", "--baseline", "--output", "jsonl", ...args],
    {
      env: {
        ...process.env,
        SENTINEL_LOG_LEVEL: "info",
        SENTINEL_ENV_FILE: "",
        SENTINEL_STATE_DIR: stateDir,
        ...env,
      },
    },
  );
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    changed();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    changed();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  exited.then(changed);
  const until = (predicate: () => boolean, what: string, ms = STARTUP_MS) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}; stderr:\n${stderr.slice(-3000)}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    until,
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

/** The complete lines of --output jsonl (a chunk may end inside one). */
function events(stdout: string): ClassifiedEvent[] {
  return stdout
    .slice(0, stdout.lastIndexOf("\n") + 1)
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ClassifiedEvent);
}

const started = (run: Run) => () => run.stderr().includes("pipeline started");

describe("sentinel run --follow", () => {
  it("stops on SIGTERM while following a FIFO no writer has opened", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentinel-run-"));
    const fifo = join(dir, "pipe");
    assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
    const run = sentinelRun(["--follow", fifo], dir);
    await run.until(started(run), "the pipeline to start");
    const deadline = setTimeout(() => run.child.kill("SIGKILL"), 20_000);
    assert.equal(await run.stop(), 0, run.stderr());
    clearTimeout(deadline);
  });

  it("reads on restart what was appended while stopped, and never hands on an unfinished line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentinel-run-"));
    const file = join(dir, "app.log");
    writeFileSync(file, "INFO before the first run is skipped\n");
    // A run that sees no line still leaves where it started.
    const idle = sentinelRun(["--follow", file], dir);
    await idle.until(started(idle), "the pipeline to start");
    assert.equal(await idle.stop(), 0, idle.stderr());
    appendFileSync(file, "ERROR payment declined for order 1\nWARN disk at 9");
    const first = sentinelRun(["--follow", file], dir);
    await first.until(() => first.stdout().includes("order 1"), "the first line");
    assert.equal(await first.stop(), 0, first.stderr());
    appendFileSync(file, "1%\nINFO appended while stopped\n");
    const second = sentinelRun(["--follow", file], dir);
    await second.until(() => second.stdout().includes("while stopped"), "the appended lines");
    assert.equal(await second.stop(), 0, second.stderr());
    assert.deepEqual(
      events(first.stdout() + second.stdout()).map((e) => e.message),
      ["payment declined for order 1", "disk at 91%", "appended while stopped"],
    );
  });

  it("does not count a line read again twice in the detector", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentinel-run-"));
    const file = join(dir, "app.log");
    const lines = Array.from(
      { length: 50 },
      (_, i) => `2026-03-01T10:00:${String(i).padStart(2, "0")}Z ERROR upstream timed out ${i}`,
    );
    writeFileSync(file, `${lines.join("\n")}\n`);
    const countedEvents = () => {
      const state = JSON.parse(
        readFileSync(join(dir, "detector-state.json"), "utf8"),
      ) as MemoryStateSnapshot;
      let total = 0;
      for (const service of state.services)
        for (const bucket of service.buckets)
          total += bucket.counts.incident + bucket.counts.preventive_action + bucket.counts.normal;
      return total;
    };
    for (let round = 0; round < 2; round++) {
      // The position is lost (deleted): --from-start reads the whole file again.
      rmSync(join(dir, "checkpoints"), { recursive: true, force: true });
      const run = sentinelRun(["--follow", file, "--from-start"], dir);
      await run.until(() => events(run.stdout()).length === 50, "the file's lines");
      assert.equal(await run.stop(), 0, run.stderr());
      assert.equal(countedEvents(), 50, `round ${round + 1}`);
    }
  });

  it("processes every line exactly once under a fast writer, 20 rotations and truncations, and a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentinel-run-"));
    const file = join(dir, "app.log");
    writeFileSync(file, "");
    const writer = fork(WRITER, [file, "2500"], { execArgv: ["--import", "tsx"] });
    const answers: { done: string; last: number }[] = [];
    const answered = new Set<(answer: { done: string; last: number }) => void>();
    writer.on("message", (answer: { done: string; last: number }) => {
      answers.push(answer);
      for (const waiter of answered) waiter(answer);
    });
    const tell = (command: { op: string; to?: string }) =>
      new Promise<{ done: string; last: number }>((resolve) => {
        const waiter = (answer: { done: string; last: number }) => {
          answered.delete(waiter);
          resolve(answer);
        };
        answered.add(waiter);
        writer.send(command);
      });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let rotations = 0;
    const rotate = () => {
      rotations++;
      const op = rotations % 2 === 1 ? "rotate" : "copytruncate";
      return tell({ op, to: `${file}.${op}-${rotations}` });
    };
    const rotateEvery700ms = async (times: number) => {
      for (let i = 0; i < times; i++) {
        await sleep(700);
        await rotate();
      }
    };

    try {
      const first = sentinelRun(["--follow", file, "--from-start"], dir);
      await first.until(started(first), "the first run to start");
      await rotateEvery700ms(10);
      // A stop while the last mv-rotated file may still be drained (its grace is a second), a
      // rotation while stopped, and lines appended meanwhile.
      await sleep(500);
      assert.equal(await first.stop(), 0, first.stderr());
      await sleep(300);
      await rotate();
      await sleep(300);
      const second = sentinelRun(["--follow", file, "--from-start"], dir);
      await second.until(started(second), "the second run to start");
      await rotateEvery700ms(9);
      await sleep(500);
      const { last } = await tell({ op: "stop" });
      assert.ok(last > 20_000, `the writer wrote ${last + 1} lines`);
      const seen = () => second.stdout().includes(seqText(last));
      await second.until(seen, "the last line", 30_000);
      assert.equal(await second.stop(), 0, second.stderr());

      const counts = new Map<number, number>();
      for (const event of events(first.stdout() + second.stdout())) {
        const sequence = Number(/seq=(\d+)/.exec(event.message)?.[1]);
        counts.set(sequence, (counts.get(sequence) ?? 0) + 1);
      }
      const lost = [];
      const twice = [];
      for (let sequence = 0; sequence <= last; sequence++) {
        const count = counts.get(sequence) ?? 0;
        if (count === 0) lost.push(sequence);
        if (count > 1) twice.push(sequence);
      }
      assert.equal(rotations, 20);
      assert.doesNotMatch(first.stderr() + second.stderr(), /are lost|was dropped/);
      const log = (first.stderr() + second.stderr())
        .split("\n")
        .filter((line) => /reopened|lost|dropped|stopping|started|stopped/.test(line))
        .join("\n");
      assert.deepEqual(
        { lost: lost.length, twice: twice.length },
        { lost: 0, twice: 0 },
        `lost ${lost.slice(0, 3)}…${lost.slice(-3)}, twice ${twice.slice(0, 3)}…${twice.slice(-3)}\n${log}`,
      );
      assert.equal(counts.size, last + 1, "no line that the writer did not write");
      assert.ok(readdirSync(dir).filter((name) => name.startsWith("app.log.")).length === 20);
    } finally {
      writer.kill();
    }
  });
});

function seqText(sequence: number): string {
  return `seq=${String(sequence).padStart(7, "0")}`;
}

describe("sentinel run and the learned template keys", () => {
  it("keeps a generalised key across a restart instead of relearning it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sentinel-run-"));
    const file = join(dir, "app.log");
    const users = ["alice", "bob", "carol", "dave"];
    writeFileSync(file, users.map((user) => `INFO session closed for user ${user}\n`).join(""));
    const templates = (run: Run) => events(run.stdout()).map((e) => e.classification.template);

    const first = sentinelRun(["--follow", file, "--from-start"], dir);
    await first.until(() => events(first.stdout()).length === users.length, "the first lines");
    assert.equal(await first.stop(), 0, first.stderr());
    const general = "session closed for user <*>";
    assert.equal(templates(first).at(-1), general);
    const generalId = events(first.stdout()).at(-1)?.classification.templateId;

    // A user name never seen: a keyer learning from scratch would give it a literal key.
    appendFileSync(file, "INFO session closed for user zed\n");
    const second = sentinelRun(["--follow", file], dir);
    await second.until(() => events(second.stdout()).length === 1, "the appended line");
    assert.equal(await second.stop(), 0, second.stderr());
    assert.match(second.stderr(), /template keys restored/);
    assert.deepEqual(templates(second), [general]);
    assert.equal(events(second.stdout())[0]?.classification.templateId, generalId);
  });
});

describe("sentinel run and sentinel analyze", () => {
  it("send the same notifications for a backlog read in one go (the first send still in flight)", async () => {
    // One incident template three times, 30 minutes apart in event time, in one file.
    const dir = mkdtempSync(join(tmpdir(), "sentinel-run-alerts-"));
    const file = join(dir, "app.log");
    writeFileSync(
      file,
      [0, 30, 60]
        .map(
          (minute) =>
            `2026-01-01T${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}:00Z ERROR payments: database connection refused to db-${minute}\n`,
        )
        .join(""),
    );
    const smtp = await startSmtp();
    const webhook = await startWebhook();
    const env = {
      ...smtpEnv(smtp),
      TEAMS_WEBHOOK_URL: webhook.url,
      ALERT_GROUP_WAIT_SECONDS: "0",
    };
    try {
      const analyzed = spawnSync(
        process.execPath,
        ["--import", "tsx", MAIN, "analyze", file, "--output", "json"],
        { env: { ...process.env, ...env, SENTINEL_ENV_FILE: "", SENTINEL_STATE_DIR: dir } },
      );
      assert.equal(analyzed.status, 0, analyzed.stderr.toString());
      const report = JSON.parse(analyzed.stdout.toString()) as SummaryReport;
      const would = (channel: string) =>
        report.alerts.notifications
          .filter((n) => n.channel === channel && !n.afterInput)
          .map((n) => n.reason);
      assert.deepEqual(would("email"), ["firing", "resolved", "firing", "resolved", "firing"]);

      const run = sentinelRun(["--follow", file, "--from-start"], join(dir, "state"), env);
      await run.until(
        () => smtp.messages.length >= 5 && webhook.received.length >= 5,
        "the notifications",
      );
      await run.stop();
      const sent = (subjects: string[]) =>
        subjects.map((subject) => (/RESOLVED/.test(subject) ? "resolved" : "firing"));
      assert.deepEqual(sent(smtp.messages.map((m) => m.subject ?? "")), would("email"));
      const cards = webhook.received.map((r) => r.body);
      assert.deepEqual(
        sent(cards.map((body) => (/RESOLVED/.test(body) ? "RESOLVED" : ""))),
        would("teams"),
      );
    } finally {
      await smtp.close();
      await webhook.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
