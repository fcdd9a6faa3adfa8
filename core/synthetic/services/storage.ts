import { incident, normal, preventive } from "../template.js";
import { ordinalHosts, type ServiceSpec } from "./spec.js";

/** Object storage gateway and its volumes: uploads, lifecycle, replication, disks. */
export const storage: ServiceSpec = {
  name: "storage",
  traffic: 3,
  preventiveShare: 0.09,
  incidentShare: 0.02,
  traced: false,
  hosts: ordinalHosts(["storage", 4]),
  templates: [
    normal(
      "info",
      "PUT s3://{bucket=bucket}/{objkey} {bytes:1000:900000000} in {durationMs=lat:5:9000}ms",
      4,
    ),
    normal(
      "info",
      "GET s3://{bucket=bucket}/{objkey} served {bytes:1000:900000000} in {durationMs=lat:1:2000}ms",
      4,
    ),
    normal(
      "info",
      "multipart upload {hex:32} completed for {objkey}: {int:2:400} parts, {bytes:10000000:90000000000}",
    ),
    normal("debug", "checksum verified for object {objkey}", 2),
    normal(
      "info",
      "volume {volume=volume} mounted on {pick:storage-0|storage-1|storage-2|storage-3}",
    ),
    normal(
      "info",
      'lifecycle rule "{pick:expire-tmp|archive-90d|delete-old-exports}" expired {int:0:9000} objects in {bucket=bucket}',
    ),
    normal("info", "replication to {region} caught up for {bucket=bucket}"),
    normal(
      "info",
      "scrub of {volume=volume} finished: {lat:1000:90000000} objects checked, 0 errors",
    ),
    normal("info", "volume {volume=volume} usage {pct:20:70}, healthy"),
    normal("info", "presigned download issued for {objkey}, expires in {int:60:3600}s"),
    normal("info", "compaction of {volume=volume} reclaimed {bytes:1000000:900000000000}"),
    normal(
      "info",
      "snapshot {ref:snap:12} of {volume=volume} created ({bytes:1000000000:2000000000000})",
    ),
    normal("info", "DELETE s3://{bucket=bucket}/{objkey}"),
    normal("debug", "range read {objkey} bytes={int:0:1000000}-{int:1000001:9000000}"),
    normal(
      "debug",
      "bucket {bucket=bucket} listing returned {int:0:1000} keys (truncated={pick:true|false})",
    ),
    preventive(
      "warn",
      "volume {volume=volume} degraded on {pick:storage-0|storage-1|storage-2|storage-3}",
      2,
    ),
    preventive(
      "warn",
      "volume {volume=volume} usage {pct:85:95}, {bytes:10000000000:900000000000} free",
      2,
    ),
    preventive(
      "warn",
      "replication lag to {region} for {bucket=bucket}: {lat:1000:90000} objects pending",
    ),
    preventive("warn", "SMART warning on {disk}: reallocated sectors {int:5:100}"),
    preventive(
      "warn",
      "request rate on {bucket=bucket} prefix {pick:uploads/|exports/|products/} approaching {int:3000:3500} PUT/s limit",
    ),
    preventive("warn", "bucket {bucket=bucket} has versioning suspended; deletes are permanent"),
    preventive(
      "info",
      "retrying PUT {objkey} after {pick:503 SlowDown|timeout} (attempt {attempt=int:2:4})",
    ),
    preventive("warn", "inode usage {pct:85:95} on {volume=volume}"),
    incident("error", "checksum mismatch for object {objkey}", 2),
    incident(
      "error",
      "disk {disk} failed on {pick:storage-0|storage-1|storage-2|storage-3}; volume {volume=volume} running without redundancy",
    ),
    incident("error", "write failed for {objkey}: No space left on device", 2),
    incident("warn", "bucket {bucket=bucket} policy changed to public-read by {email}"),
    incident(
      "error",
      "mass deletion: {lat:5000:500000} objects deleted from {bucket=bucket} by {email} in {int:1:10} minutes",
    ),
    incident("fatal", "object {objkey} lost: all {int:2:3} replicas unreadable"),
    incident("error", "I/O error on {disk}: {pick:medium error|timeout waiting for device}"),
  ],
  burst: [
    incident(
      "error",
      "erasure set {int:0:15} on {volume=volume} cannot reconstruct: {int:3:6} of 8 shards missing",
    ),
    incident(
      "error",
      "server-side encryption key {pick:kms-key-app|kms-key-backup} disabled; reads of {bucket=bucket} failing",
    ),
    incident(
      "fatal",
      "metadata journal on {volume=volume} replayed out of order; bucket index {bucket=bucket} inconsistent",
    ),
    incident(
      "error",
      "multipart upload {hex:32} completed with part {int:2:400} of zero length for {objkey}",
    ),
    incident(
      "error",
      "object lock retention on {bucket=bucket} blocks lifecycle purge of {lat:1000:900000} expired objects",
    ),
  ],
};
