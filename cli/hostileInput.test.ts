import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import type { ClassifiedEvent } from "../core/events/types.js";
import type { SummaryReport } from "./pipeline/summary.js";
import { jsonLines, quietEnv, runSentinel } from "./testing/sentinelCli.js";

// Hostile input, and what `sentinel` prints for people from it: no secret in the clear, no
// character that a terminal would obey (escape sequences, C1 controls, bidi overrides), and a
// gzip or UTF-16 file read as the text it holds.

const dir = mkdtempSync(join(tmpdir(), "sentinel-hostile-output-"));
const env = quietEnv(dir);
const sentinel = (args: string[], input?: string) =>
  runSentinel(args, { env, ...(input === undefined ? {} : { input }) });

// Obvious fakes, one per shape the issue names.
const SECRETS = {
  jwt: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlLXVzZXIifQ.ZmFrZS1zaWduYXR1cmU",
  password: "NotARealPassword1",
  urlPassword: "NotARealPassword2",
  accountKey: "ZmFrZUFjY291bnRLZXk=",
  github: "ghp_FAKE0123456789abcdefghijklmnopqrstuv",
  basic: "dXNlcjpOb3RBUmVhbA==",
  awsKeyId: "AKIAIOSFODNN7EXAMPLE",
  awsSecret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const SECRET_LINES = [
  `ERROR auth rejected Authorization: Bearer ${SECRETS.jwt}`,
  `ERROR login failed password=${SECRETS.password} user=bob`,
  `ERROR cannot connect postgres://app:${SECRETS.urlPassword}@db.internal:5432/orders`,
  `ERROR blob upload failed DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${SECRETS.accountKey};EndpointSuffix=core.windows.net`,
  `ERROR git push failed with ${SECRETS.github}`,
  `ERROR proxy sent Basic ${SECRETS.basic}`,
  `ERROR aws credentials ${SECRETS.awsKeyId} secret ${SECRETS.awsSecret} refused`,
].join("\n");

function assertNoSecret(text: string, where: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) {
    assert.ok(!text.includes(secret), `${where} shows the ${name} in the clear`);
  }
}

describe("secrets in what sentinel analyze prints", () => {
  const top = ["--top", "10", "--baseline"];

  it("masks them in the human summary's templates, examples and alerts", () => {
    const run = sentinel(["analyze", "-", ...top], `${SECRET_LINES}\n`);
    assert.equal(run.status, 0, run.stderr);
    assertNoSecret(run.stdout, "the summary");
    assert.match(run.stdout, /e\.g\. login failed password=\*\*\*\* user=bob/);
    assert.match(run.stdout, /postgres:\/\/app:\*\*\*\*@db\.internal/);
  });

  it("masks them in the JSON summary", () => {
    const run = sentinel(["analyze", "-", "-o", "json", ...top], `${SECRET_LINES}\n`);
    assert.equal(run.status, 0, run.stderr);
    assertNoSecret(run.stdout, "the JSON summary");
    const report = JSON.parse(run.stdout) as SummaryReport;
    const examples = report.templates.incident.map((t) => t.example);
    assert.ok(examples.includes("git push failed with ghp_****"), examples.join("\n"));
    assert.ok(report.alerts.items.length === 7);
  });

  it("keeps the message as read in jsonl, and masks it with --mask", () => {
    const raw = jsonLines<ClassifiedEvent>(
      sentinel(["analyze", "-", "-o", "jsonl", "--baseline"], `${SECRET_LINES}\n`).stdout,
    );
    assert.deepEqual(
      raw.map((e) => e.message),
      SECRET_LINES.split("\n").map((line) => line.replace(/^ERROR /, "")),
    );
    const masked = sentinel(
      ["analyze", "-", "-o", "jsonl", "--mask", "--baseline"],
      `${SECRET_LINES}\n{"level":"error","msg":"login","password":"${SECRETS.password}"}\n`,
    );
    assert.equal(masked.status, 0, masked.stderr);
    assertNoSecret(masked.stdout, "jsonl --mask");
    const events = jsonLines<ClassifiedEvent>(masked.stdout);
    assert.equal(events.length, 8);
    assert.equal(events[1]?.message, "login failed password=**** user=bob");
    assert.equal(events[7]?.attributes.password, "****");
  });
});

// Every C0 control but newline, DEL, C1, and the bidi formatting characters.
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const HOSTILE_STRINGS = [
  "\u001b[2J\u001b[H",
  "\u001b]0;pwned\u0007",
  "\u009b31m",
  "\u202egnp.exe",
  "\u2066isolated\u2069",
  "\u2067x\u2068y\u2069",
  "\u200emark\u200f",
  "\u061c",
  "\u0085next line",
];

/** The same hostile characters in each input format, escaped as the format escapes them. */
function hostileInput(): string {
  const lines: string[] = [];
  HOSTILE_STRINGS.forEach((text, i) => {
    lines.push(
      JSON.stringify({ level: "error", service: `svc${text}`, msg: `json ${i} ${text}` }),
      `level=error msg="logfmt ${i} ${JSON.stringify(text).slice(1, -1)}"`,
      `<11>1 2026-03-01T10:00:00Z host app 1 - - syslog ${i} ${text}`,
      `2026-03-01 10:00:00 ERROR text ${i} ${text}`,
    );
  });
  return `${lines.join("\n")}\n`;
}

describe("control and bidi characters in what sentinel prints", () => {
  it("shows them as visible escapes in the human summary, whatever the input format", () => {
    const run = sentinel(["analyze", "-", "--top", "50", "--baseline"], hostileInput());
    assert.equal(run.status, 0, run.stderr);
    assert.doesNotMatch(run.stdout, UNSAFE);
    assert.match(run.stdout, /\\x1b\[2J/);
    assert.match(run.stdout, /\\u\{202e\}gnp\.exe/);
  });

  it("escapes them in JSON output, the same data", () => {
    const input = hostileInput();
    for (const args of [
      ["analyze", "-", "-o", "json", "--baseline"],
      ["analyze", "-", "-o", "jsonl", "--baseline"],
      ["templates", "-"],
    ]) {
      const run = sentinel(args, input);
      assert.equal(run.status, 0, run.stderr);
      assert.doesNotMatch(run.stdout, UNSAFE, args.join(" "));
    }
    const events = jsonLines<ClassifiedEvent>(
      sentinel(["analyze", "-", "-o", "jsonl", "--baseline"], input).stdout,
    );
    assert.equal(events[3 * 4]?.message, `json 3 ${HOSTILE_STRINGS[3]}`, "jsonl keeps the value");
  });

  it("shows them escaped in logs rendered for a terminal", () => {
    const run = runSentinel(["templates", "-"], {
      input: "x\n",
      env: { ...env, SENTINEL_LOG_FORMAT: "pretty", "KAFKA_X\u001b]0;pwned\u0007\u202e": "1" },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /KAFKA_X\\x1b\]0;pwned\\x07\\u\{202e\}/);
    assert.ok(!run.stderr.includes("\u001b]0;") && !run.stderr.includes("\u202e"));
  });

  it("shows them escaped in an error that echoes the input", () => {
    const named = join(dir, "logs\u001b]0;pwned\u0007\u202e");
    mkdirSync(named);
    const run = sentinel(["analyze", named]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /is a directory/);
    assert.doesNotMatch(run.stderr, UNSAFE);
  });
});

describe("a gzip or UTF-16 file passed to sentinel", () => {
  const text = `${["ERROR payment declined for order 12", "INFO ok 1", "WARN disk 91% full"].join("\n")}\n`;
  const files = {
    plain: Buffer.from(text),
    gzip: gzipSync(text),
    "UTF-16 LE": Buffer.from(`\uFEFF${text}`, "utf16le"),
    "UTF-16 BE": Buffer.from(`\uFEFF${text}`, "utf16le").swap16(),
  };

  it("analyses each as the text it holds", () => {
    const expected = jsonLines<ClassifiedEvent>(
      sentinel(["analyze", "-", "-o", "jsonl", "--baseline"], text).stdout,
    ).map((e) => [e.message, e.classification.label]);
    for (const [name, bytes] of Object.entries(files)) {
      const path = join(dir, `app-${name.replace(/\W/g, "")}.log${name === "gzip" ? ".gz" : ""}`);
      writeFileSync(path, bytes);
      const run = sentinel(["analyze", path, "-o", "jsonl", "--baseline"]);
      assert.equal(run.status, 0, run.stderr);
      const got = jsonLines<ClassifiedEvent>(run.stdout).map((e) => [
        e.message,
        e.classification.label,
      ]);
      assert.deepEqual(got, expected, name);
      assert.ok(
        jsonLines<ClassifiedEvent>(run.stdout).every(
          (e) => e.service === e.service.replace(/\.log$/, ""),
        ),
        "the service is named without .log.gz",
      );
      const templates = jsonLines<{ template: string }>(sentinel(["templates", path]).stdout);
      assert.equal(templates.length, 3, name);
    }
  });

  it("refuses to follow a gzip file, and says what reads it", () => {
    const path = join(dir, "rotated.log.gz");
    writeFileSync(path, files.gzip);
    const run = sentinel(["run", "--follow", path, "--baseline"]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /is gzip-compressed: a compressed file is not followed/);
  });

  it("says so when a file starts like gzip but does not decompress", () => {
    const path = join(dir, "broken.gz");
    writeFileSync(path, Buffer.from([0x1f, 0x8b, 0x00, 0x01, 0x02, 0x0a]));
    const run = sentinel(["analyze", path, "--baseline"]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /starts like a gzip file but does not decompress/);
  });
});

describe("a model file that is not a whole GGUF", () => {
  it("stops sentinel analyze --model with exit 1 naming the file, instead of hanging", () => {
    // 12 bytes that start like a GGUF: node-llama-cpp's reader used to loop on them for good,
    // growing by 50 MB/s. runSentinel kills a run that hangs, so this fails instead.
    const garbage = join(dir, "garbage.gguf");
    writeFileSync(garbage, Buffer.from("GGUF\x03\x00\x00\x00\x01\x02\x03\x04", "latin1"));
    const run = sentinel(["analyze", "-", "--model", garbage, "--cpu"], "ERROR disk failed\n");
    assert.equal(run.status, 1, run.stderr);
    assert.equal(
      run.stderr.trim().split("\n").at(-1),
      `sentinel: ${garbage} is not a valid GGUF model file: 12 bytes, shorter than a GGUF header (24 bytes)`,
    );
    assert.equal(run.stdout, "");
  });
});
