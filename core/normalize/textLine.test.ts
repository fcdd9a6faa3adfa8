import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { levelAtStart, parseTextLine } from "./textLine.js";

const NOW = Date.parse("2024-06-15T00:00:00Z");
const parse = (text: string) => parseTextLine(text, NOW);

describe("Java logging", () => {
  it("reads log4j's default layout", () => {
    assert.deepEqual(
      parse(
        "2024-03-01 12:00:00,123 ERROR [main] com.example.OrderService - Failed to process order 42",
      ),
      {
        message: "Failed to process order 42",
        timestamp: "2024-03-01T12:00:00.123Z",
        level: "error",
        service: "com.example.OrderService",
        attributes: { thread: "main" },
      },
    );
  });

  it("reads logback with the thread before the level", () => {
    const line = parse(
      "2024-03-01 12:00:00.123 [http-nio-8080-exec-1] WARN  c.e.app.PaymentClient - Retry 2/3 for payment 42",
    );
    assert.equal(line.level, "warn");
    assert.equal(line.service, "c.e.app.PaymentClient");
    assert.equal(line.attributes.thread, "http-nio-8080-exec-1");
    assert.equal(line.message, "Retry 2/3 for payment 42");
  });

  it("reads logback's time-only default pattern, keeping the time as an attribute", () => {
    const line = parse("12:00:00.123 [main] INFO  c.e.app.Application - Started in 3.2 s");
    assert.equal(line.timestamp, undefined);
    assert.deepEqual(line.attributes, { time: "12:00:00.123", thread: "main" });
    assert.equal(line.message, "Started in 3.2 s");
  });

  it("reads Spring Boot's layout with pid, --- and padded thread", () => {
    const line = parse(
      "2024-03-01 12:00:00.123 ERROR 12345 --- [           main] c.e.app.OrderService      : Failed to start",
    );
    assert.deepEqual(line, {
      message: "Failed to start",
      timestamp: "2024-03-01T12:00:00.123Z",
      level: "error",
      service: "c.e.app.OrderService",
      attributes: { pid: 12345, thread: "main" },
    });
  });

  it("reads Spring Boot 3.2's application name before the thread", () => {
    const line = parse(
      "2024-03-01T12:00:00.123+01:00  INFO 4711 --- [orders] [           main] c.e.o.OrdersApplication  : Started",
    );
    assert.equal(line.timestamp, "2024-03-01T11:00:00.123Z");
    assert.equal(line.service, "c.e.o.OrdersApplication");
    assert.deepEqual(line.attributes, { pid: 4711, application: "orders", thread: "main" });
    assert.equal(line.message, "Started");
  });

  it("reads java.util.logging's second line", () => {
    const line = parse("SEVERE: Servlet.service() for servlet [dispatcher] threw exception");
    assert.equal(line.level, "error");
    assert.equal(line.message, "Servlet.service() for servlet [dispatcher] threw exception");
  });

  it("keeps stack trace continuation lines whole", () => {
    assert.deepEqual(parse("at com.foo.Bar.process(Bar.java:10)"), {
      message: "at com.foo.Bar.process(Bar.java:10)",
      attributes: {},
    });
    assert.equal(
      parse("Caused by: java.sql.SQLException: Connection is closed").message,
      "Caused by: java.sql.SQLException: Connection is closed",
    );
    assert.equal(parse("... 42 more").message, "... 42 more");
    const exception = parse("java.lang.IllegalStateException: pool exhausted");
    assert.equal(exception.service, undefined);
    assert.equal(exception.message, "java.lang.IllegalStateException: pool exhausted");
  });

  it("reads a bracketed logger name (JBoss/WildFly)", () => {
    const line = parse(
      "12:00:00,123 ERROR [org.jboss.as.controller] (Controller Boot Thread) WFLYCTL0013: Operation failed",
    );
    assert.equal(line.level, "error");
    assert.equal(line.service, "org.jboss.as.controller");
    assert.equal(line.message, "(Controller Boot Thread) WFLYCTL0013: Operation failed");
  });
});

describe("Python logging", () => {
  it("reads the basicConfig default LEVEL:logger:message", () => {
    assert.deepEqual(parse("ERROR:root:Connection failed"), {
      message: "Connection failed",
      level: "error",
      service: "root",
      attributes: {},
    });
    const dotted = parse("WARNING:urllib3.connectionpool:Retrying (Retry(total=2)) after failure");
    assert.equal(dotted.service, "urllib3.connectionpool");
    assert.equal(dotted.level, "warn");
  });

  it("reads the asctime - name - levelname - message format", () => {
    assert.deepEqual(parse("2024-03-01 12:00:00,123 - myapp - ERROR - Connection failed"), {
      message: "Connection failed",
      timestamp: "2024-03-01T12:00:00.123Z",
      level: "error",
      service: "myapp",
      attributes: {},
    });
    assert.equal(parse("2024-03-01 12:00:00,123 - myapp.db - INFO - ok").service, "myapp.db");
  });

  it("reads Flask's bracketed time", () => {
    const line = parse("[2024-03-01 12:00:00,123] ERROR in app: Exception on /orders [GET]");
    assert.equal(line.timestamp, "2024-03-01T12:00:00.123Z");
    assert.equal(line.level, "error");
    assert.equal(line.message, "in app: Exception on /orders [GET]");
  });
});

describe("web servers", () => {
  it("takes the time out of an access log line but keeps the whole line as message", () => {
    const text =
      '127.0.0.1 - - [01/Mar/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8.5.0"';
    assert.deepEqual(parse(text), {
      message: text,
      timestamp: "2024-03-01T12:00:00.000Z",
      attributes: {},
    });
    const named =
      'web.example.test - operator [01/Mar/2024:14:00:00 +0200] "POST /api HTTP/2" 500 0';
    assert.equal(parse(named).timestamp, "2024-03-01T12:00:00.000Z");
  });

  it("reads nginx error logs: level, pid#tid", () => {
    const line = parse(
      '2024/03/01 12:00:00 [error] 1234#1234: *5678 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 10.0.0.1, server: localhost',
    );
    assert.equal(line.level, "error");
    assert.equal(line.timestamp, "2024-03-01T12:00:00.000Z");
    assert.deepEqual(line.attributes, { pid: 1234, tid: 1234 });
    assert.ok(line.message.startsWith("*5678 open()"));
  });

  it("reads Apache 2.4 error logs: module:level, pid/tid, client", () => {
    const line = parse(
      "[Fri Mar 01 12:00:00.123456 2024] [core:error] [pid 1234:tid 140001] [client 10.0.0.1:5678] AH00126: Invalid URI in request GET /../../ HTTP/1.1",
    );
    assert.deepEqual(line, {
      message: "AH00126: Invalid URI in request GET /../../ HTTP/1.1",
      timestamp: "2024-03-01T12:00:00.123Z",
      level: "error",
      attributes: { module: "core", pid: 1234, tid: 140001, client: "10.0.0.1:5678" },
    });
  });

  it("reads Apache 2.2 error logs", () => {
    const line = parse(
      "[Fri Mar 01 12:00:00 2024] [error] [client 10.0.0.1] File does not exist: /var/www/favicon.ico",
    );
    assert.equal(line.level, "error");
    assert.equal(line.message, "File does not exist: /var/www/favicon.ico");
  });
});

describe("databases and servers", () => {
  it("reads Postgres: zone name, [pid], LEVEL: with two spaces", () => {
    assert.deepEqual(
      parse(
        '2024-03-01 12:00:00.123 UTC [123] ERROR:  duplicate key value violates unique constraint "users_pkey"',
      ),
      {
        message: 'duplicate key value violates unique constraint "users_pkey"',
        timestamp: "2024-03-01T12:00:00.123Z",
        level: "error",
        attributes: { pid: 123 },
      },
    );
    const detail = parse(
      "2024-03-01 12:00:00.123 UTC [123] DETAIL:  Key (id)=(42) already exists.",
    );
    assert.equal(detail.level, undefined);
    assert.equal(detail.message, "DETAIL:  Key (id)=(42) already exists.");
    assert.equal(parse("2024-03-01 12:00:00.123 UTC [77] LOG:  checkpoint starting").level, "info");
  });

  it("reads Redis: pid, role, time and level mark", () => {
    assert.deepEqual(parse("1:M 01 Mar 2024 12:00:00.123 * Ready to accept connections tcp"), {
      message: "Ready to accept connections tcp",
      timestamp: "2024-03-01T12:00:00.123Z",
      level: "notice",
      attributes: { pid: 1, role: "master" },
    });
    assert.equal(
      parse("7:S 01 Mar 2024 12:00:00.123 # Connection with master lost.").level,
      "warn",
    );
  });

  it("reads glog/klog lines with an inferred year", () => {
    assert.deepEqual(
      parse("E0301 12:00:00.123456    4711 reflector.go:138] Failed to watch *v1.Pod"),
      {
        message: "Failed to watch *v1.Pod",
        timestamp: "2024-03-01T12:00:00.123Z",
        level: "error",
        attributes: { threadId: 4711, source: "reflector.go:138" },
      },
    );
  });
});

describe("log datasets", () => {
  it("reads HDFS lines: yyMMdd HHmmss, pid, level, component", () => {
    assert.deepEqual(
      parse(
        "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating",
      ),
      {
        message: "PacketResponder 1 for block blk_38865049064139660 terminating",
        timestamp: "2008-11-09T20:36:15.000Z",
        level: "info",
        service: "dfs.DataNode$PacketResponder",
        attributes: { pid: 148 },
      },
    );
  });

  it("reads BGL lines: epoch, node, component and level", () => {
    assert.deepEqual(
      parse(
        "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected",
      ),
      {
        message: "instruction cache parity error corrected",
        timestamp: "2005-06-03T22:42:50.675Z",
        level: "info",
        service: "KERNEL",
        attributes: { node: "R02-M1-N0-C:J12-U11", type: "RAS" },
      },
    );
    const alert = parse(
      "KERNDTLB 1118536327 2005.06.11 R30-M0-N9-C:J16-U01 2005-06-11-17.32.07.581048 R30-M0-N9-C:J16-U01 RAS KERNEL FATAL data TLB error interrupt",
    );
    assert.equal(alert.level, "fatal");
    assert.equal(alert.attributes.alert, "KERNDTLB");
  });
});

describe("level words", () => {
  it("reads the bracketed, angled, colon and key=value forms in any case", () => {
    assert.equal(parse("[error] boom").level, "error");
    assert.equal(parse("[ WARN ] low disk").level, "warn");
    assert.equal(parse("<error> boom").level, "error");
    assert.equal(parse("Error: connect ECONNREFUSED 10.0.0.1:5432").level, "error");
    assert.equal(parse("level=warn something odd").level, "warn");
    assert.equal(parse('level="error" something').level, "error");
  });

  it("reads bare words only in upper case", () => {
    assert.deepEqual(parse("ERROR could not open file"), {
      message: "could not open file",
      level: "error",
      attributes: {},
    });
    assert.equal(parse("CRITICAL disk failure").level, "fatal");
    assert.equal(parse("EMERG kernel panic").level, "fatal");
    assert.equal(parse("Error handling is fine").level, undefined);
    assert.equal(parse("error handling is fine").message, "error handling is fine");
    assert.equal(parse("ERRORS were found").level, undefined);
  });

  it("reads logrus's text format", () => {
    const line = parse("WARN[0003] retrying connection  attempt=2");
    assert.equal(line.level, "warn");
    assert.equal(line.message, "retrying connection  attempt=2");
  });

  it("keeps the whole line as message when the header is all there is", () => {
    assert.deepEqual(parse("2024-03-01 12:00:00 ERROR"), {
      message: "2024-03-01 12:00:00 ERROR",
      timestamp: "2024-03-01T12:00:00.000Z",
      level: "error",
      attributes: {},
    });
  });

  it("takes only one level word; a second belongs to the message", () => {
    const line = parse("2024-03-01 12:00:00 INFO ERROR count is 0");
    assert.equal(line.level, "info");
    assert.equal(line.message, "ERROR count is 0");
  });

  it("levelAtStart reads one level word at the start", () => {
    assert.equal(levelAtStart("ERROR: disk full"), "error");
    assert.equal(levelAtStart("<warn> x"), "warn");
    assert.equal(levelAtStart("Errors happen"), undefined);
  });
});

describe("more servers", () => {
  it("reads Elasticsearch: bracketed time, level and padded logger", () => {
    const line = parse(
      "[2024-03-01T12:00:00,123][INFO ][o.e.n.Node               ] [node-1] started",
    );
    assert.equal(line.timestamp, "2024-03-01T12:00:00.123Z");
    assert.equal(line.level, "info");
    assert.equal(line.service, "o.e.n.Node");
    assert.equal(line.message, "started");
  });

  it("reads MySQL 8 without taking its error code for an application", () => {
    const line = parse(
      "2024-03-01T12:00:00.123456Z 0 [Warning] [MY-010068] [Server] CA certificate ca.pem is self signed.",
    );
    assert.equal(line.level, "warn");
    assert.equal(line.attributes.application, undefined);
    assert.equal(line.message, "[Server] CA certificate ca.pem is self signed.");
  });

  it("reads Serilog's file format with a spaced zone and short level", () => {
    const line = parse("2024-03-01 13:00:00.123 +01:00 [INF] Request finished in 12 ms");
    assert.equal(line.timestamp, "2024-03-01T12:00:00.123Z");
    assert.equal(line.level, "info");
    assert.equal(line.message, "Request finished in 12 ms");
  });

  it("reads Go's standard logger", () => {
    const line = parse("2024/03/01 12:00:00 http: TLS handshake error from 10.0.0.1:5555: EOF");
    assert.equal(line.timestamp, "2024-03-01T12:00:00.000Z");
    assert.equal(line.message, "http: TLS handshake error from 10.0.0.1:5555: EOF");
  });

  it("reads Kafka's bracketed time and keeps bracketed context with spaces", () => {
    const line = parse(
      "[2024-03-01 12:00:00,123] INFO [KafkaServer id=1] started (kafka.server.KafkaServer)",
    );
    assert.equal(line.level, "info");
    assert.equal(line.message, "[KafkaServer id=1] started (kafka.server.KafkaServer)");
  });
});

describe("other shapes", () => {
  it("reads a syslog-style tag without a host", () => {
    const line = parse("sshd[1234]: Accepted publickey for deploy");
    assert.equal(line.service, "sshd");
    assert.equal(line.attributes.pid, 1234);
    assert.equal(line.message, "Accepted publickey for deploy");
  });

  it("reads epoch-prefixed lines", () => {
    const line = parse("1709294400.5 WARN queue depth 1200");
    assert.equal(line.timestamp, "2024-03-01T12:00:00.500Z");
    assert.equal(line.level, "warn");
    assert.equal(line.message, "queue depth 1200");
  });

  it("leaves plain text and bracketed tags without a level alone", () => {
    assert.deepEqual(parse("Connection reset by peer"), {
      message: "Connection reset by peer",
      attributes: {},
    });
    assert.equal(parse("[Deprecation] use X instead").message, "[Deprecation] use X instead");
    assert.equal(
      parse("[   12.345678] usb 1-1: new device").message,
      "[   12.345678] usb 1-1: new device",
    );
  });

  it("strips ANSI colours", () => {
    const line = parse("\u001b[31mERROR\u001b[0m something broke");
    assert.equal(line.level, "error");
    assert.equal(line.message, "something broke");
  });
});
