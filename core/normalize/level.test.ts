import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  levelFromName,
  levelFromNumber,
  levelFromOtelSeverityNumber,
  levelFromSyslogSeverity,
  levelFromValue,
  moreSevere,
  textLevelWord,
} from "./level.js";

describe("levelFromName", () => {
  it("reads the names logging libraries write, in any case", () => {
    assert.equal(levelFromName("ERROR"), "error");
    assert.equal(levelFromName("Warning"), "warn");
    assert.equal(levelFromName("Information"), "info"); // Serilog
    assert.equal(levelFromName("CRITICAL"), "fatal"); // Python
    assert.equal(levelFromName("SEVERE"), "error"); // java.util.logging
    assert.equal(levelFromName("FINEST"), "trace");
    assert.equal(levelFromName("silly"), "trace"); // winston
    assert.equal(levelFromName("emerg"), "fatal");
    assert.equal(levelFromName("alert"), "fatal");
    assert.equal(levelFromName("notice"), "notice");
    assert.equal(levelFromName("dpanic"), "error"); // zap
    assert.equal(levelFromName(" info "), "info");
  });

  it("reads single letters, since the field already says it is a level", () => {
    assert.equal(levelFromName("E"), "error");
    assert.equal(levelFromName("w"), "warn");
  });

  it("returns undefined for words that are not levels", () => {
    assert.equal(levelFromName("custom"), undefined);
    assert.equal(levelFromName(""), undefined);
    assert.equal(levelFromName("x".repeat(10_000)), undefined);
  });
});

describe("textLevelWord", () => {
  it("takes bare words only in upper case", () => {
    assert.equal(textLevelWord("ERROR", false), "error");
    assert.equal(textLevelWord("WARNING", false), "warn");
    assert.equal(textLevelWord("ERR", false), "error");
    assert.equal(textLevelWord("PANIC", false), "fatal");
    assert.equal(textLevelWord("Error", false), undefined);
    assert.equal(textLevelWord("error", false), undefined);
  });

  it("takes bracketed or colon-marked words in any case", () => {
    assert.equal(textLevelWord("error", true), "error");
    assert.equal(textLevelWord("Warn", true), "warn");
    assert.equal(textLevelWord("crit", true), "fatal");
  });

  it("takes ordinary-word levels such as LOG and CONFIG only upper-case and marked", () => {
    assert.equal(textLevelWord("LOG", true), "info"); // Postgres "LOG:"
    assert.equal(textLevelWord("log", true), undefined);
    assert.equal(textLevelWord("LOG", false), undefined);
    assert.equal(textLevelWord("CONFIG", true), "debug");
    assert.equal(textLevelWord("config", true), undefined);
  });

  it("never takes single letters from text", () => {
    assert.equal(textLevelWord("E", true), undefined);
    assert.equal(textLevelWord("I", false), undefined);
  });
});

describe("numeric levels", () => {
  it("reads pino and bunyan numbers", () => {
    assert.equal(levelFromNumber(10), "trace");
    assert.equal(levelFromNumber(20), "debug");
    assert.equal(levelFromNumber(30), "info");
    assert.equal(levelFromNumber(40), "warn");
    assert.equal(levelFromNumber(50), "error");
    assert.equal(levelFromNumber(60), "fatal");
  });

  it("reads 0..7 as syslog severity and 100+ as Monolog", () => {
    assert.equal(levelFromNumber(3), "error");
    assert.equal(levelFromNumber(6), "info");
    assert.equal(levelFromNumber(400), "error");
    assert.equal(levelFromNumber(250), "notice");
    assert.equal(levelFromNumber(600), "fatal");
  });

  it("rejects numbers on no scale", () => {
    assert.equal(levelFromNumber(8), undefined);
    assert.equal(levelFromNumber(-1), undefined);
    assert.equal(levelFromNumber(30.5), undefined);
  });

  it("maps syslog severities and OpenTelemetry severity numbers", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map(levelFromSyslogSeverity), [
      "fatal",
      "fatal",
      "fatal",
      "error",
      "warn",
      "notice",
      "info",
      "debug",
    ]);
    assert.equal(levelFromOtelSeverityNumber(1), "trace");
    assert.equal(levelFromOtelSeverityNumber(9), "info");
    assert.equal(levelFromOtelSeverityNumber(17), "error");
    assert.equal(levelFromOtelSeverityNumber(24), "fatal");
    assert.equal(levelFromOtelSeverityNumber(25), undefined);
  });

  it("reads numbers written as strings", () => {
    assert.equal(levelFromValue("50"), "error");
    assert.equal(levelFromValue("3"), "error");
    assert.equal(levelFromValue(true), undefined);
  });
});

describe("moreSevere", () => {
  it("keeps the more severe level", () => {
    assert.equal(moreSevere("notice", "error"), "error");
    assert.equal(moreSevere("fatal", "warn"), "fatal");
    assert.equal(moreSevere(undefined, "info"), "info");
  });
});
