import { incident, normal, preventive } from "../template.js";
import { podHosts, type ServiceSpec } from "./spec.js";

/** Background workers consuming queues and Kafka topics: jobs, batches, retries, dead letters. */
export const queueWorker: ServiceSpec = {
  name: "queue-worker",
  traffic: 8,
  preventiveShare: 0.1,
  incidentShare: 0.025,
  traced: true,
  hosts: podHosts("queue-worker", 5),
  templates: [
    normal(
      "info",
      "job {jobId=ref:job:12} on {queue=queue} completed in {durationMs=lat:5:4000}ms",
      4,
    ),
    normal("debug", "job {jobId=ref:job:12} picked up from {queue=queue} by worker {int:1:32}", 3),
    normal("debug", "message {messageId=ref:msg:16} acknowledged on {queue=queue}", 2),
    normal(
      "info",
      "consumer group {pick:workers-orders|workers-email|workers-search} rebalanced: {int:1:24} partitions assigned",
    ),
    normal("debug", "committed offset {int:100000:90000000} for {topic}-{int:0:11}"),
    normal("info", "batch of {int:10:500} messages processed from {queue=queue} in {dur:50:60000}"),
    normal(
      "info",
      "generated invoice INV-{int:100000:999999} for order {int:100000:9999999} ({bytes:20000:900000})",
    ),
    normal(
      "info",
      "image {uuid}.jpg resized to {pick:64x64|256x256|1024x1024} in {durationMs=lat:20:2500}ms",
    ),
    normal("info", "CSV export {uuid} finished: {lat:10:2000000} rows, {bytes:1000:900000000}"),
    normal("info", "outbox relay published {int:1:200} events to {topic}"),
    normal("debug", "worker {int:1:32} idle, polling {queue=queue} every {int:1:5}s"),
    normal("debug", "queue {queue=queue} depth {int:0:200}"),
    normal("info", "scaled worker pool from {int:2:8} to {int:9:16} replicas"),
    normal("debug", "heartbeat from worker {pod}"),
    normal(
      "info",
      "webhook delivered to https://hooks.example.com/{ref:wh:10} in {durationMs=lat:30:2500}ms ({status=status2xx})",
    ),
    normal("info", "search reindex chunk {int:1:400}/{int:400:800} done for {index}"),
    normal(
      "info",
      "job {jobId=ref:job:12} scheduled on {queue=queue} with delay {dur:1000:3600000}",
    ),
    normal("info", "audit event batch of {int:10:1000} written to {bucket}"),
    preventive(
      "warn",
      "job {jobId=ref:job:12} on {queue=queue} failed, retrying in {dur:1000:600000} (attempt {attempt=int:2:4}/5)",
      3,
    ),
    preventive("warn", "queue {queue=queue} depth {lat:5000:90000} above threshold 5000", 2),
    preventive("warn", "consumer lag for {topic} at {lat:10000:1000000} messages"),
    preventive(
      "warn",
      "job {jobId=ref:job:12} on {queue=queue} exceeded soft timeout of 30s ({dur:30000:120000})",
    ),
    preventive(
      "info",
      "visibility timeout extended for message {messageId=ref:msg:16} ({int:2:6} times)",
    ),
    preventive(
      "warn",
      "worker {int:1:32} memory {bytes:1600000000:2100000000} approaching container limit 2GB",
    ),
    preventive(
      "warn",
      "poison message suspected on {queue=queue}: {messageId=ref:msg:16} redelivered {int:3:9} times",
    ),
    preventive(
      "warn",
      "webhook endpoint https://hooks.example.com/{ref:wh:10} slow: {lat:3000:10000}ms",
    ),
    preventive(
      "warn",
      "payload schema v{int:1:2} of {topic} deprecated; producers should emit v{int:3:4}",
    ),
    incident("error", "message {messageId=ref:msg:16} dead-lettered on {queue=queue}", 3),
    incident(
      "error",
      "job {jobId=ref:job:12} on {queue=queue} failed permanently after 5 attempts: {pick:TimeoutError|ValidationError|UpstreamUnavailable}",
      2,
    ),
    incident(
      "error",
      "lost connection to broker {ipport:9092|9093}: {pick:ECONNREFUSED|socket closed|SASL authentication failed}",
    ),
    incident("error", "consumer for {topic} stuck: no progress for {dur:300000:1800000}"),
    incident("error", "worker {pod} killed: OOMKilled (exit code 137)"),
    incident(
      "error",
      "duplicate processing detected for message {messageId=ref:msg:16}: side effects applied twice",
    ),
    incident(
      "error",
      "failed to deserialize message from {topic}: unexpected token at position {int:0:4000}",
    ),
    incident("error", "dead letter queue {queue=queue}.dlq has {lat:100:9000} messages"),
  ],
  burst: [
    incident(
      "error",
      "job handler for {queue=queue} not registered after deploy {version}; {int:100:9000} jobs orphaned",
    ),
    incident(
      "error",
      "message {messageId=ref:msg:16} exceeds broker max.message.bytes ({bytes:1100000:9000000}); produce rejected",
    ),
    incident(
      "fatal",
      "offset commit for {topic} went backwards by {lat:1000:900000}; replaying from earliest",
    ),
    incident(
      "error",
      "worker pool deadlock: all {int:8:32} workers waiting on semaphore {pick:pdf-render|image-io}",
    ),
    incident("error", "job payload for {queue=queue} references missing blob {objkey}"),
  ],
};
