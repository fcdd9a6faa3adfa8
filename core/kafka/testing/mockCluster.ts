/**
 * A real Kafka wire-protocol endpoint on loopback for tests, without Docker: librdkafka's mock
 * cluster, run by a tiny C launcher (mockCluster.c) that is compiled once per machine and driven
 * over its stdin.
 *
 * ```ts
 * const cluster = await startMockCluster({ brokers: 3, topics: [{ name: "logs", partitions: 3 }] });
 * const kafka = new Kafka({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
 * await cluster.setBrokerDown(2);
 * await cluster.stop();
 * ```
 *
 * Needs librdkafka's headers and a C compiler (Debian: `apt-get install librdkafka-dev gcc
 * libc6-dev`); `.ci/run` installs them.
 *
 * What the mock (librdkafka 2.0.2) does and does not do, as seen from KafkaJS 2.2.4:
 * - Broker ids run from 1 to `brokers`, and the mock has no API to name a controller: its
 *   Metadata responses report broker 0, which does not exist. Every KafkaJS idempotent producer
 *   (transactional ones included) sends a non-transactional InitProducerId to the controller in
 *   connect() and fails with "Broker 0 not found in the cached metadata"; so does every admin call
 *   that goes to the controller. Creating more brokers does not help (ids still start at 1). The
 *   launcher works around it by writing the controller field of the mock's private cluster struct
 *   after checking its layout (`set_controller` in mockCluster.c); `startMockCluster` makes broker
 *   1 the controller unless `controller: null` is given, and `controllerId` says what the cluster
 *   reports. On a librdkafka whose layout differs, starting fails with a clear error.
 * - It answers only Produce, Fetch, ListOffsets, Metadata (up to v2), OffsetCommit, OffsetFetch,
 *   FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, ApiVersions, InitProducerId and
 *   the transaction requests. Unsupported, among others: CreateTopics, DeleteTopics,
 *   DeleteRecords, DescribeConfigs, ListGroups, DescribeGroups, DeleteGroups, SASL (and TLS).
 *   Create topics with `createTopic`, or let a producer's Metadata request auto-create them.
 * - A partition keeps at most about 5 MiB of record batches; older batches are dropped.
 * - Transactions have no isolation: a read_committed consumer also sees aborted records.
 * - Consumer groups: the first join waits 3 s (Kafka's initial rebalance delay), as does the
 *   join of a group that has become empty. Once a member has left or died, the next rebalance
 *   completes only after the session timeout less 1 s, 29 s with KafkaJS's default 30 s: give
 *   test consumers `sessionTimeout: 4000, heartbeatInterval: 1000`. With `sessionTimeout: 1500`
 *   a join never completed (2500 did).
 * - A KafkaJS consumer's disconnect() waits out the running fetch, up to `maxWaitTimeInMs`
 *   (5 s by default) on an idle partition.
 * - Disconnect KafkaJS clients before `stop()`, and not while every broker is down: a KafkaJS
 *   2.2.4 consumer disconnected after its brokers went away often never finishes disconnect()
 *   and spins at 100% CPU (its fetch manager starts new fetchers after being stopped), which
 *   also starves node:test's timeouts. node:test runs `t.after` hooks in registration order, so
 *   register the cluster's stop() last or keep a LIFO list (see mockCluster.test.ts).
 * - `setBrokerDown` closes the broker's connections and refuses new ones but moves no partition
 *   leaders; use `setLeader` for that.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface MockClusterOptions {
  /** Number of brokers, ids 1..brokers (default 3). */
  brokers?: number;
  /** Topics to create before the cluster is returned (replication: min(3, brokers)). */
  topics?: { name: string; partitions: number }[];
  /**
   * Broker the cluster reports as its controller (default 1). `null` keeps the mock's own
   * answer, broker 0, which does not exist.
   */
  controller?: number | null;
}

export interface MockCluster {
  /** `host:port` of every broker, in broker id order. */
  readonly bootstrapServers: string[];
  /** Broker ids, 1..brokers. */
  readonly brokerIds: number[];
  /** The controller id the cluster reports in Metadata (0: none that exists). */
  readonly controllerId: number;
  /** Process id of the launcher, for diagnostics. */
  readonly pid: number;
  /** Creates a topic; replication defaults to min(3, brokers). */
  createTopic(name: string, partitions: number, replication?: number): Promise<void>;
  /** Closes the broker's connections and refuses new ones (-1: every broker). */
  setBrokerDown(id: number): Promise<void>;
  /** Makes the broker accept connections again (-1: every broker). */
  setBrokerUp(id: number): Promise<void>;
  /** Delays the broker's responses by `ms` (-1: every broker). */
  setRtt(id: number, ms: number): Promise<void>;
  /** The next `errorCodes.length` requests of `apiKey`, on any broker, fail with these codes. */
  pushRequestErrors(apiKey: number, errorCodes: number[]): Promise<void>;
  /** The next requests of `apiKey` on `broker` answer these codes (0: success) after `rttMs`. */
  pushBrokerRequestErrors(
    broker: number,
    apiKey: number,
    errors: { code: number; rttMs: number }[],
  ): Promise<void>;
  /** Moves a partition's leadership (-1: leaderless); creates the topic if it is missing. */
  setLeader(topic: string, partition: number, broker: number): Promise<void>;
  /** Makes the cluster report `broker` as its controller. */
  setController(broker: number): Promise<void>;
  /** Destroys the cluster and waits for the launcher to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** Kafka protocol request types, for error injection. */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  ApiVersions: 18,
  InitProducerId: 22,
} as const;

/** Kafka error codes, for error injection. */
export const ErrorCode = {
  None: 0,
  NotLeaderForPartition: 6,
  RequestTimedOut: 7,
  NetworkException: 13,
  CoordinatorNotAvailable: 15,
  NotCoordinator: 16,
  NotEnoughReplicas: 19,
  /** librdkafka's local transport error: the mock broker drops the client's connection. */
  Disconnect: -195,
} as const;

/** The compiler or librdkafka is missing, or the launcher would not start. */
export class MockClusterUnavailableError extends Error {
  override name = "MockClusterUnavailableError";
}

/** The launcher refused a command. */
export class MockClusterCommandError extends Error {
  override name = "MockClusterCommandError";
}

const INSTALL_HINT =
  "install librdkafka-dev and a C compiler (Debian: apt-get install librdkafka-dev gcc libc6-dev)";
const SOURCE = fileURLToPath(new URL("./mockCluster.c", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

let launcher: Promise<string> | undefined;

/**
 * Starts a mock cluster. The launcher is compiled on first use into
 * `node_modules/.cache/sentinel-mock-kafka/` (recompiled when mockCluster.c changes).
 */
export async function startMockCluster(options: MockClusterOptions = {}): Promise<MockCluster> {
  const brokers = options.brokers ?? 3;
  checkInt("brokers", brokers, 1, 64);
  launcher ??= compileLauncher();
  launcher.catch(() => {
    launcher = undefined;
  });
  const cluster = await LauncherProcess.start(await launcher, brokers);
  try {
    const controller = options.controller === undefined ? 1 : options.controller;
    if (controller !== null) {
      await cluster.setController(controller).catch((error: Error) => {
        throw new MockClusterUnavailableError(
          `${error.message} (start with controller: null to run without a controller)`,
        );
      });
    }
    for (const topic of options.topics ?? []) {
      await cluster.createTopic(topic.name, topic.partitions);
    }
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

function cacheDir(): string {
  const candidates = [
    join(REPO_ROOT, "node_modules", ".cache", "sentinel-mock-kafka"),
    join(tmpdir(), `sentinel-mock-kafka-${userInfo().uid}`),
  ];
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true });
      return dir;
    } catch {
      // not writable: try the next one
    }
  }
  throw new MockClusterUnavailableError(
    `no writable cache directory among ${candidates.join(", ")}`,
  );
}

async function compileLauncher(): Promise<string> {
  const compiler = process.env.CC || "cc";
  const flags = ["-std=gnu11", "-O2", "-Wall", "-Wextra"];
  const source = readFileSync(SOURCE);
  const hash = createHash("sha256")
    .update(source)
    .update(`\0${compiler}\0${flags.join(" ")}`)
    .digest("hex")
    .slice(0, 16);
  const binary = join(cacheDir(), `mockCluster-${hash}`);
  if (existsSync(binary)) return binary;

  // Test files run in parallel processes: each compiles to its own file, the rename is atomic.
  const partial = `${binary}.${process.pid}.tmp`;
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        compiler,
        [...flags, "-o", partial, SOURCE, "-lrdkafka"],
        { timeout: 60_000 },
        (error, _stdout, stderr) => {
          if (!error) return resolve();
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ENOENT") {
            return reject(
              new MockClusterUnavailableError(
                `no C compiler: '${compiler}' not found; ${INSTALL_HINT}`,
              ),
            );
          }
          const missing = /rdkafka(_mock)?\.h|-lrdkafka/.test(stderr)
            ? "librdkafka not found; "
            : "";
          reject(
            new MockClusterUnavailableError(
              `compiling ${SOURCE} failed: ${missing}${INSTALL_HINT}\n${tail(stderr)}`,
            ),
          );
        },
      );
    });
    renameSync(partial, binary);
  } finally {
    rmSync(partial, { force: true });
  }
  return binary;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };
type Waiter = { command: string; resolve: () => void; reject: (error: Error) => void };

class LauncherProcess implements MockCluster {
  readonly bootstrapServers: string[];
  readonly brokerIds: number[];
  readonly pid: number;
  controllerId = 0;

  private readonly child: ChildProcess;
  private readonly waiters: Waiter[] = [];
  private readonly exited: Promise<void>;
  private exitError: Error | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    child: ChildProcess,
    closed: Promise<Exit>,
    lines: AsyncIterator<string>,
    bootstrap: string,
    stderr: { text: string },
  ) {
    this.child = child;
    this.pid = child.pid ?? -1;
    this.bootstrapServers = bootstrap.split(",");
    this.brokerIds = this.bootstrapServers.map((_, i) => i + 1);
    this.exited = closed.then(({ code, signal }) => {
      this.exitError = new MockClusterCommandError(
        this.stopping
          ? "mock cluster stopped"
          : `mock cluster launcher exited (code ${code}, signal ${signal})${stderrNote(stderr)}`,
      );
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.exitError);
    });
    void this.readAnswers(lines);
    this.updateRef();
  }

  static async start(binary: string, brokers: number): Promise<LauncherProcess> {
    const child = spawn(binary, [String(brokers)], { stdio: ["pipe", "pipe", "pipe"] });
    const closed = new Promise<Exit>((resolve) => {
      child.once("close", (code, signal) => resolve({ code, signal }));
    });
    const spawnFailed = new Promise<Error>((resolve) => child.once("error", resolve));
    const stderr = { text: "" };
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      stderr.text = (stderr.text + chunk).slice(-4000);
    });
    // A command written as the launcher exits must not crash the test run (EPIPE).
    child.stdin?.on("error", () => {});
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[
      Symbol.asyncIterator
    ]();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new MockClusterUnavailableError("mock cluster did not start in time")),
        START_TIMEOUT_MS,
      );
    });
    try {
      const first = await Promise.race([lines.next(), timeout]);
      if (first.done || !/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/.test(first.value)) {
        const outcome = await Promise.race([closed, spawnFailed, timeout]);
        if (outcome instanceof Error) {
          throw new MockClusterUnavailableError(`cannot run ${binary}: ${outcome.message}`);
        }
        throw new MockClusterUnavailableError(
          `mock cluster launcher failed to start (code ${outcome.code}); ${INSTALL_HINT}${stderrNote(stderr)}`,
        );
      }
      return new LauncherProcess(child, closed, lines, first.value, stderr);
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async createTopic(name: string, partitions: number, replication?: number): Promise<void> {
    checkTopic(name);
    checkInt("partitions", partitions, 1, 100_000);
    const factor = replication ?? Math.min(3, this.brokerIds.length);
    checkInt("replication", factor, 1, this.brokerIds.length);
    return this.send(`topic ${name} ${partitions} ${factor}`);
  }

  async setBrokerDown(id: number): Promise<void> {
    checkInt("broker", id, -1, 2 ** 31 - 1);
    return this.send(`down ${id}`);
  }

  async setBrokerUp(id: number): Promise<void> {
    checkInt("broker", id, -1, 2 ** 31 - 1);
    return this.send(`up ${id}`);
  }

  async setRtt(id: number, ms: number): Promise<void> {
    checkInt("broker", id, -1, 2 ** 31 - 1);
    checkInt("rtt ms", ms, 0, 2 ** 31 - 1);
    return this.send(`rtt ${id} ${ms}`);
  }

  async pushRequestErrors(apiKey: number, errorCodes: number[]): Promise<void> {
    checkInt("apiKey", apiKey, 0, 2 ** 15 - 1);
    if (errorCodes.length < 1 || errorCodes.length > 500) {
      throw new RangeError("errorCodes: give 1 to 500 codes");
    }
    for (const code of errorCodes) checkInt("error code", code, -(2 ** 31), 2 ** 31 - 1);
    return this.send(`errors ${apiKey} ${errorCodes.length} ${errorCodes.join(" ")}`);
  }

  async pushBrokerRequestErrors(
    broker: number,
    apiKey: number,
    errors: { code: number; rttMs: number }[],
  ): Promise<void> {
    checkInt("broker", broker, 0, 2 ** 31 - 1);
    checkInt("apiKey", apiKey, 0, 2 ** 15 - 1);
    if (errors.length < 1 || errors.length > 250) throw new RangeError("errors: give 1 to 250");
    for (const { code, rttMs } of errors) {
      checkInt("error code", code, -(2 ** 31), 2 ** 31 - 1);
      checkInt("rttMs", rttMs, 0, 2 ** 31 - 1);
    }
    const pairs = errors.map(({ code, rttMs }) => `${code} ${rttMs}`).join(" ");
    return this.send(`broker_errors ${broker} ${apiKey} ${errors.length} ${pairs}`);
  }

  async setLeader(topic: string, partition: number, broker: number): Promise<void> {
    checkTopic(topic);
    checkInt("partition", partition, 0, 2 ** 31 - 1);
    checkInt("broker", broker, -1, 2 ** 31 - 1);
    return this.send(`leader ${topic} ${partition} ${broker}`);
  }

  async setController(broker: number): Promise<void> {
    checkInt("broker", broker, 1, this.brokerIds.length);
    await this.send(`controller ${broker}`);
    this.controllerId = broker;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.updateRef();
      this.child.stdin?.end();
      const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await this.exited;
      clearTimeout(timer);
    })();
    return this.stopping;
  }

  private send(command: string): Promise<void> {
    if (this.exitError || this.stopping) {
      return Promise.reject(this.exitError ?? new MockClusterCommandError("mock cluster stopped"));
    }
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ command, resolve, reject });
      this.updateRef();
      this.child.stdin?.write(`${command}\n`);
    });
  }

  private async readAnswers(lines: AsyncIterator<string>): Promise<void> {
    for (let line = await lines.next(); !line.done; line = await lines.next()) {
      const waiter = this.waiters.shift();
      if (!waiter) continue;
      if (line.value === "ok") waiter.resolve();
      else {
        const message = line.value.replace(/^error /, "");
        waiter.reject(new MockClusterCommandError(`${waiter.command.split(" ")[0]}: ${message}`));
      }
      this.updateRef();
    }
  }

  /**
   * The launcher keeps the test process alive only while a command or stop() awaits it, so a
   * test that forgets stop() does not hang the run; the launcher then exits when our end of its
   * stdin closes with the process.
   */
  private updateRef(): void {
    const busy = this.waiters.length > 0 || this.stopping !== undefined;
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr]) {
      const refable = handle as { ref?: () => void; unref?: () => void } | null;
      if (busy) refable?.ref?.();
      else refable?.unref?.();
    }
  }
}

function checkInt(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function checkTopic(name: string): void {
  if (!TOPIC_NAME.test(name)) throw new RangeError(`invalid topic name '${name}'`);
}

function tail(text: string): string {
  return text.trim().split("\n").slice(-20).join("\n");
}

function stderrNote(stderr: { text: string }): string {
  const text = tail(stderr.text);
  return text ? `\n${text}` : "";
}
