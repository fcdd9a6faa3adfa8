import { incident, normal, preventive } from "../template.js";
import { podHosts, type ServiceSpec } from "./spec.js";

/** Cron-style jobs and the cluster events around them (pods, nodes, leader election). */
export const scheduler: ServiceSpec = {
  name: "scheduler",
  traffic: 3,
  preventiveShare: 0.1,
  incidentShare: 0.025,
  traced: false,
  hosts: podHosts("scheduler", 2),
  templates: [
    normal("info", "job {job=job} started (run {runId=ref:run:10})", 3),
    normal("info", "job {job=job} completed after {dur:500:3600000}", 3),
    normal("debug", "lock acquired for job {job=job}", 2),
    normal("info", "next run of {job=job} scheduled in {dur:60000:86400000}"),
    normal("debug", "lock released for job {job=job} after {dur:500:3600000}"),
    normal("info", "pod {pod} scheduled on node {node}"),
    normal("info", "pod {pod} started in {dur:1000:60000}"),
    normal(
      "debug",
      'cron expression "{pick:0 * * * *|*/5 * * * *|0 3 * * *|15 2 * * 1}" parsed for {job=job}',
    ),
    normal("info", "leader election won by {pod}, term {int:1:900}", 0.5),
    normal("debug", "heartbeat ok: {int:5:40} jobs registered, {int:0:4} running"),
    normal("info", "skipped {job=job}: previous run {runId=ref:run:10} still in progress"),
    normal("info", "cleaned up {int:0:400} finished job records older than {int:7:30} days"),
    normal(
      "info",
      "HPA scaled deployment {deploy} from {int:2:5} to {int:6:12} replicas (cpu {pct:70:90})",
    ),
    normal("info", "volume {volume} attached to node {node}"),
    normal("info", "image registry.example.com/{deploy}:{version} pulled in {dur:1000:90000}"),
    normal("debug", "job {job=job} parameters: window={int:1:24}h batch={int:100:5000}"),
    normal("debug", "liveness probe succeeded for {pod}"),
    normal(
      "info",
      "configmap {pick:app-config|feature-flags|routes} updated, restarting {int:1:6} pods",
    ),
    preventive("warn", "job {job=job} missed its schedule by {dur:60000:1800000}", 2),
    preventive(
      "warn",
      "job {job=job} running for {dur:1800000:14400000}, longer than its expected duration",
    ),
    preventive(
      "warn",
      "node {node} under memory pressure ({pct:85:95} used); evicting low-priority pods",
    ),
    preventive(
      "warn",
      "liveness probe failed for {pod}: HTTP probe failed with statuscode: {status=status5xx}",
      2,
    ),
    preventive(
      "warn",
      "PodDisruptionBudget for {deploy} allows 0 disruptions; drain of {node} blocked",
    ),
    preventive("warn", "cronjob {job=job} uses deprecated API batch/v1beta1"),
    preventive("warn", "{int:3:40} pods unschedulable due to insufficient cpu"),
    preventive("warn", "clock skew of {lat:500:3000}ms detected against NTP"),
    incident("error", "job {job=job} failed after {dur:500:3600000}", 3),
    incident("error", "lock lost for job {job=job}"),
    incident("warn", "Back-off restarting failed container {container} in pod {pod}", 2),
    incident("error", "pod {pod} OOMKilled on node {node} (limit {bytes:200000000:8000000000})"),
    incident("error", "node {node} NotReady: kubelet stopped posting node status"),
    incident("error", "job {job=job} ran twice concurrently: runs {ref:run:10} and {ref:run:10}"),
    incident(
      "error",
      "failed to pull image registry.example.com/{deploy}:{version}: {pick:not found|unauthorized|i/o timeout}",
    ),
    incident("error", "leader election lost; {int:2:12} jobs orphaned"),
  ],
  burst: [
    incident(
      "error",
      "timezone database missing zone {pick:Europe/Kyiv|America/Ciudad_Juarez}; {int:2:20} jobs skipped",
    ),
    incident(
      "error",
      "admission webhook {pick:policy.example.com|quota.example.com} denied pod {pod}: context deadline exceeded",
    ),
    incident(
      "fatal",
      "scheduler state store schema v{int:7:9} unreadable by this release; no jobs will run",
    ),
    incident(
      "error",
      "job {job=job} spawned {int:50:900} child runs in one tick (fan-out guard disabled)",
    ),
    incident(
      "error",
      "secret volume for {deploy} failed to mount: MountVolume.SetUp timed out after {int:2:10}m",
    ),
  ],
};
