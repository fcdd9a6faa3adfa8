import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Kafka, Kafka as KafkaClient, logLevel } from "kafkajs";
import { createCloudWatchLogsClient, sdkFilterLogEvents } from "../../core/cloudwatch/client.js";
import { checkpointKey } from "../../core/cloudwatch/poller.js";
import {
  type FakeCloudWatchLogs,
  startFakeCloudWatchLogs,
} from "../../core/cloudwatch/testing/fakeCloudWatchLogs.js";
import type { CloudWatchPosition } from "../../core/cloudwatch/types.js";
import { DynamoCheckpointStore } from "../../core/dynamodb/checkpointStore.js";
import { type LocalDynamo, startDynalite } from "../../core/dynamodb/testing/dynalite.js";
import type { LogEvent } from "../../core/events/types.js";
import { CallbackEventSink } from "../../core/ingestion/eventSink.js";
import { closeSharedProducer } from "../../core/kafka/sharedProducer.js";
import { type MockCluster, startMockCluster } from "../../core/kafka/testing/mockCluster.js";
import { jsonValues, readTopic } from "../../core/kafka/testing/readTopic.js";
import { createCloudWatchPollerHandler, handler } from "./cloudwatchPoller.js";

// The real handler, wired from the environment as in AWS: CloudWatch Logs is a local server
// speaking its wire protocol (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, read by the SDK itself), DynamoDB
// is dynalite (AWS_ENDPOINT_URL_DYNAMODB), Kafka is librdkafka's mock cluster.
const TOPIC = "raw-logs-poller";
const REGION = "eu-west-1";
const ARN = "arn:aws:lambda:eu-west-1:123456789012:function:sentinel-cloudwatch-poller";
const GROUPS = ["/aws/lambda/billing", "/ecs/ledger"];
let cluster: MockCluster;
let kafka: Kafka;
let cwl: FakeCloudWatchLogs;
let dynamo: LocalDynamo;
let table: string;

const context = { invokedFunctionArn: ARN, getRemainingTimeInMillis: () => 120_000 };

before(async () => {
  [cluster, cwl, dynamo] = await Promise.all([
    startMockCluster({ brokers: 1, topics: [{ name: TOPIC, partitions: 2 }] }),
    startFakeCloudWatchLogs({ pageSize: 5 }),
    startDynalite(),
  ]);
  table = await dynamo.createStateTable();
  kafka = new KafkaClient({ brokers: cluster.bootstrapServers, logLevel: logLevel.NOTHING });
  Object.assign(process.env, {
    KAFKA_BROKERS: cluster.bootstrapServers.join(","),
    KAFKA_TOPIC_RAW: TOPIC,
    AWS_REGION: REGION,
    AWS_LOG_GROUPS: GROUPS.join(","),
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: cwl.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    SENTINEL_STATE_TABLE: table,
    SENTINEL_LOG_LEVEL: "silent",
    SENTINEL_ENV_FILE: "",
  });
});

after(async () => {
  await closeSharedProducer();
  await Promise.all([cluster?.stop(), cwl?.stop(), dynamo?.stop()]);
});

describe("the scheduled CloudWatch poller Lambda", () => {
  it("reads each log group from its DynamoDB checkpoint into raw-logs, once", async () => {
    const at = Date.now() - 5 * 60_000;
    const billing = cwl.putEvents(
      GROUPS[0] as string,
      "2026/03/01/[$LATEST]abc",
      Array.from({ length: 12 }, (_, i) => ({
        timestamp: at + Math.floor(i / 4),
        message: `invoice ${i} settled`,
      })),
    );
    const ledger = cwl.putEvents(GROUPS[1] as string, "ledger/app/123", [
      {
        timestamp: at,
        message: '{"level":"error","msg":"ledger out of balance","service":"ledger"}',
      },
    ]);

    const first = await handler({ source: "aws.events" }, context);
    assert.deepEqual(
      first.results.map((r) => [r.logGroup, r.outcome, r.events]),
      [
        [GROUPS[0], "caught-up", 12],
        [GROUPS[1], "caught-up", 1],
      ],
    );
    const second = await handler({ source: "aws.events" }, context);
    assert.deepEqual(
      second.results.map((r) => r.events),
      [0, 0],
    );

    const events = jsonValues<LogEvent>(await readTopic(kafka, TOPIC, 13));
    assert.deepEqual(
      events.map((e) => e.id).sort(),
      [...billing, ...ledger].map((e) => e.eventId).sort(),
    );
    const ledgerEvent = events.find((e) => e.service === "ledger");
    assert.equal(ledgerEvent?.level, "error");
    assert.deepEqual(ledgerEvent?.source, {
      provider: "aws",
      account: "123456789012",
      region: REGION,
      logGroup: "/ecs/ledger",
      logStream: "ledger/app/123",
    });
    const store = new DynamoCheckpointStore<CloudWatchPosition>(dynamo.client, table);
    const checkpoint = await store.load(checkpointKey(REGION, GROUPS[0] as string));
    assert.ok(checkpoint && checkpoint.value.timestamp > at, "checkpoint saved in DynamoDB");
  });

  it("reads the other log groups when one fails, then fails naming it", async () => {
    const received: LogEvent[] = [];
    const poll = createCloudWatchPollerHandler({
      filterLogEvents: sdkFilterLogEvents(
        createCloudWatchLogsClient({ region: REGION, endpoint: cwl.endpoint }),
      ),
      checkpoints: new DynamoCheckpointStore(dynamo.client, await dynamo.createStateTable()),
      sink: new CallbackEventSink((events) => void received.push(...events)),
      logGroups: ["/aws/lambda/missing", GROUPS[1] as string],
      region: REGION,
      maxMessageBytes: 16_384,
      backfillMs: 3_600_000,
      ingestionDelayMs: 10_000,
    });
    await assert.rejects(
      poll({}, context),
      /failed for 1 of 2 log groups: \/aws\/lambda\/missing \(ResourceNotFoundException/,
    );
    assert.deepEqual(
      received.map((e) => e.source.logGroup),
      [GROUPS[1]],
    );
  });
});
