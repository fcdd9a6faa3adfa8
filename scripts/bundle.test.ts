import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { type LocalDynamo, startDynalite } from "../core/dynamodb/testing/dynalite.js";
import { smtpEnv, startSmtp, type TestSmtp } from "../core/email/testing/smtpServer.js";
import { classifiedEvent } from "../core/events/testing/fixtures.js";
import { encodeMskEvent } from "../core/kafka/msk/index.js";
import { type MockCluster, startMockCluster } from "../core/kafka/testing/mockCluster.js";

// The function bundles as deployed: built by scripts/bundle.mjs, then loaded and run by plain
// Node in a process of their own, with nothing from the source tree. They are built inside the
// project so that `@aws-sdk/*`, which a Lambda runtime provides, resolves from node_modules.
const run = promisify(execFile);
const LAMBDAS = [
  "anomalyDetector",
  "cloudwatchForwarder",
  "cloudwatchPoller",
  "kafkaTopics",
  "notifier",
];
let out: string;
let buildOutput: string;

before(async () => {
  await mkdir("dist", { recursive: true });
  out = await mkdtemp(join("dist", "bundle-test-"));
  const { stdout } = await run(process.execPath, ["scripts/bundle.mjs", out]);
  buildOutput = stdout;
});

after(async () => {
  await rm(out, { recursive: true, force: true });
});

/** Runs `script` as an ES module in a fresh Node process; resolves with what it printed. */
async function node(script: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  return stdout.trim();
}

function bundleUrl(name: string): string {
  return pathToFileURL(join(out, "functions", "aws", `${name}.js`)).href;
}

describe("function bundles", () => {
  it("prints each bundle's size", () => {
    for (const name of [...LAMBDAS.map((l) => `functions/aws/${l}.js`), "functions/azure/index.js"])
      assert.match(buildOutput, new RegExp(`^${name} +\\d+ kB$`, "m"));
  });

  it("builds every Lambda handler, and each loads on its own and exports its handler", async () => {
    const built = (await readdir(join(out, "functions", "aws"))).filter((f) => f.endsWith(".js"));
    assert.deepEqual(built.sort(), LAMBDAS.map((l) => `${l}.js`).sort());
    for (const name of LAMBDAS)
      assert.equal(
        await node(
          `const m = await import(${JSON.stringify(bundleUrl(name))}); console.log(typeof m.handler);`,
        ),
        "function",
        name,
      );
  });

  it("holds everything but Node's own modules and the AWS SDK the Lambda runtime provides", async () => {
    for (const name of LAMBDAS) {
      const code = await readFile(join(out, "functions", "aws", `${name}.js`), "utf8");
      const imported = new Set(
        [
          ...code.matchAll(
            /\b(?:from|import\()"((?:@[\w.-]+\/)?[\w.-]+(?:\/[\w./-]+)?|node:[\w/]+)"/g,
          ),
        ].map((m) => m[1] as string),
      );
      const foreign = [...imported].filter(
        (s) => !s.startsWith("node:") && !s.startsWith("@aws-sdk/"),
      );
      assert.deepEqual(foreign, [], name);
    }
    const notifier = await readFile(join(out, "functions", "aws", "notifier.js"), "utf8");
    assert.match(notifier, /from"@aws-sdk\/client-dynamodb"/);
  });

  describe("the notifier bundle, invoked as Lambda invokes it", () => {
    let dynamo: LocalDynamo;
    let cluster: MockCluster;
    let smtp: TestSmtp;

    before(async () => {
      [dynamo, cluster, smtp] = await Promise.all([
        startDynalite(),
        startMockCluster({ brokers: 1 }),
        startSmtp(),
      ]);
      await cluster.createTopic("dead-letter", 1, 1);
    });

    after(async () => {
      await cluster?.stop();
      await Promise.all([dynamo?.stop(), smtp?.close()]);
    });

    it("sends a group notification by e-mail and keeps group state in DynamoDB, with the AWS SDK from outside the bundle", async () => {
      const table = await dynamo.createStateTable();
      const event = encodeMskEvent([
        {
          topic: "classified-logs",
          partition: 0,
          offset: "0",
          timestamp: Date.UTC(2026, 0, 1),
          timestampType: "CREATE_TIME",
          key: Buffer.from("checkout"),
          value: Buffer.from(
            JSON.stringify(
              classifiedEvent({
                service: "checkout",
                templateId: "t-pay",
                at: 0,
                message: "payment gateway timed out",
              }),
            ),
          ),
          headers: {},
        },
      ]);
      const eventFile = join(out, "event.json");
      await writeFile(eventFile, JSON.stringify(event));
      const result = await node(
        `import { readFileSync } from "node:fs";
         const { handler } = await import(${JSON.stringify(bundleUrl("notifier"))});
         const response = await handler(JSON.parse(readFileSync(${JSON.stringify(eventFile)}, "utf8")));
         console.log(JSON.stringify(response));
         process.exit(0);`,
        {
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
          AWS_SECRET_ACCESS_KEY: "test-secret-not-real",
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          SENTINEL_STATE_TABLE: table,
          ALERT_GROUP_WAIT_SECONDS: "0",
          KAFKA_BROKERS: cluster.bootstrapServers.join(","),
          KAFKA_TOPIC_DEAD_LETTER: "dead-letter",
          ...smtpEnv(smtp),
          SENTINEL_LOG_LEVEL: "silent",
          SENTINEL_ENV_FILE: "",
        },
      );
      assert.deepEqual(JSON.parse(result), { batchItemFailures: [] });
      assert.equal(smtp.messages.length, 1);
      assert.match(smtp.messages[0]?.subject ?? "", /CRITICAL · checkout · 1 template/);
      assert.match(smtp.messages[0]?.text ?? "", /payment gateway timed out/);
      const items = await dynamo.client.send(new ScanCommand({ TableName: table }));
      assert.deepEqual(
        (items.Items ?? [])
          .map((item) => `${item.pk?.S} ${item.sk?.S}`)
          .filter((k) => k.startsWith("alertgroup ")),
        ["alertgroup email|default|service=checkout"],
      );
    });
  });
});
