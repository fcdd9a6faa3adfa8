import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLine } from "./index.js";

function parsed(text: string) {
  const result = parseLine(text, "auto");
  assert.ok(result.ok);
  return result.line;
}

describe("tool line shapes", () => {
  it("reads Android logcat's threadtime header", () => {
    const line = parsed(
      "03-17 16:13:38.819  1702  8671 D PowerManagerService: acquire lock=233570404, flags=0x1",
    );
    assert.equal(line.message, "acquire lock=233570404, flags=0x1");
    assert.equal(line.level, "debug");
    assert.equal(line.service, "PowerManagerService");
    assert.deepEqual(line.attributes, { pid: 1702, threadId: 8671 });
    assert.match(line.timestamp ?? "", /-03-17T16:13:38\.819Z$/);
  });

  it("reads cluster syslog behind a BGL-style prefix", () => {
    const line = parsed(
      "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed for user root",
    );
    assert.equal(line.message, "session closed for user root");
    assert.equal(line.service, "crond(pam_unix)");
    assert.equal(line.attributes.pid, 2915);
  });

  it("reads a [month.day time] stamp and the program before ' - '", () => {
    const line = parsed(
      "[10.30 16:49:06] chrome.exe *64 - proxy.example.com:5070 open through proxy HTTPS",
    );
    assert.equal(line.message, "proxy.example.com:5070 open through proxy HTTPS");
    assert.equal(line.service, "chrome.exe *64");
    assert.match(line.timestamp ?? "", /-10-30T16:49:06\.000Z$/);
  });

  it("drops a leading log file name and the logger's request context", () => {
    const line = parsed(
      "nova-compute.log.1.2017-05-16_13:55:31 2017-05-16 00:00:04.562 2931 INFO nova.compute.manager [req-3ea4052c - - - - -] [instance: b9000564] VM Paused (Lifecycle Event)",
    );
    assert.equal(line.message, "[instance: b9000564] VM Paused (Lifecycle Event)");
    assert.equal(line.level, "info");
    assert.equal(line.service, "nova.compute.manager");
    assert.equal(line.attributes.file, "nova-compute.log.1.2017-05-16_13:55:31");
    assert.equal(line.timestamp, "2017-05-16T00:00:04.562Z");
  });

  it("reads Log4j lines with a two-digit year", () => {
    const line = parsed(
      "17/06/09 20:10:40 INFO spark.SecurityManager: Changing view acls to: yarn",
    );
    assert.equal(line.message, "Changing view acls to: yarn");
    assert.equal(line.level, "info");
    assert.equal(line.service, "spark.SecurityManager");
    assert.equal(line.timestamp, "2017-06-09T20:10:40.000Z");
  });

  it("leaves lines that only start like them alone", () => {
    assert.equal(parsed("03-17 is not a logcat line").message, "03-17 is not a logcat line");
    assert.equal(parsed("[10.30] not a stamp - x").message, "[10.30] not a stamp - x");
  });
});
