import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { templateIdOf, templateOf } from "./templateKey.js";

function sameKey(a: string, b: string): boolean {
  return templateIdOf(templateOf(a)) === templateIdOf(templateOf(b));
}

describe("templateOf", () => {
  it("never merges messages whose constant words differ", () => {
    const pairs: [string, string][] = [
      ["connection established to 10.0.0.1:5432", "connection failed to 10.0.0.1:5432"],
      ["payment captured for order 8812", "payment declined for order 8812"],
      ["Backup completed in 12s", "Backup failed in 12s"],
      ['job state "running"', 'job state "failed"'],
      ["result=success code=0", "result=failure code=0"],
      ["sha256 mismatch on /tmp/a.bin", "md5 mismatch on /tmp/a.bin"],
      ["HTTP 404 Not Found", "HTTP 500 Internal Server Error"],
      ["disk nearly full", "disk full"],
      [
        '10.0.0.1 "GET /v2/a1/servers HTTP/1.1" status: 200',
        '10.0.0.1 "POST /v2/a1/servers HTTP/1.1" status: 200',
      ],
      ["error-rate-5 high", "error-count-5 high"],
      ["errors:5", "warnings:5"],
      ["broadcast android.intent.action.SCREEN_ON", "broadcast android.intent.action.SCREEN_OFF"],
      ["MotionEvent action=ACTION_DOWN", "MotionEvent action=ACTION_UP"],
    ];
    for (const [a, b] of pairs) assert.equal(sameKey(a, b), false, `${a} | ${b}`);
  });

  it("masks the common shapes of ids, prefixed ids, key=number and paths, keeping constant words", () => {
    const cases: [string, string][] = [
      ["job job_65ngta7891zl picked up by worker 10", "job job_<*> picked up by worker <*>"],
      ["read bytes=4673 from host=10.0.70.243", "read bytes=<*> from host=<*>"],
      ["GET /api/v1/orders/4060158 took 16ms", "GET <*> took <*>"],
      ["request a5f3c9e1 over ipv4 with sha256", "request <*> over ipv4 with sha256"],
      ["served by h2 on x86_64", "served by h2 on x86_64"],
      ["task_a_1_ lost", "task_<*>_ lost"],
    ];
    for (const [message, template] of cases) assert.equal(templateOf(message), template, message);
  });

  it("merges lines that differ only in variables", () => {
    const groups: string[][] = [
      [
        "Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 dest: /10.250.19.102:50010",
        "Receiving block blk_7503483334202473044 src: /10.251.215.16:55695 dest: /10.251.215.16:50010",
      ],
      [
        "pod checkout-7d9f8b6c5-x2kqz restarted (exit code 137)",
        "pod checkout-5c8f7b9d4-k9wq2 restarted (exit code 1)",
      ],
      [
        "Request 3f2a9c1e-1b2c-4d5e-8f90-1234567890ab took 1.5s",
        "Request 00000000-0000-4000-8000-000000000001 took 250ms",
      ],
      ["retrying in 3m20s (attempt 4/5)", "retrying in 45s (attempt 1/5)"],
      ["commit 9fceb02d0ae598e95dc970b74767f19372d61af8 pushed", "commit 1a2b3c4d pushed"],
      ["Disk usage at 85% on /var/lib/mysql", "Disk usage at 91.5% on /data/pg/main"],
      ["can't open file 'config.yaml': denied", "can't open file 'app-2.json': denied"],
      ["login by alice@example.com from 192.168.1.5", "login by bob@example.org from 10.0.0.9"],
      ["fetched https://example.com/a?b=1 in 30ms", "fetched http://example.org/x in 2s"],
      ["mac 00:1a:2b:3c:4d:5e up", "mac aa:bb:cc:dd:ee:f0 up"],
      ["peer fe80::1ff:fe23:4567:890a lost", "peer 2001:db8::1 lost"],
      ["started at 2024-03-01T12:00:00.123Z", "started at 2023-12-31 23:59:59,999"],
      ["free 512MB of 4GB", "free 1.5GiB of 16GB"],
      ["code=0x1F seq=-12", "code=0xdeadbeef seq=7"],
      ["ids 1 2 3 done", "ids 4 5 done"],
      ["proxy down.example.com:80 open", "proxy www.example.com:443 open"],
      ["Registering class org.apache.A$B", "Registering class com.example.Other"],
      ["lifetime <1 sec, 1190 bytes (1.16 KB) sent", "lifetime 00:02, 0 bytes sent"],
      ["peer wpad:80 gone", "peer tracker:6881 gone"],
      ["drained from image-resizer-gfxdrdckbc-brxsv", "drained from image-resizer-7c9bd5f4d-qqwzv"],
      ["slow GET /api/v1/search?q=coffee+grinder&page=2", "slow GET /api/search?q=boots"],
      [
        "Resolved MSRA-SA-41.fareast.corp.example.com to /default-rack",
        "Resolved 04DN8IQ.fareast.corp.example.com to /default-rack",
      ],
      ["rhost=adsl-69-228.dsl.snantx.example.net", "rhost=ip-10-1-2-3.ip.example.org"],
      [
        "connection from 10.0.0.1 at Wed Jun 22 13:16:30 2005",
        "connection from 10.0.0.2 at Fri Jun 17 07:07:00 2005",
      ],
      ["task_1445144423722_0020_m_000000 moved", "task_1445144423722_0020_r_000001 moved"],
      ["estimated size 850.0 B, free 320.3 KB", "estimated size 5.2 KB, free 1.1 MB"],
      [
        '10.0.0.1 "GET /v2/a1/servers HTTP/1.1" status: 200',
        '10.0.0.9 "GET /v2/b7/images HTTP/1.1" status: 404',
      ],
    ];
    for (const [a, b] of groups) assert.ok(sameKey(a as string, b as string), `${a} | ${b}`);
  });

  it("masks typed variables and keeps constant words", () => {
    assert.equal(
      templateOf("connection failed to 10.0.0.2:5432 after 3 retries"),
      "connection failed to <*> after <*> retries",
    );
    assert.equal(templateOf("generating core.2275"), "generating <*>");
    assert.equal(templateOf("caused by dcbf.........0"), "caused by dcbf.........<*>");
    assert.equal(templateOf("Block rdd_2_2 stored"), "Block rdd_<*> stored");
    assert.equal(templateOf("errors:5 warnings:0"), "errors:<*> warnings:<*>");
    assert.equal(templateOf("jvm uses ipv4 and HTTP/1.1"), "jvm uses ipv4 and <*>");
    assert.equal(templateOf("  spaced\tout   words "), "spaced out words");
    assert.equal(templateOf('reason="connection refused"'), 'reason="connection refused"');
  });

  it("stays linear on hostile input", () => {
    const hostile = [
      " ".repeat(1_000_000),
      "9".repeat(1_000_000),
      "a".repeat(1_000_000),
      `"${"x".repeat(1_000_000)}`,
      "/a".repeat(300_000),
    ];
    for (const line of hostile) {
      const started = performance.now();
      templateOf(line);
      assert.ok(performance.now() - started < 2_000, `slow on ${line.slice(0, 10)}...`);
    }
  });
});
