import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { maskSensitive, maskValue } from "./mask.js";

// Every secret below is an obvious fake (AWS's documented example key, "NotARealPassword").

describe("maskSensitive", () => {
  it("masks AWS access key ids but keeps their prefix", () => {
    assert.equal(
      maskSensitive("key AKIAIOSFODNN7EXAMPLE and ASIAIOSFODNN7EXAMPLE"),
      "key AKIA**** and ASIA****",
    );
  });

  it("masks AWS secret access keys after known keys, in env, ini and JSON forms", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    assert.equal(maskSensitive(`AWS_SECRET_ACCESS_KEY=${secret}`), "AWS_SECRET_ACCESS_KEY=****");
    assert.equal(
      maskSensitive(`aws_secret_access_key = ${secret}`),
      "aws_secret_access_key = ****",
    );
    assert.equal(
      maskSensitive(`{"SecretAccessKey":"${secret}","AccessKeyId":"AKIAIOSFODNN7EXAMPLE"}`),
      '{"SecretAccessKey":"****","AccessKeyId":"AKIA****"}',
    );
    assert.equal(maskSensitive("AWS_SESSION_TOKEN=FwoGZXIvYXdzEFAKE"), "AWS_SESSION_TOKEN=****");
  });

  it("masks bearer and basic credentials, with or without an Authorization header", () => {
    assert.equal(
      maskSensitive("Authorization: Bearer fake-token-0123456789 next"),
      "Authorization: Bearer **** next",
    );
    assert.equal(
      maskSensitive("curl -H 'Authorization: Basic dXNlcjpOb3RBUmVhbA==' https://api.example.com"),
      "curl -H 'Authorization: Basic ****' https://api.example.com",
    );
    assert.equal(
      maskSensitive('{"authorization":"raw-fake-token-42"}'),
      '{"authorization":"****"}',
    );
    assert.equal(maskSensitive("sent Bearer abc123def456 upstream"), "sent Bearer **** upstream");
  });

  it("leaves prose about tokens alone", () => {
    const prose = "request rejected: missing Bearer token; Basic authentication disabled";
    assert.equal(maskSensitive(prose), prose);
    const counters = "max_tokens=256 total_tokens: 5 token_count=3";
    assert.equal(maskSensitive(counters), counters);
  });

  it("masks JWTs", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlLXVzZXIifQ.ZmFrZS1zaWduYXR1cmUtbm90LXJlYWw";
    assert.equal(maskSensitive(`session ${jwt} expired`), "session [jwt] expired");
  });

  it("masks passwords in URLs and keeps the user and host", () => {
    assert.equal(
      maskSensitive("postgres://checkout:NotARealPassword@db.internal:5432/payments failed"),
      "postgres://checkout:****@db.internal:5432/payments failed",
    );
    assert.equal(
      maskSensitive("redis://:NotARealPassword@cache:6379/0"),
      "redis://:****@cache:6379/0",
    );
    assert.equal(
      maskSensitive("mongodb+srv://app:Fake%40Pass@cluster0.example.net/db"),
      "mongodb+srv://app:****@cluster0.example.net/db",
    );
    const noCredentials = "GET https://api.example.com:8443/v1/orders?page=2";
    assert.equal(maskSensitive(noCredentials), noCredentials);
  });

  it("masks connection strings (SQL Server, Azure Storage, Service Bus)", () => {
    assert.equal(
      maskSensitive("Server=tcp:db.example.net;User Id=sa;Password=NotARealPassword!;Encrypt=true"),
      "Server=tcp:db.example.net;User Id=sa;Password=****;Encrypt=true",
    );
    assert.equal(
      maskSensitive(
        "DefaultEndpointsProtocol=https;AccountName=fake;AccountKey=ZmFrZWtleQ+/==;EndpointSuffix=core.windows.net",
      ),
      "DefaultEndpointsProtocol=https;AccountName=fake;AccountKey=****;EndpointSuffix=core.windows.net",
    );
    assert.equal(
      maskSensitive(
        "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=ZmFrZQ==",
      ),
      "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=****",
    );
  });

  it("masks password, secret, token and api key pairs in their common spellings", () => {
    assert.equal(
      maskSensitive("login failed password=hunter2 user=bob"),
      "login failed password=**** user=bob",
    );
    assert.equal(maskSensitive("DB_PASSWORD: NotARealPassword"), "DB_PASSWORD: ****");
    assert.equal(maskSensitive("client_secret='fake secret value'"), "client_secret='****'");
    assert.equal(
      maskSensitive('{"api_key": "fake-api-key-1", "n": 1}'),
      '{"api_key": "****", "n": 1}',
    );
    assert.equal(
      maskSensitive('msg="{\\"apiKey\\":\\"fake-key\\"}"'),
      'msg="{\\"apiKey\\":\\"****\\"}"',
    );
    assert.equal(
      maskSensitive("https://x.blob.core.windows.net/c/b?sv=2022-11-02&sig=ZmFrZQ%3D%3D&se=2026"),
      "https://x.blob.core.windows.net/c/b?sv=2022-11-02&sig=****&se=2026",
    );
    assert.equal(maskSensitive("refresh_token=fake.refresh&x=1"), "refresh_token=****&x=1");
  });

  it("masks private key blocks", () => {
    const pem =
      "-----BEGIN RSA PRIVATE KEY-----\nTk9UIEEgUkVBTCBLRVk=\n-----END RSA PRIVATE KEY-----";
    assert.equal(maskSensitive(`loaded ${pem} ok`), "loaded [RSA private key] ok");
  });

  it("masks e-mail addresses and IPs only when asked", () => {
    const line = "user jane.doe@example.com from 192.0.2.10 and 2001:db8::1 at 10:02:11";
    assert.equal(maskSensitive(line), line);
    assert.equal(
      maskSensitive(line, { maskEmails: true }),
      "user [email] from 192.0.2.10 and 2001:db8::1 at 10:02:11",
    );
    assert.equal(
      maskSensitive(line, { maskIps: true }),
      "user jane.doe@example.com from [ip] and [ip] at 10:02:11",
    );
  });

  it("does not take times, versions with more parts or C++ scopes for IPs", () => {
    const text = "at 10:02:11.123 version 1.2.3.4.5 std::vector fe80::1ff:fe23:4567:890a";
    assert.equal(
      maskSensitive(text, { maskIps: true }),
      "at 10:02:11.123 version 1.2.3.4.5 std::vector [ip]",
    );
  });

  it("masks the password in a URL before looking for e-mail addresses", () => {
    assert.equal(
      maskSensitive("smtp://alerts:NotARealPassword@mail.example.com:587", { maskEmails: true }),
      "smtp://alerts:****@mail.example.com:587",
    );
  });

  it("is idempotent", () => {
    const text =
      'password=x token: "y" AKIAIOSFODNN7EXAMPLE postgres://u:p@h/db Bearer abc123def a@b.io 10.0.0.1';
    const once = maskSensitive(text, { maskEmails: true, maskIps: true });
    assert.equal(maskSensitive(once, { maskEmails: true, maskIps: true }), once);
    assert.doesNotMatch(once, /AKIAIOSFODNN7EXAMPLE|abc123def|a@b\.io|10\.0\.0\.1|:p@/);
  });
});

// The secret shapes the well-known scanners (gitleaks, detect-secrets) look for. Each positive
// keeps its non-secret context; each negative is prose that must come through unchanged.
const MASKED: [name: string, text: string, expected: string][] = [
  ["AWS access key id", "key=AKIAIOSFODNN7EXAMPLE", "key=AKIA****"],
  ["AWS access key id, bare", "using AKIAIOSFODNN7EXAMPLE now", "using AKIA**** now"],
  [
    "AWS secret key after the word secret",
    "aws secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY rejected",
    "aws secret **** rejected",
  ],
  [
    "AWS secret key after 'secret access key'",
    "secret access key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "secret access key ****",
  ],
  [
    "GCP API key",
    "maps key AIzaSyA-FAKEFAKEFAKEFAKEFAKEFAKE0123456 denied",
    "maps key AIza**** denied",
  ],
  [
    "Azure storage AccountKey",
    "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=ZmFrZQ==;EndpointSuffix=core",
    "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=****;EndpointSuffix=core",
  ],
  [
    "Azure SAS sig",
    "GET /c/b?sv=2022&sig=ZmFrZQ%3D&se=1 403",
    "GET /c/b?sv=2022&sig=****&se=1 403",
  ],
  [
    "GitHub classic token",
    "push with ghp_FAKE0123456789abcdefghijklmnopqrstuv ok",
    "push with ghp_**** ok",
  ],
  ["GitHub OAuth token", "gho_FAKE0123456789abcdefghijklmnopqrstuv", "gho_****"],
  ["GitHub user token", "(ghu_FAKE0123456789abcdefghijklmnopqrstuv)", "(ghu_****)"],
  ["GitHub server token", "ghs_FAKE0123456789abcdefghijklmnopqrstuv.", "ghs_****."],
  ["GitHub refresh token", "ghr_FAKE0123456789abcdefghijklmnopqrstuv", "ghr_****"],
  [
    "GitHub fine-grained token",
    "token github_pat_11FAKE0123456789_abcdefghijklmnopqrstuvwxyz0123456789 expired",
    "token github_pat_**** expired",
  ],
  ["GitLab token", "glpat-FAKEfake0123456789ab used", "glpat-**** used"],
  ["Slack bot token", "slack xoxb-123456789012-FAKEfakeFAKE failed", "slack xoxb-**** failed"],
  ["Slack user token", "xoxp-123456789012-FAKEfakeFAKE", "xoxp-****"],
  [
    "Stripe secret key",
    "charge with sk_live_FAKEfake01234567 failed",
    "charge with sk_live_**** failed",
  ],
  ["Stripe restricted key", "rk_live_FAKEfake01234567", "rk_live_****"],
  [
    "private key block",
    "key -----BEGIN OPENSSH PRIVATE KEY-----\nZmFrZQ==\n-----END OPENSSH PRIVATE KEY----- loaded",
    "key [OPENSSH private key] loaded",
  ],
  ["JWT", "jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZQ rejected", "jwt=[jwt] rejected"],
  ["Bearer", "Authorization: Bearer fake-0123456789", "Authorization: Bearer ****"],
  ["Basic", "sent Basic dXNlcjpOb3RBUmVhbA== upstream", "sent Basic **** upstream"],
  [
    "URL password",
    "dial postgres://app:NotARealPassword@db:5432/x failed",
    "dial postgres://app:****@db:5432/x failed",
  ],
  ["password=", "login password=hunter2 user=bob", "login password=**** user=bob"],
  ["password: quoted", "password: 'hunter2' rejected", "password: '****' rejected"],
  ["password then a quoted value", 'password "hunter2" rejected', 'password "****" rejected'],
  ["passwd", "passwd=hunter2", "passwd=****"],
  ["pwd", "pwd: hunter2", "pwd: ****"],
  ["secret", 'client_secret="fake-value"', 'client_secret="****"'],
  ["token", "token: fake.token.42 ok", "token: **** ok"],
  ["api key", "api-key=fake42", "api-key=****"],
  ["api_key spaced", "api_key 0123456789abcdef", "api_key ****"],
  ["access key", "access_key: fake42", "access_key: ****"],
  ["JSON secret", '{"clientSecret":"fake42","n":1}', '{"clientSecret":"****","n":1}'],
];

const UNCHANGED: string[] = [
  "password reset requested for bob",
  "token bucket empty, throttling",
  "the secretary approved the change",
  "api key rotated by ops",
  "secret manager unavailable",
  "max_tokens=256 total_tokens: 5",
  "access key created",
  "ghp_short is not a token",
  "checkout failed with code 500",
];

describe("maskSensitive, the scanners' secret shapes", () => {
  for (const [name, text, expected] of MASKED) {
    it(`masks ${name}`, () => {
      assert.equal(maskSensitive(text), expected);
      assert.equal(maskSensitive(expected), expected, "masking twice changes nothing");
    });
  }
  for (const text of UNCHANGED) {
    it(`leaves "${text}" alone`, () => assert.equal(maskSensitive(text), text));
  }
});

describe("maskValue", () => {
  it("masks strings deep in a value and whole values under sensitive names", () => {
    assert.deepEqual(
      maskValue({
        user: "bob",
        password: "hunter2",
        db: { url: "postgres://a:NotARealPassword@h/x", "x-api-key": "k1", n: 3 },
        list: ["token=abc123"],
      }),
      {
        user: "bob",
        password: "****",
        db: { url: "postgres://a:****@h/x", "x-api-key": "****", n: 3 },
        list: ["token=****"],
      },
    );
  });

  it("stops at a bounded depth instead of exhausting the stack", () => {
    let deep: unknown = "password=hunter2";
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    assert.doesNotThrow(() => maskValue(deep));
  });
});
