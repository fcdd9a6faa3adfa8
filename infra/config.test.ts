import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { InfraConfigError, infraConfigFromContext, parseInfraConfig } from "./config.js";

/** The message a rejected configuration stops synth with. */
function rejection(raw: unknown): string {
  try {
    parseInfraConfig(raw);
  } catch (error) {
    assert.ok(error instanceof InfraConfigError);
    return error.message;
  }
  assert.fail("the configuration was accepted");
}

describe("deployment settings", () => {
  it("defaults to MSK Serverless, Fargate, a new VPC with one NAT, metrics on", () => {
    const config = parseInfraConfig({});
    assert.equal(config.kafka.mode, "serverless");
    assert.equal(config.classifier.gpu, false);
    assert.equal(config.vpc.vpcId, undefined);
    assert.equal(config.vpc.natGateways, 1);
    assert.equal(config.observability.enabled, true);
    assert.deepEqual(config.kafka.topics, {
      raw: "raw-logs",
      classified: "classified-logs",
      anomalies: "anomalies",
      deadLetter: "sentinel-dead-letter",
    });
  });

  it("names the setting of a bad value, and of an unknown one", () => {
    const message = rejection({ classifier: { cpu: 3000 }, kafka: { partitionz: 4 } });
    assert.match(message, /^Invalid SentinelLLM deployment settings:/);
    assert.match(message, /^ {2}classifier\.cpu: expected 1024, 2048, 4096 or 8192/m);
    assert.match(message, /^ {2}kafka: unknown setting partitionz$/m);
  });

  it("keeps the model under models/, the only prefix the tasks may read", () => {
    assert.match(
      rejection({ classifier: { modelKey: "qwen.gguf" } }),
      /classifier\.modelKey: expected an S3 key under models\/ ending in \.gguf/,
    );
  });

  it("caps the classifier's tasks at the partition count", () => {
    assert.match(
      rejection({ kafka: { partitions: 4 }, classifier: { maxTasks: 6 } }),
      /classifier\.maxTasks: expected at most kafka\.partitions \(4\), got 6/,
    );
  });

  it("needs an existing VPC's attributes, since synth looks nothing up", () => {
    const message = rejection({ vpc: { vpcId: "vpc-0123456789abcdef0" } });
    assert.match(message, /vpc\.availabilityZones: required with vpc\.vpcId/);
    assert.match(message, /vpc\.vpcCidr: required with vpc\.vpcId/);
  });

  it("needs the cluster ARN and security group for an existing cluster", () => {
    const message = rejection({ kafka: { mode: "existing" } });
    assert.match(message, /kafka\.clusterArn: required when kafka\.mode is existing/);
    assert.match(message, /kafka\.clusterSecurityGroupId: required when kafka\.mode is existing/);
    assert.match(
      rejection({
        kafka: { mode: "existing", clusterArn: "cluster/x", clusterSecurityGroupId: "sg-1" },
      }),
      /kafka\.clusterArn: expected an ARN such as arn:aws:kafka:/,
    );
  });

  it("needs a sender and recipients once e-mail is configured", () => {
    const message = rejection({ alerting: { emailTransport: "ses" } });
    assert.match(message, /alerting\.emailFrom: required when alerting\.emailTransport is ses/);
    assert.match(
      message,
      /alerting\.emailRecipients: required when alerting\.emailTransport is ses/,
    );
  });

  it("refuses a log group both subscribed and polled", () => {
    assert.match(
      rejection({
        ingestion: { subscribedLogGroups: ["/ecs/api"], polledLogGroups: ["/ecs/api"] },
      }),
      /ingestion\.polledLogGroups: \/ecs\/api also in ingestion\.subscribedLogGroups/,
    );
  });

  it("reads a JSON file named by configFile, with the sentinel context over it", () => {
    const file = join(mkdtempSync(join(tmpdir(), "sentinel-config-")), "sentinel.json");
    writeFileSync(file, JSON.stringify({ name: "logs", kafka: { partitions: 12 } }));
    const context: Record<string, unknown> = {
      configFile: file,
      // A context value from the command line (-c sentinel=...) arrives as a string.
      sentinel: JSON.stringify({ kafka: { mode: "provisioned" } }),
    };
    const config = infraConfigFromContext((key) => context[key]);
    assert.equal(config.name, "logs");
    assert.equal(config.kafka.partitions, 12);
    assert.equal(config.kafka.mode, "provisioned");
  });

  it("says which context value is not JSON", () => {
    assert.throws(
      () => infraConfigFromContext((key) => (key === "sentinel" ? "{kafka:" : undefined)),
      /sentinel: expected JSON/,
    );
  });
});
