import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PipelineMetrics } from "../metrics/catalog.js";
import {
  type ConsumedRecord,
  countDeadLetters,
  type DeadLetter,
  deadLetterPoison,
} from "./deadLetter.js";
import { decodeAll } from "./decodeRecord.js";
import { decodeLogEvent } from "./logEventRecords.js";
import type { OutgoingMessage } from "./producer.js";

function record(offset: number, value: string): ConsumedRecord {
  return {
    topic: "raw-logs",
    partition: 1,
    offset: String(offset),
    key: null,
    value: Buffer.from(value),
    timestamp: "0",
  };
}

async function counted(metrics: PipelineMetrics) {
  const { values } = await metrics.deadLetters.get();
  return values.map((v) => [v.labels.stage, v.labels.reason, v.value]);
}

describe("dead letters", () => {
  it("counts dead letters by stage and reason", async () => {
    const metrics = new PipelineMetrics();
    countDeadLetters("decode", ["not_json", "not_json", "empty_value"], metrics);
    assert.deepEqual(await counted(metrics), [
      ["decode", "not_json", 2],
      ["decode", "empty_value", 1],
    ]);
  });

  it("sends poison records to the dead-letter topic with why, then counts them", async () => {
    const sent: { topic: string; messages: readonly OutgoingMessage[] }[] = [];
    const producer = {
      send: async (topic: string, messages: readonly OutgoingMessage[]) =>
        void sent.push({ topic, messages }),
    };
    const metrics = new PipelineMetrics();
    const { good, poison } = decodeAll(
      [record(0, "{not json"), record(1, ""), record(2, "{}")],
      decodeLogEvent,
    );
    assert.equal(good.length, 0);
    await deadLetterPoison(poison, { producer, topic: "dead", stage: "test-decode" }, { metrics });
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.topic, "dead");
    const letters = (sent[0]?.messages ?? []).map((m) => JSON.parse(String(m.value)) as DeadLetter);
    assert.deepEqual(
      letters.map((l) => [l.source.offset, l.stage, l.reason.split(":")[0]]),
      [
        ["0", "test-decode", "not JSON"],
        ["1", "test-decode", "empty value"],
        ["2", "test-decode", "does not match the contract"],
      ],
    );
    assert.deepEqual((await counted(metrics)).sort(), [
      ["test-decode", "does_not_match_the_contract", 1],
      ["test-decode", "empty_value", 1],
      ["test-decode", "not_json", 1],
    ]);
  });

  it("counts nothing when the dead-letter topic cannot be written, and sends nothing for no poison", async () => {
    let sends = 0;
    const producer = {
      send: async () => {
        sends++;
        throw new Error("broker gone");
      },
    };
    const metrics = new PipelineMetrics();
    const target = { producer, topic: "dead", stage: "test-decode" };
    await deadLetterPoison([], target, { metrics });
    assert.equal(sends, 0);
    const { poison } = decodeAll([record(0, "{not json")], decodeLogEvent);
    await assert.rejects(deadLetterPoison(poison, target, { metrics }), /broker gone/);
    assert.deepEqual(await counted(metrics), []);
  });
});
