import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSyslogLine, readStructuredData } from "./syslogLine.js";

const NOW = Date.parse("2024-06-15T00:00:00Z");
const parse = (text: string) => parseSyslogLine(text, NOW);

describe("RFC 3164", () => {
  it("reads the RFC's example: PRI, time, host, tag[pid], message", () => {
    assert.deepEqual(
      parse("<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8"),
      {
        message: "'su root' failed for lonvick on /dev/pts/8",
        timestamp: "2023-10-11T22:14:15.000Z",
        level: "fatal",
        service: "su",
        attributes: { host: "mymachine", pid: 230, facility: "auth" },
      },
    );
  });

  it("reads a tag without pid, and a line without host", () => {
    const noPid = parse("<13>Mar  1 12:00:00 web-1 backup: nightly run finished");
    assert.equal(noPid?.service, "backup");
    assert.equal(noPid?.level, "notice");
    assert.deepEqual(noPid?.attributes, { host: "web-1", facility: "user" });
    const noHost = parse("<86>Mar  1 12:00:00 sudo[99]: pam_unix(sudo:session): session opened");
    assert.equal(noHost?.service, "sudo");
    assert.deepEqual(noHost?.attributes, { pid: 99, facility: "authpriv" });
  });

  it("reads a PRI with no time at all", () => {
    const line = parse("<14>myapp: hello");
    assert.equal(line?.service, "myapp");
    assert.equal(line?.message, "hello");
    assert.equal(line?.timestamp, undefined);
  });

  it("raises the level when the message has a more severe level word", () => {
    const line = parse("<14>Mar  1 12:00:00 web-1 app[7]: ERROR: payment provider down");
    assert.equal(line?.level, "error");
    assert.equal(line?.message, "ERROR: payment provider down");
    const calmer = parse("<11>Mar  1 12:00:00 web-1 app[7]: INFO retry scheduled");
    assert.equal(calmer?.level, "error");
  });
});

describe("syslog files without PRI", () => {
  it("reads /var/log/syslog and auth.log lines", () => {
    assert.deepEqual(
      parse("Mar  1 12:00:00 web-1 sshd[1234]: Accepted publickey for deploy from 10.0.0.5"),
      {
        message: "Accepted publickey for deploy from 10.0.0.5",
        timestamp: "2024-03-01T12:00:00.000Z",
        service: "sshd",
        attributes: { host: "web-1", pid: 1234 },
      },
    );
    const kernel = parse(
      "Mar  1 12:00:00 web-1 kernel: [   12.345678] usb 1-1: new high-speed USB device",
    );
    assert.equal(kernel?.service, "kernel");
    assert.equal(kernel?.message, "[   12.345678] usb 1-1: new high-speed USB device");
  });

  it("reads rsyslog's RFC 3339 file format", () => {
    const line = parse(
      "2024-03-01T12:00:00.123456+00:00 web-1 CRON[42]: (root) CMD (run-parts /etc/cron.hourly)",
    );
    assert.equal(line?.timestamp, "2024-03-01T12:00:00.123Z");
    assert.equal(line?.service, "CRON");
    assert.equal(line?.attributes.pid, 42);
  });

  it("takes its level from the message only", () => {
    assert.equal(parse("Mar  1 12:00:00 web-1 app[7]: <error> bad")?.level, "error");
    assert.equal(parse("Mar  1 12:00:00 web-1 app[7]: fine")?.level, undefined);
  });

  it("is not syslog without a tag, or when the host is a level word", () => {
    assert.equal(parse("Mar  1 12:00:00 nothing to see here"), undefined);
    assert.equal(parse("Mar  1 12:00:00 ERROR db.pool: exhausted"), undefined);
    assert.equal(parse("2024-03-01T12:00:00Z main WARN: slow start"), undefined);
    assert.equal(parse("2024-03-01 12:00:00 web-1 app: space instead of T"), undefined);
    assert.equal(parse("Connection refused"), undefined);
    assert.equal(parse("<999>Mar  1 12:00:00 web-1 app: x"), undefined);
  });
});

describe("RFC 5424", () => {
  it("reads the RFC's example with structured data", () => {
    assert.deepEqual(
      parse(
        '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry',
      ),
      {
        message: "An application event log entry",
        timestamp: "2003-10-11T22:14:15.003Z",
        level: "notice",
        service: "evntslog",
        attributes: {
          host: "mymachine.example.com",
          msgid: "ID47",
          structuredData: {
            "exampleSDID@32473": { iut: "3", eventSource: "Application", eventID: "1011" },
          },
          facility: "local4",
        },
      },
    );
  });

  it("reads nil values, procid, a BOM and several SD elements", () => {
    const line = parse(
      '<34>1 2003-10-11T22:14:15.003-07:00 - su 4711 - [a@1 x="1"][b@2 y="q\\"uo\\]te"] \uFEFFsu root failed',
    );
    assert.equal(line?.timestamp, "2003-10-12T05:14:15.003Z");
    assert.equal(line?.service, "su");
    assert.equal(line?.message, "su root failed");
    assert.deepEqual(line?.attributes, {
      pid: 4711,
      structuredData: { "a@1": { x: "1" }, "b@2": { y: 'q"uo]te' } },
      facility: "auth",
    });
  });

  it("uses the whole line as message when MSG is empty", () => {
    const text = "<165>1 2003-10-11T22:14:15.003Z host app - - -";
    assert.equal(parse(text)?.message, text);
  });

  it("turns down malformed headers and structured data", () => {
    assert.equal(parse("<165>1 not-a-time host app - - - msg"), undefined);
    assert.equal(parse('<165>1 - host app - - [x a="unterminated'), undefined);
    assert.equal(parse("<165>1 - host"), undefined);
  });

  it("readStructuredData stores __proto__ ids as data", () => {
    const data = readStructuredData('[__proto__ polluted="yes"]', 0);
    assert.deepEqual(Object.keys(data?.elements ?? {}), ["__proto__"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
