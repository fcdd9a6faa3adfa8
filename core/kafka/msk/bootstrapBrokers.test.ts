import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { loadConfig } from "../../config/load.js";
import { createKafka, kafkaConfig } from "../client.js";
import { type MockCluster, startMockCluster } from "../testing/mockCluster.js";
import { jsonValues, readTopic } from "../testing/readTopic.js";
import {
  bootstrapBrokerString,
  forgetBootstrapBrokers,
  mskBootstrapBrokers,
} from "./bootstrapBrokers.js";
import { MskBootstrapBrokersError } from "./errors.js";
import {
  type FakeMskControlPlane,
  startFakeMskControlPlane,
} from "./testing/fakeMskControlPlane.js";

// The real MSK client (kafka:GetBootstrapBrokers over restJson1) against a control-plane stand-in
// on loopback (AWS_ENDPOINT_URL_KAFKA), and the brokers it names: librdkafka's mock cluster.
let msk: FakeMskControlPlane;
let cluster: MockCluster;

before(async () => {
  [msk, cluster] = await Promise.all([
    startFakeMskControlPlane(),
    startMockCluster({ brokers: 1 }),
  ]);
  process.env.AWS_ENDPOINT_URL_KAFKA = msk.endpoint;
  process.env.AWS_ACCESS_KEY_ID ??= "AKIAIOSFODNN7EXAMPLE";
  process.env.AWS_SECRET_ACCESS_KEY ??= "test-secret-not-real";
});
after(async () => {
  await msk?.stop();
  await cluster?.stop();
});
beforeEach(() => forgetBootstrapBrokers());

const settings = (env: Record<string, string>) => loadConfig({ env, envFile: false });

describe("MSK bootstrap brokers from MSK_CLUSTER_ARN", () => {
  it("picks the brokers string for the client's authentication", () => {
    const of = (env: Record<string, string>) => bootstrapBrokerString(settings(env));
    assert.equal(
      of({ KAFKA_SASL_MECHANISM: "aws-msk-iam", AWS_REGION: "eu-west-1" }),
      "BootstrapBrokerStringSaslIam",
    );
    assert.equal(
      of({
        KAFKA_SASL_MECHANISM: "scram-sha-512",
        KAFKA_SASL_USERNAME: "u",
        KAFKA_SASL_PASSWORD: "p",
      }),
      "BootstrapBrokerStringSaslScram",
    );
    assert.equal(of({ KAFKA_SSL: "true" }), "BootstrapBrokerStringTls");
    assert.equal(of({}), "BootstrapBrokerString");
  });

  it("looks the IAM brokers up once per process and signs tokens for the ARN's region", async () => {
    const arn = msk.addCluster("iam", {
      BootstrapBrokerStringTls: "b-1.tls.example:9094",
      BootstrapBrokerStringSaslIam: "b-1.iam.example:9098,b-2.iam.example:9098",
    });
    const config = settings({ MSK_CLUSTER_ARN: arn, KAFKA_SASL_MECHANISM: "aws-msk-iam" });
    assert.equal(config.AWS_REGION, undefined, "no AWS_REGION needed: the ARN names it");
    const client = kafkaConfig(config);
    assert.equal(client.ssl, true, "MSK IAM is TLS");
    assert.equal(client.sasl?.mechanism, "oauthbearer");
    assert.equal(typeof client.brokers, "function");
    const lookup = client.brokers as () => Promise<string[]>;
    assert.deepEqual(await lookup(), ["b-1.iam.example:9098", "b-2.iam.example:9098"]);
    assert.deepEqual(await lookup(), ["b-1.iam.example:9098", "b-2.iam.example:9098"]);
    assert.deepEqual(
      msk.requests.filter((r) => r === arn),
      [arn],
    );
  });

  it("lets an explicit KAFKA_BROKERS win over the cluster's", () => {
    const arn = msk.addCluster("explicit", { BootstrapBrokerString: "b-1.example:9092" });
    const client = kafkaConfig(settings({ MSK_CLUSTER_ARN: arn, KAFKA_BROKERS: "tunnel:9092" }));
    assert.deepEqual(client.brokers, ["tunnel:9092"]);
    assert.deepEqual(kafkaConfig(settings({})).brokers, ["localhost:9092"]);
  });

  it("produces to the brokers the cluster's ARN names", async () => {
    const arn = msk.addCluster("plain", {
      BootstrapBrokerString: cluster.bootstrapServers.join(","),
    });
    await cluster.createTopic("msk-brokers", 1, 1);
    const kafka = createKafka(settings({ MSK_CLUSTER_ARN: arn }));
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: "msk-brokers",
      messages: [{ value: JSON.stringify({ via: "arn" }) }],
    });
    await producer.disconnect();
    assert.deepEqual(jsonValues(await readTopic(kafka, "msk-brokers", 1)), [{ via: "arn" }]);
  });

  it("names MSK_CLUSTER_ARN when the cluster is unknown or offers no brokers for the mechanism, and asks again after a failure", async () => {
    const unknown =
      "arn:aws:kafka:eu-west-1:123456789012:cluster/gone/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-9";
    const plain = settings({});
    await assert.rejects(mskBootstrapBrokers(unknown, plain), (error: Error) => {
      assert.ok(error instanceof MskBootstrapBrokersError);
      assert.match(
        error.message,
        /^MSK_CLUSTER_ARN: cannot get the bootstrap brokers of .*cluster\/gone.*: NotFoundException/,
      );
      return true;
    });
    await assert.rejects(mskBootstrapBrokers(unknown, plain), MskBootstrapBrokersError);
    assert.equal(msk.requests.filter((r) => r === unknown).length, 2);

    const tlsOnly = msk.addCluster("tls-only", { BootstrapBrokerStringTls: "b-1.example:9094" });
    await assert.rejects(
      mskBootstrapBrokers(
        tlsOnly,
        settings({ MSK_CLUSTER_ARN: tlsOnly, KAFKA_SASL_MECHANISM: "aws-msk-iam" }),
      ),
      /MSK_CLUSTER_ARN: cluster .* has no BootstrapBrokerStringSaslIam for KAFKA_SASL_MECHANISM=aws-msk-iam/,
    );
  });

  it("refuses an ARN that is not an MSK cluster's", () => {
    assert.throws(
      () =>
        settings({
          MSK_CLUSTER_ARN: "arn:aws:kafka:eu-west-1:123456789012:topic/sentinel/x/raw-logs",
        }),
      /MSK_CLUSTER_ARN: expected an ARN such as arn:aws:kafka:us-east-1:123456789012:cluster\//,
    );
  });
});
